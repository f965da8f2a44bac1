"""How the API says no, in one shape for every status (docs/api.md):

    {"detail": "what went wrong, for a person", "code": "not_found", "errors": [...]}

`errors` lists the fields at fault (a 422), each with `loc` and `msg`; a 413 adds `limit`
and `limit_bytes`, a 429 `retry_after` (and the Retry-After header), a 401 the
WWW-Authenticate header. A form's errors are 422, a refused action 409, a body over a limit
413, too many runs 429. Django's own answers under /api/ (an unknown path, a method not
allowed, a CSRF refusal) are turned into the same shape by `json_errors_under_api`.
"""

import json
import logging
from enum import StrEnum

from asgiref.sync import iscoroutinefunction
from django import forms
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.decorators import sync_and_async_middleware
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from generations.refusals import ActionRefused, InvalidInput, LimitExceeded
from generations.runs.limits import RateLimited

logger = logging.getLogger(__name__)
API_PREFIX = "/api/"
AUTHENTICATE = 'Bearer realm="iterum", charset="UTF-8"'


class ErrorCode(StrEnum):
    BAD_REQUEST = "bad_request"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_ACCEPTABLE = "not_acceptable"
    CONFLICT = "conflict"
    TOO_LARGE = "too_large"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    INVALID = "invalid"
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"


CODES = {
    400: ErrorCode.BAD_REQUEST,
    401: ErrorCode.UNAUTHORIZED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    406: ErrorCode.NOT_ACCEPTABLE,
    409: ErrorCode.CONFLICT,
    413: ErrorCode.TOO_LARGE,
    415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    422: ErrorCode.INVALID,
    429: ErrorCode.RATE_LIMITED,
}
WORDS = {
    400: "The request could not be read.",
    401: "Send an API token (Authorization: Bearer itm_...) or log in.",
    403: "You may not do that.",
    404: "Not found.",
    405: "This address does not take that method.",
    409: "That cannot be done now.",
    413: "What you sent is too large.",
    422: "Some fields are not valid.",
    429: "Too many requests; wait and try again.",
}


class FieldErrorOut(Schema):
    loc: list[str | int] = Field(description="Where: body, query or path, then the field")
    msg: str


class ErrorOut(Schema):
    """Every error under /api/ has this shape."""

    detail: str = Field(description="What went wrong, in words a person can act on")
    code: ErrorCode
    errors: list[FieldErrorOut] = Field(
        default_factory=list, description="The fields at fault (422)"
    )
    limit: str | None = Field(None, description="The setting that bounds it (413)")
    limit_bytes: int | None = Field(None, description="That limit's value in bytes (413)")
    retry_after: int | None = Field(None, description="Seconds to wait (429)")


def error_body(status: int, detail: str | None = None, **extra) -> dict:
    code = CODES.get(status, ErrorCode.SERVER_ERROR if status >= 500 else ErrorCode.BAD_REQUEST)
    body = {"detail": detail or WORDS.get(status, "Something went wrong."), "code": code}
    return body | {"errors": []} | {key: value for key, value in extra.items() if value is not None}


def error_response(status: int, detail: str | None = None, **extra) -> JsonResponse:
    response = JsonResponse(error_body(status, detail, **extra), status=status)
    if status == 401:
        response["WWW-Authenticate"] = AUTHENTICATE
    if (retry_after := extra.get("retry_after")) is not None:
        response["Retry-After"] = str(retry_after)
    return response


def validated(form: forms.Form) -> dict:
    """The form's cleaned data, or a 422 with its field errors."""
    if form.is_valid():
        return form.cleaned_data
    errors = [
        {"loc": ["body", field if field != "__all__" else "body"], "msg": message}
        for field, messages in form.errors.items()
        for message in messages
    ]
    raise NinjaValidationError(errors)


class RateLimitedError(HttpError):
    def __init__(self, refusal: RateLimited) -> None:
        super().__init__(429, str(refusal))
        self.retry_after = refusal.retry_after


class LimitError(HttpError):
    def __init__(self, refusal: LimitExceeded) -> None:
        super().__init__(413, str(refusal))
        self.limit = refusal.limit
        self.limit_bytes = refusal.limit_bytes


def refused(refusal: ActionRefused) -> HttpError:
    """The HTTP error for an action's refusal."""
    if isinstance(refusal, RateLimited):
        return RateLimitedError(refusal)
    if isinstance(refusal, LimitExceeded):
        return LimitError(refusal)
    if isinstance(refusal, InvalidInput):
        return HttpError(422, str(refusal))
    return HttpError(409, str(refusal))


def _summary(errors: list[dict]) -> str:
    """The field errors as one sentence: 'prompt: Field required; title: ...'."""
    parts = []
    for error in errors[:5]:
        where = [str(part) for part in error.get("loc", []) if part not in ("body", "payload")]
        parts.append(f"{'.'.join(where) or 'body'}: {error.get('msg', 'not valid')}")
    return "; ".join(parts) or WORDS[422]


def _field_errors(errors: list[dict]) -> list[dict]:
    return [
        {
            "loc": [part for part in error.get("loc", []) if part != "payload"],
            "msg": str(error.get("msg", "not valid")),
        }
        for error in errors
    ]


def register_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(RateLimitedError)
    def rate_limited(request, error: RateLimitedError):
        return error_response(429, error.message, retry_after=error.retry_after)

    @api.exception_handler(LimitError)
    def too_large(request, error: LimitError):
        return error_response(413, error.message, limit=error.limit, limit_bytes=error.limit_bytes)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, error: AuthenticationError):
        return error_response(401)

    @api.exception_handler(HttpError)
    def http_error(request, error: HttpError):
        return error_response(error.status_code, error.message)

    @api.exception_handler(NinjaValidationError)
    def invalid(request, error: NinjaValidationError):
        errors = _field_errors(error.errors)
        response = error_response(422, _summary(errors))
        body = json.loads(response.content) | {"errors": errors}
        return JsonResponse(body, status=422)

    @api.exception_handler(Http404)
    def not_found(request, error: Http404):
        return error_response(404)

    @api.exception_handler(Exception)
    def server_error(request, error: Exception):
        logger.exception("API error on %s %s", request.method, request.path)
        return error_response(500, "Something went wrong on the server; it has been logged.")


def _as_json(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if not request.path.startswith(API_PREFIX) or response.status_code < 400:
        return response
    if response.get("Content-Type", "").startswith("application/json"):
        return response
    converted = error_response(response.status_code)
    if allow := response.get("Allow"):
        converted["Allow"] = allow
    return converted


@sync_and_async_middleware
def json_errors_under_api(get_response):
    """Django's own error pages under /api/ (an unknown path, even with DEBUG, a method
    not allowed, a CSRF refusal) become the API's JSON error shape."""

    if iscoroutinefunction(get_response):

        async def middleware(request: HttpRequest) -> HttpResponse:
            return _as_json(request, await get_response(request))

    else:

        def middleware(request: HttpRequest) -> HttpResponse:
            return _as_json(request, get_response(request))

    return middleware


# Every operation may answer these: a body that cannot be read, no or a refused token, a
# read-only token writing (or a session without CSRF), another user's object or none, and
# parameters that do not validate.
EVERY_OPERATION = (400, 401, 403, 404, 422)


def responses(success: dict, *more: int) -> dict:
    """An operation's responses for the schema: its success, and the errors it may give
    (every operation's, and `more`: 409 refused, 413 too large, 429 too many runs)."""
    return success | {status: ErrorOut for status in sorted({*EVERY_OPERATION, *more})}
