"""Whom the API sees: the user and the token of the request."""

from ninja import Field, Router, Schema

from generations.api.auth import token_of
from generations.api.errors import responses

router = Router(tags=["account"])


class MeOut(Schema):
    username: str
    token: str | None = Field(description="The API token's name; null for a login session")


@router.get(
    "/me",
    response=responses({200: MeOut}),
    summary="Who is calling",
    operation_id="whoAmI",
)
def me(request):
    """The user the API token (or login session) belongs to, and the token's name."""
    token = token_of(request)
    return {"username": request.user.username, "token": token.name if token else None}
