"""The provider interface: a request in, a stream of text chunks out.

Real providers build their HTTP call from `system` and `prompt`. The offline demo model
reads the structured `brief` instead, since it has no language understanding to spend.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Usage:
    tokens_in: int
    tokens_out: int  # the answer and the thinking, as the provider bills them
    estimated: bool = False
    tokens_thinking: int = 0  # of tokens_out, those the model spent thinking


@dataclass(frozen=True)
class StreamChunk:
    text: str
    usage: Usage | None = None  # usually only on the last chunk
    finish_reason: str | None = None  # STOP, MAX_TOKENS, ... on the last chunk
    tick: bool = False  # no data: the stream is waiting, the caller may check the clock
    # The model's reasoning, when the API sends it apart from the answer (Gemini's thought
    # parts, the reasoning field of OpenAI-compatible servers): shown, never read.
    thought: str = ""


TICK = StreamChunk("", tick=True)


@dataclass(frozen=True)
class ModelRequest:
    purpose: str  # plan, generate, iterate, repair, regenerate
    system: str
    prompt: str
    brief: dict = field(default_factory=dict)
    json_schema: dict | None = None  # ask for JSON of this shape (the plan)


class ModelProvider(Protocol):
    name: str  # short id such as "demo" or "gemini"
    model: str
    label: str  # what the UI says about it

    def stream(self, request: ModelRequest) -> Iterator[StreamChunk]:
        """Yield the answer in chunks, and ticks while waiting. Closing it closes the
        connection. Raises ModelUnavailable (worth retrying) or ModelRejected."""
        ...
