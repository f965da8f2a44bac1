"""Google Gemini through the google-genai SDK, Google's current one (see the README)."""

from collections.abc import AsyncIterator

import httpx
import httpx2
from google import genai
from google.genai import errors, types

from orchestrator.errors import ModelRejected, ModelUnavailable
from orchestrator.providers.base import ModelRequest, StreamChunk, Usage
from orchestrator.providers.bridge import AsyncStream

RETRYABLE_STATUS = {408, 429, 500, 502, 503, 504}
TRANSPORT_ERRORS = (httpx.TransportError, httpx2.TransportError)


class GeminiProvider:
    name = "gemini"

    def __init__(
        self,
        *,
        api_key: str,
        model: str,
        base_url: str = "",
        api_version: str = "v1",
        read_timeout: float = 60.0,
        max_output_tokens: int = 32768,
        include_thoughts: bool = True,
    ) -> None:
        self.model = model
        self.label = f"Gemini ({model})"
        self._api_key = api_key
        self._http = types.HttpOptions(
            base_url=base_url or None,
            api_version=api_version,
            timeout=int(read_timeout * 1000),  # milliseconds; for a stream, between reads
        )
        self._max_output_tokens = max_output_tokens
        self._include_thoughts = include_thoughts

    def stream(self, request: ModelRequest) -> AsyncStream:
        return AsyncStream(lambda: self._chunks(request))

    def _config(self, request: ModelRequest) -> types.GenerateContentConfig:
        config = types.GenerateContentConfig(
            system_instruction=request.system,
            max_output_tokens=self._max_output_tokens,
            temperature=0.2,
        )
        if self._include_thoughts:
            # Thought summaries arrive as parts marked `thought`: shown folded, never read.
            config.thinking_config = types.ThinkingConfig(include_thoughts=True)
        if request.json_schema:
            config.response_mime_type = "application/json"
            config.response_json_schema = request.json_schema
        return config

    async def _chunks(self, request: ModelRequest) -> AsyncIterator[StreamChunk]:
        # One client per call: its async HTTP client belongs to this call's event loop.
        client = genai.Client(api_key=self._api_key, http_options=self._http)
        usage = None
        try:
            stream = await client.aio.models.generate_content_stream(
                model=self.model, contents=request.prompt, config=self._config(request)
            )
            async for response in stream:
                usage = response.usage_metadata or usage
                candidate = response.candidates[0] if response.candidates else None
                finish = candidate.finish_reason if candidate else None
                yield StreamChunk(
                    text=_text_of(candidate),
                    usage=_usage(usage) if finish else None,
                    finish_reason=finish.name if finish else None,
                    thought=_text_of(candidate, thought=True),
                )
        except errors.APIError as error:
            raise classify(error.code, error.status, error.message) from error
        except TRANSPORT_ERRORS as error:
            raise ModelUnavailable(f"the connection failed ({type(error).__name__})") from error
        finally:
            await client.aio.aclose()


def _text_of(candidate: types.Candidate | None, thought: bool = False) -> str:
    """The answer's text, or with `thought` the model's thought parts: never mixed."""
    if candidate is None or candidate.content is None or not candidate.content.parts:
        return ""
    return "".join(
        part.text or "" for part in candidate.content.parts if bool(part.thought) == thought
    )


def _usage(metadata: types.GenerateContentResponseUsageMetadata | None) -> Usage | None:
    if metadata is None:
        return None
    thinking = metadata.thoughts_token_count or 0
    return Usage(
        tokens_in=metadata.prompt_token_count or 0,
        tokens_out=(metadata.candidates_token_count or 0) + thinking,  # thoughts are billed
        tokens_thinking=thinking,
    )


def classify(code: int | None, status: str | None, message: str | None) -> Exception:
    """Turn an API error into one we retry or one we explain."""
    detail = f"{code} {status or ''}".strip()
    if code in RETRYABLE_STATUS or code is None:
        return ModelUnavailable(f"the API answered {detail}")
    if code in (401, 403):
        return ModelRejected(
            f"Gemini refused the API key ({detail}). Check GEMINI_API_KEY and its permissions."
        )
    if code == 404:
        return ModelRejected(f"Gemini does not know this model ({detail}). Check GEMINI_MODEL.")
    return ModelRejected(f"Gemini rejected the request ({detail}): {message or 'no details'}.")
