"""Which model answers, from the settings."""

from django.conf import settings

from orchestrator.providers.base import ModelProvider
from orchestrator.providers.demo import DemoProvider


def get_provider() -> ModelProvider:
    return DemoProvider(chunk_delay=settings.DEMO_MODEL_CHUNK_DELAY)


def provider_label() -> str:
    return get_provider().label
