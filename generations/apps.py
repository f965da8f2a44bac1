from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_out


class GenerationsConfig(AppConfig):
    name = "generations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Logging out ends the user's open event streams. Imported here, once the models
        # are loaded, as Django asks of receivers.
        from generations.live.events import end_streams_on_logout

        user_logged_out.connect(end_streams_on_logout, dispatch_uid="end-streams-on-logout")
