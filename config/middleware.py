"""Our middleware: login redirects for htmx, and readable answers to bodies that are too
large (413, naming the limit) or malformed (400)."""

from dataclasses import dataclass

from asgiref.sync import iscoroutinefunction, sync_to_async
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.decorators import sync_and_async_middleware
from django_htmx.http import HttpResponseClientRedirect

from generations.api.errors import error_body
from generations.request_values import safe_next, whole_number


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


@dataclass(frozen=True)
class BodyProblem:
    status: int
    detail: str
    limit: str | None = None  # the setting that bounds it
    limit_bytes: int | None = None

    def json(self) -> dict:
        """The API's error shape (generations.api.errors)."""
        return error_body(self.status, self.detail, limit=self.limit, limit_bytes=self.limit_bytes)


def too_large(limit: str, what: str = "What you sent") -> BodyProblem:
    size = getattr(settings, limit)
    return BodyProblem(
        413,
        f"{what} is larger than {size:,} bytes ({limit}), the most one request may carry, "
        "so nothing was saved. Send less at once (several requests), or large files as "
        "uploads.",
        limit,
        size,
    )


# Bodies read as a stream by their view, with limits of their own (git's packs).
STREAMED_TYPES = ("application/x-git-",)


def _body_problem(request: HttpRequest) -> BodyProblem | None:
    """Why the request's body cannot be taken, if it cannot: too large (413, naming the
    limit) or unreadable (400). A form is parsed here, once, for everything after."""
    if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
        return None
    content_type = request.content_type or ""
    if content_type.startswith(STREAMED_TYPES):
        return None
    length = whole_number(request.META.get("CONTENT_LENGTH") or "0")
    if length is None:  # not a number, or one of more than 18 digits
        length = settings.REQUEST_MAX_BYTES + settings.IMPORT_MAX_ARCHIVE_BYTES + 1
    if content_type == "multipart/form-data":
        # Files count apart from the form's fields (FILE_MAX_BYTES each, archives more).
        if length > settings.REQUEST_MAX_BYTES + settings.IMPORT_MAX_ARCHIVE_BYTES:
            return too_large("IMPORT_MAX_ARCHIVE_BYTES")
    elif length > settings.REQUEST_MAX_BYTES:
        return too_large("REQUEST_MAX_BYTES")
    if request.method != "POST":
        return None
    try:
        request.POST  # noqa: B018 - parsed here, once, for everything after
    except RequestDataTooBig:
        return too_large("REQUEST_MAX_BYTES")
    except (TooManyFieldsSent, TooManyFilesSent):
        return BodyProblem(400, "What you sent has too many fields or files, so nothing was saved.")
    except MultiPartParserError:
        return BodyProblem(
            400, "What you sent could not be read as a form, so nothing was saved. Try again."
        )
    return None


def wants_a_page(request: HttpRequest) -> bool:
    """A browser's own navigation (a form posted without htmx), not a program or the API."""
    if request.path.startswith("/api/") or request.headers.get("HX-Request"):
        return False
    return "text/html" in request.headers.get("Accept", "")


def _answer(request: HttpRequest, problem: BodyProblem) -> HttpResponse:
    """JSON for programs, the API and htmx; a page (same status, same words) for browsers."""
    if not wants_a_page(request):
        return JsonResponse(problem.json(), status=problem.status)
    back = safe_next(request, request.headers.get("Referer")) or reverse("generation-list")
    context = {"problem": problem, "back": back}
    return render(request, "body_refused.html", context, status=problem.status)


@sync_and_async_middleware
def readable_request_body(get_response):
    """A body over its limit gets a 413 that names the limit, a malformed one a 400 that
    says so, as JSON or as a page, before any view or Django's bare 400 page sees it. It
    must run after sessions and messages."""

    if iscoroutinefunction(get_response):

        async def middleware(request: HttpRequest) -> HttpResponse:
            if problem := await sync_to_async(_body_problem)(request):
                return await sync_to_async(_answer)(request, problem)
            return await get_response(request)

    else:

        def middleware(request: HttpRequest) -> HttpResponse:
            if problem := _body_problem(request):
                return _answer(request, problem)
            return get_response(request)

    return middleware
