"""Our middleware: WhiteNoise without a thread per request, and login redirects for htmx.

StaticFilesMiddleware: WhiteNoise's middleware is synchronous, so Django would run each
request's middleware in a thread kept for the request's whole life: with thousands of open
event streams, thousands of idle threads. This wrapper is asynchronous and hands only static
URLs to WhiteNoise.
"""

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.decorators import sync_and_async_middleware
from django_htmx.http import HttpResponseClientRedirect
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


@sync_and_async_middleware
def htmx_login_redirect(get_response):
    """An htmx request whose session has ended goes to the login page as a whole page.

    login_required answers with a redirect, which htmx would follow and swap the login form
    into a corner of the old page; HX-Redirect makes the browser navigate instead.
    """

    def convert(request: HttpRequest, response: HttpResponse) -> HttpResponse:
        login = resolve_url(settings.LOGIN_URL)
        if request.htmx and response.status_code == 302 and response.url.startswith(login):
            return HttpResponseClientRedirect(response.url)
        return response

    if iscoroutinefunction(get_response):

        async def middleware(request: HttpRequest) -> HttpResponse:
            return convert(request, await get_response(request))

    else:

        def middleware(request: HttpRequest) -> HttpResponse:
            return convert(request, get_response(request))

    return middleware
