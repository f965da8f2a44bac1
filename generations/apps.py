from importlib import import_module

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_out


class GenerationsConfig(AppConfig):
    name = "generations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Receivers: queued versions are enqueued for the worker (generations.tasks), and
        # logging out ends the user's open event streams (generations.live.events).
        import_module("generations.tasks")
        events = import_module("generations.live.events")
        user_logged_out.connect(events.end_streams_on_logout, dispatch_uid="end-streams-on-logout")
