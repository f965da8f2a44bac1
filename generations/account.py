"""The account page: a user's API tokens, made (shown once), listed and revoked."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from generations.forms import TextField
from generations.models import ApiToken
from generations.tokens import create_token, revoke_token


class TokenForm(forms.Form):
    name = TextField(max_length=100, help_text='What it is for, such as "CI" or "laptop".')
    scope = forms.ChoiceField(
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.FULL,
        required=False,
        help_text="A read-only token can clone, fetch and read the API, never change anything.",
    )


@require_http_methods(["GET", "POST"])
@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        scope = data["scope"] or ApiToken.Scope.FULL
        _, created = create_token(user=request.user, name=data["name"], scope=scope)
        form = TokenForm()
    context = {"form": form, "tokens": request.user.api_tokens.all(), "created": created}
    return render(request, "account/tokens.html", context, status=400 if form.errors else 200)


@require_POST
@login_required
def revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(request.user.api_tokens, pk=token_id)
    revoke_token(token)
    messages.success(
        request, f"The token “{token.name}” is revoked; programs using it are refused."
    )
    return redirect("account-tokens")
