from django.http import HttpRequest

from generations.model_settings import get_provider


def model_provider(request: HttpRequest) -> dict:
    provider = get_provider()
    return {"model_label": provider.label, "model_is_demo": provider.name == "demo"}
