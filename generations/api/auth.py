"""Who is calling: an API token in the Authorization header (or, through django-ninja's
django_auth, the page's session with CSRF)."""

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer

from generations.models import ApiToken
from generations.tokens import authenticate


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        found = authenticate(token)
        if found is None:
            return None
        if found.scope == ApiToken.Scope.READ and request.method not in ("GET", "HEAD", "OPTIONS"):
            raise HttpError(403, "This token may only read (its scope is read).")
        request.user = found.user
        request.api_token = found
        return found.user


def token_of(request: HttpRequest) -> ApiToken | None:
    """The API token the request came with (None for a session): runs started with it are
    rate limited and recorded as its."""
    return getattr(request, "api_token", None)


def caller(request: HttpRequest) -> dict:
    """Who asks for a run, for its limits and its record: the API token, else the session."""
    token = token_of(request)
    return {"api_token": token, "api_session": token is None}
