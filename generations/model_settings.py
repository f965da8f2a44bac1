"""The language model as the settings choose it: which provider answers and how hard each
call tries. (Importing this loads the providers' SDKs, which takes seconds: what a page or
a model needs without a model call lives elsewhere, as generations.pricing.)"""

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
