"""Whom the API sees: the user and the token of the request."""

from ninja import Router

from generations.api.auth import token_of

router = Router(tags=["account"])


@router.get("/me", summary="Who the token or session belongs to")
def me(request):
    token = token_of(request)
    return {"username": request.user.username, "token": token.name if token else None}
