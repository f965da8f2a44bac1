"""Our middleware: login redirects for htmx, and readable answers to bodies that are too
large or malformed."""

from asgiref.sync import iscoroutinefunction, sync_to_async
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.decorators import sync_and_async_middleware
from django_htmx.http import HttpResponseClientRedirect

from generations.request_values import safe_next


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


def _unreadable_body(request: HttpRequest) -> str | None:
    """Read the posted form now; if it cannot be read, why, in words for the person."""
    if request.method != "POST":
        return None
    try:
        request.POST  # noqa: B018 - parsed here, once, for everything after
    except RequestDataTooBig:
        limit = settings.REQUEST_MAX_BYTES
        return (
            f"What you sent is larger than {limit:,} bytes, the most one request may carry, "
            "so nothing was saved. Shorten it, or upload large files as files."
        )
    except (TooManyFieldsSent, TooManyFilesSent):
        return "What you sent has too many fields or files, so nothing was saved."
    except MultiPartParserError:
        return "What you sent could not be read as a form, so nothing was saved. Try again."
    return None


def _back(request: HttpRequest, problem: str) -> HttpResponseRedirect:
    """The page the person came from (when it is on this site), with the problem shown."""
    messages.error(request, problem)
    page = safe_next(request, request.headers.get("Referer"))
    return redirect(page or reverse("generation-list"))


@sync_and_async_middleware
def readable_request_body(get_response):
    """A body over REQUEST_MAX_BYTES (or malformed) gets the form page back with a message,
    instead of Django's bare 400 page. It must run after sessions and messages."""

    if iscoroutinefunction(get_response):

        async def middleware(request: HttpRequest) -> HttpResponse:
            if problem := await sync_to_async(_unreadable_body)(request):
                return _back(request, problem)
            return await get_response(request)

    else:

        def middleware(request: HttpRequest) -> HttpResponse:
            if problem := _unreadable_body(request):
                return _back(request, problem)
            return get_response(request)

    return middleware
