from django.apps import AppConfig


class RunningConfig(AppConfig):
    name = "generations.running"
    label = "running"
    verbose_name = "Running projects"
    default_auto_field = "django.db.models.BigAutoField"
