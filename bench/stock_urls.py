"""Iterum's URLs plus django-eventstream's own stream view, for the stock comparison."""

from django.urls import include, path

urlpatterns = [
    path(
        "stock/<str:channel>/events/",
        include("django_eventstream.urls"),
        {"format-channels": ["{channel}"]},
    ),
    path("", include("config.urls")),
]
