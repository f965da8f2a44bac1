"""The language model as the settings choose it: which provider answers, how hard each
call tries, and what its tokens cost."""

from django.conf import settings

from orchestrator.options import RetryPolicy
from orchestrator.providers.base import ModelProvider
from orchestrator.providers.demo import DemoProvider
from orchestrator.providers.gemini import GeminiProvider
from orchestrator.providers.openai_compatible import OpenAICompatibleProvider


def get_provider() -> ModelProvider:
    if settings.MODEL_PROVIDER == "gemini":
        return GeminiProvider(
            api_key=settings.GEMINI_API_KEY,
            model=settings.GEMINI_MODEL,
            base_url=settings.GEMINI_BASE_URL,
            api_version=settings.GEMINI_API_VERSION,
            read_timeout=settings.MODEL_READ_TIMEOUT,
            max_output_tokens=settings.MODEL_MAX_OUTPUT_TOKENS,
        )
    if settings.MODEL_PROVIDER == "openai":
        return OpenAICompatibleProvider(
            base_url=settings.OPENAI_BASE_URL,
            model=settings.OPENAI_MODEL,
            api_key=settings.OPENAI_API_KEY,
            read_timeout=settings.MODEL_READ_TIMEOUT,
            max_output_tokens=settings.MODEL_MAX_OUTPUT_TOKENS,
        )
    return DemoProvider(
        chunk_delay=settings.DEMO_MODEL_CHUNK_DELAY,
        first_token_delay=settings.DEMO_MODEL_FIRST_TOKEN_DELAY,
    )


def retry_policy() -> RetryPolicy:
    return RetryPolicy(
        attempts=settings.MODEL_MAX_ATTEMPTS,
        base_seconds=settings.MODEL_RETRY_BASE_SECONDS,
        max_seconds=settings.MODEL_RETRY_MAX_SECONDS,
        call_seconds=settings.MODEL_CALL_TIMEOUT,
        stall_seconds=settings.MODEL_STALL_SECONDS,
    )


def cost_of(model: str, tokens_in: int, tokens_out: int) -> float | None:
    """Dollars for these tokens at MODEL_PRICES, or None when the model has no price."""
    price = settings.MODEL_PRICES.get(model)
    if price is None:
        return None
    return (tokens_in * price[0] + tokens_out * price[1]) / 1_000_000
