"""Which part of a page an htmx request gets back (the django-htmx patterns' way): a view
returns the whole page as a TemplateResponse, and `htmx_fragment` narrows it to the
partial (`{% partialdef %}`) named after the element the request will replace."""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.cache import patch_vary_headers


def htmx_fragment(*targets: str, otherwise: str | None = None) -> Callable:
    """An htmx request whose target is one of `targets` gets that partial of the page; any
    other htmx request gets the `otherwise` partial (or the whole page); a plain request
    the whole page. Responses vary on the htmx headers, so no cache mixes them up."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if isinstance(response, TemplateResponse):
                if request.htmx:
                    target = request.htmx.target
                    part = target if target in targets else otherwise
                    if part is not None:
                        response.template_name = f"{response.template_name}#{part}"
                patch_vary_headers(response, ("HX-Request", "HX-Target"))
            return response

        return wrapped

    return decorator
