"""How the API says no: a form's errors as 422 (as pydantic's look), a refused action as
409 with the reason, too many runs as 429 with Retry-After."""

from django import forms
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from generations.refusals import ActionRefused
from generations.runs.limits import RateLimited


def validated(form: forms.Form) -> dict:
    """The form's cleaned data, or a 422 with its field errors."""
    if form.is_valid():
        return form.cleaned_data
    errors = [
        {"loc": ["body", "payload", field if field != "__all__" else "body"], "msg": message}
        for field, messages in form.errors.items()
        for message in messages
    ]
    raise NinjaValidationError(errors)


class RateLimitedError(HttpError):
    def __init__(self, refusal: RateLimited) -> None:
        super().__init__(429, str(refusal))
        self.retry_after = refusal.retry_after


def refused(refusal: ActionRefused) -> HttpError:
    """The HTTP error for an action's refusal."""
    if isinstance(refusal, RateLimited):
        return RateLimitedError(refusal)
    return HttpError(409, str(refusal))


def register_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(RateLimitedError)
    def rate_limited(request, error: RateLimitedError):
        response = api.create_response(request, {"detail": error.message}, status=429)
        response["Retry-After"] = str(error.retry_after)
        return response
