"""Any OpenAI-compatible chat-completions server (Ollama, vLLM, llama.cpp's server)."""

from collections.abc import AsyncIterator

import openai

from orchestrator.errors import ModelRejected, ModelUnavailable
from orchestrator.providers.base import ModelRequest, StreamChunk, Usage
from orchestrator.providers.bridge import AsyncStream
from orchestrator.providers.gemini import RETRYABLE_STATUS

FINISH_REASONS = {"stop": "STOP", "length": "MAX_TOKENS", "content_filter": "SAFETY"}


class OpenAICompatibleProvider:
    name = "openai"

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str = "",
        read_timeout: float = 60.0,
        max_output_tokens: int = 32768,
    ) -> None:
        self.model = model
        self.label = f"{model} at {base_url}"
        self._base_url = base_url
        self._api_key = api_key or "not-needed"  # local servers ignore it; the SDK wants one
        self._read_timeout = read_timeout
        self._max_output_tokens = max_output_tokens

    def stream(self, request: ModelRequest) -> AsyncStream:
        return AsyncStream(lambda: self._chunks(request))

    async def _chunks(self, request: ModelRequest) -> AsyncIterator[StreamChunk]:
        client = openai.AsyncOpenAI(
            base_url=self._base_url,
            api_key=self._api_key,
            timeout=openai.Timeout(self._read_timeout, connect=10.0),
            max_retries=0,  # retries are the pipeline's, so each wait can be announced
        )
        finish = None
        try:
            stream = await client.chat.completions.create(
                model=self.model,
                messages=[
                    {"role": "system", "content": request.system},
                    {"role": "user", "content": request.prompt},
                ],
                max_tokens=self._max_output_tokens,
                temperature=0.2,
                stream=True,
                stream_options={"include_usage": True},
            )
            async for chunk in stream:
                if chunk.choices:
                    choice = chunk.choices[0]
                    finish = FINISH_REASONS.get(choice.finish_reason or "", finish)
                    yield StreamChunk(
                        text=choice.delta.content or "", thought=_thought(choice.delta)
                    )
                if chunk.usage:
                    details = chunk.usage.completion_tokens_details
                    thinking = (details.reasoning_tokens or 0) if details else 0
                    usage = Usage(
                        chunk.usage.prompt_tokens, chunk.usage.completion_tokens, False, thinking
                    )
                    yield StreamChunk("", usage=usage, finish_reason=finish or "STOP")
                    finish = None
            if finish:  # a server that sends no usage chunk
                yield StreamChunk("", finish_reason=finish)
        except openai.APIStatusError as error:
            raise classify(error.status_code, error.message) from error
        except (openai.APIConnectionError, openai.APITimeoutError) as error:
            raise ModelUnavailable(f"the connection failed ({type(error).__name__})") from error
        finally:
            await client.close()


def _thought(delta: object) -> str:
    """The reasoning a server sends beside the answer: `reasoning_content` (DeepSeek,
    vLLM before 0.10, llama.cpp) or `reasoning` (vLLM now, Ollama's compatible API)."""
    extra = getattr(delta, "model_extra", None) or {}
    for name in ("reasoning_content", "reasoning"):
        value = getattr(delta, name, None) or extra.get(name)
        if isinstance(value, str) and value:
            return value
    return ""


def classify(status: int, message: str) -> Exception:
    if status in RETRYABLE_STATUS:
        return ModelUnavailable(f"the server answered {status}")
    if status in (401, 403):
        return ModelRejected(
            f"The model server refused the API key ({status}). Check OPENAI_API_KEY."
        )
    if status == 404:
        return ModelRejected(
            f"The model server does not know this model ({status}). Check OPENAI_MODEL."
        )
    return ModelRejected(f"The model server rejected the request ({status}): {message}.")
