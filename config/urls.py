from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from generations import account
from generations.api import api
from generations.git import http as git_http
from generations.views import LogoutWithMessage

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="generation-list"), name="home"),
    path("accounts/logout/", LogoutWithMessage.as_view(), name="logout"),
    path("accounts/tokens/", account.tokens, name="account-tokens"),
    path("accounts/tokens/<int:token_id>/revoke/", account.revoke, name="account-token-revoke"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("generations/", include("generations.urls")),
    path("git/<uuid:generation_id>.git/info/refs", git_http.info_refs, name="git-info-refs"),
    path("git/<uuid:generation_id>.git/<str:name>", git_http.service, name="git-service"),
]
