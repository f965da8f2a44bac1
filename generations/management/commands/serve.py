import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand

from generations.providers import get_provider


class Command(BaseCommand):
    help = "Serve the app with daphne and run one background worker; Ctrl-C stops both."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, host: str, port: int, **options) -> None:
        commands = {
            "web": [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                host,
                "-p",
                str(port),
                "config.asgi:application",
            ],
            "worker": [
                sys.executable,
                "manage.py",
                "db_worker",
                "--no-reload",
                "--interval",
                "0.2",
            ],
        }
        children = {name: subprocess.Popen(argv) for name, argv in commands.items()}
        model = get_provider().label
        self.stdout.write(f"Iterum on http://{host}:{port}/ with one worker ({model}).")
        self.stdout.write("Press Ctrl-C to stop both.")

        def stop(*_: object) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(child.poll() is None for child in children.values()):
                time.sleep(0.5)
            time.sleep(0.5)  # on Ctrl-C every process got SIGINT; let ours arrive first
            for name, child in children.items():
                if child.returncode not in (None, 0, -signal.SIGINT, -signal.SIGTERM):
                    self.stderr.write(f"The {name} exited with code {child.returncode}.")
            self.stdout.write("Stopping...")
        except KeyboardInterrupt:
            self.stdout.write("Stopping...")
        finally:
            for child in children.values():
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            for child in children.values():
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
