"""The ASGI entry point: daphne serves this. It also starts this web process's event relay
and the reaper that fails versions whose worker died."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()

from generations.reaper import start_reaper  # noqa: E402 - needs Django set up first
from generations.relay import start_relay  # noqa: E402

start_relay()
start_reaper()
