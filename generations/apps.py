from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_out


def _end_streams(sender, request, user, **kwargs) -> None:
    from generations.events import end_user_streams  # models are ready only after ready()

    if user is not None:
        end_user_streams(user)


class GenerationsConfig(AppConfig):
    name = "generations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Logging out ends the user's open event streams, not only their next requests.
        user_logged_out.connect(_end_streams, dispatch_uid="end-streams-on-logout")
