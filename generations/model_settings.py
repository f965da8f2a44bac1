"""The language model as the settings choose it: which provider answers and how hard each
call tries."""

from django.conf import settings

from orchestrator.options import RetryPolicy
from orchestrator.providers.base import ModelProvider
from orchestrator.providers.demo import DemoProvider


def get_provider() -> ModelProvider:
    """The provider MODEL_PROVIDER names. Each SDK takes seconds to import, so only the
    chosen one's is loaded, when it is first asked for: with the demo model, neither."""
    if settings.MODEL_PROVIDER == "gemini":
        from orchestrator.providers.gemini import GeminiProvider

        return GeminiProvider(
            api_key=settings.GEMINI_API_KEY,
            model=settings.GEMINI_MODEL,
            base_url=settings.GEMINI_BASE_URL,
            api_version=settings.GEMINI_API_VERSION,
            include_thoughts=settings.GEMINI_INCLUDE_THOUGHTS,
            read_timeout=settings.MODEL_READ_TIMEOUT,
            max_output_tokens=settings.MODEL_MAX_OUTPUT_TOKENS,
        )
    if settings.MODEL_PROVIDER == "openai":
        from orchestrator.providers.openai_compatible import OpenAICompatibleProvider

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
