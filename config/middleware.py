"""WhiteNoise for static files, without making every request pass through a thread.

WhiteNoise's middleware is synchronous, so Django runs each request's middleware in a
thread kept for the request's whole life: with thousands of open event streams, thousands
of idle threads. This wrapper is asynchronous and hands only static URLs to WhiteNoise.
"""

from asgiref.sync import markcoroutinefunction, sync_to_async
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from whitenoise.middleware import WhiteNoiseMiddleware


class StaticFilesMiddleware:
    async_capable = True
    sync_capable = False

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        markcoroutinefunction(self)  # so the middleware above awaits this one
        # Asked only about static URLs; None means "not a file of mine".
        self.whitenoise = WhiteNoiseMiddleware(lambda request: None)
        self.prefix = "/" + settings.STATIC_URL.lstrip("/")

    async def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(self.prefix):
            response = await sync_to_async(self.whitenoise, thread_sensitive=False)(request)
            if response is not None:
                return response
        return await self.get_response(request)
