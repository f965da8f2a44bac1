import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the demo account (staff, so it can open the admin) and print its password once."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--username", default="demo")
        parser.add_argument("--host", default="127.0.0.1", help="where serve will listen")
        parser.add_argument("--port", type=int, default=8000, help="the port serve will use")

    def handle(self, *args, username: str, host: str, port: int, **options) -> None:
        users = get_user_model()
        if users.objects.filter(username=username).exists():
            self.stdout.write(
                f"Demo account: {username} (its password was printed when it was created; "
                f"reset it with: .venv/bin/python manage.py changepassword {username})"
            )
            return
        password = secrets.token_urlsafe(12)
        users.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo account created. Log in at http://{host}:{port}/ with\n"
                f"  username: {username}\n  password: {password}\n"
                "This password is shown only now."
            )
        )
