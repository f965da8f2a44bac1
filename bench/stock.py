"""Settings for the stock django-eventstream setup that `make bench-events` compares with.

The library's own view serves the streams (bench/stock_urls.py) and its own Redis listener
carries events between processes, its documented cross-process setup. Everything else is
Iterum's.
"""

from redis.connection import parse_url

from config.settings import *  # noqa: F403 - these settings, plus what differs below
from config.settings import REDIS_URL

# redis.Redis keyword arguments, as the library wants them.
EVENTSTREAM_REDIS = parse_url(REDIS_URL)
ROOT_URLCONF = "bench.stock_urls"
