"""A fake model server speaking Gemini's and OpenAI's streaming wire formats.

Each request takes the next behaviour from a script (or the default): a streamed reply that
can stall, break off or send an error frame midway, or an HTTP error. The server records
every request and notices when a client hangs up mid-stream.
"""

import json
import select
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    chunks: list[str]
    finish_reason: str = "STOP"
    # Tokens in and out as the model reports them; None: about a token per four characters
    # of the request and of the answer, as a real model would count them.
    usage: tuple[int, int] | None = (11, 22)
    delay: float = 0.0  # seconds between chunks
    error_after: int | None = None  # after N chunks: an error frame (Gemini) or a cut (OpenAI)
    stall_after: int | None = None  # after N chunks: send nothing more for stall_seconds
    stall_seconds: float = 30.0
    # Reasoning sent apart, before the answer: Gemini's thought parts, or the delta field
    # of an OpenAI-compatible server ("reasoning_content" as DeepSeek and older vLLM, or
    # "reasoning" as vLLM now), with the thinking tokens counted in the usage.
    thoughts: list[str] = field(default_factory=list)
    reasoning_field: str = "reasoning_content"
    thinking_tokens: int = 0

    @classmethod
    def of(cls, text: str, size: int = 40, **options) -> "Reply":
        return cls([text[i : i + size] for i in range(0, len(text), size)] or [""], **options)


@dataclass
class Failure:
    status: int
    message: str = "try again later"
    status_text: str = "UNAVAILABLE"


@dataclass
class Seen:
    path: str
    body: dict


@dataclass
class FakeModelServer:
    default: Reply | Failure = field(default_factory=lambda: Reply(["OK"]))
    script: deque = field(default_factory=deque)
    seen: list[Seen] = field(default_factory=list)
    disconnects: int = 0
    stalls: int = 0  # streams that reached their stall (their first chunks were sent)

    def reset(self) -> None:
        self.default = Reply(["OK"])
        self.script.clear()
        self.seen.clear()
        self.disconnects = 0
        self.stalls = 0

    def push(self, *behaviours: Reply | Failure) -> None:
        self.script.extend(behaviours)

    def next_behaviour(self) -> Reply | Failure:
        return self.script.popleft() if self.script else self.default

    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(
                    self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}"
                )
                fake.seen.append(Seen(self.path, body))
                behaviour = fake.next_behaviour()
                openai = self.path.endswith("/chat/completions")
                if isinstance(behaviour, Failure):
                    return self.fail(behaviour, openai)
                if behaviour.usage is None:
                    counted = (len(json.dumps(body)) // 4, len("".join(behaviour.chunks)) // 4)
                    behaviour = replace(behaviour, usage=counted)
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    self.stream(behaviour, openai)
                except (BrokenPipeError, ConnectionResetError):
                    fake.disconnects += 1
                self.close_connection = True

            def fail(self, failure: Failure, openai: bool) -> None:
                if openai:
                    payload = {
                        "error": {
                            "message": failure.message,
                            "type": failure.status_text,
                            "code": failure.status,
                        }
                    }
                else:
                    payload = {
                        "error": {
                            "code": failure.status,
                            "message": failure.message,
                            "status": failure.status_text,
                        }
                    }
                data = json.dumps(payload).encode()
                self.send_response(failure.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def frame(self, payload: dict | str) -> None:
                data = payload if isinstance(payload, str) else json.dumps(payload)
                self.wfile.write(f"data: {data}\n\n".encode())
                self.wfile.flush()

            def hung_up(self, seconds: float) -> bool:
                """Wait up to `seconds`; True as soon as the client closes the connection."""
                deadline = time.monotonic() + seconds
                while True:
                    left = deadline - time.monotonic()
                    readable, _, _ = select.select(
                        [self.connection], [], [], max(0.0, min(left, 0.05))
                    )
                    if readable and self.connection.recv(1, socket.MSG_PEEK) == b"":
                        fake.disconnects += 1
                        return True
                    if left <= 0:
                        return False

            def stream(self, reply: Reply, openai: bool) -> None:
                for thought in reply.thoughts:
                    self.frame(self.thought(thought, reply, openai))
                last = len(reply.chunks) - 1
                for index, text in enumerate(reply.chunks):
                    if reply.stall_after == index:
                        fake.stalls += 1
                        if self.hung_up(reply.stall_seconds):
                            return
                    if reply.error_after == index:
                        if openai:
                            return  # OpenAI-compatible servers just cut the stream
                        self.frame(
                            {
                                "error": {
                                    "code": 500,
                                    "message": "internal error",
                                    "status": "INTERNAL",
                                }
                            }
                        )
                        return
                    if reply.delay and self.hung_up(reply.delay):
                        return
                    self.frame(self.chunk(text, reply if index == last else None, openai))
                if openai:
                    self.frame(
                        {
                            "id": "c",
                            "object": "chat.completion.chunk",
                            "choices": [],
                            "usage": {
                                "prompt_tokens": reply.usage[0],
                                "completion_tokens": reply.usage[1] + reply.thinking_tokens,
                                "total_tokens": sum(reply.usage) + reply.thinking_tokens,
                                "completion_tokens_details": {
                                    "reasoning_tokens": reply.thinking_tokens
                                },
                            },
                        }
                    )
                    self.frame("[DONE]")

            def thought(self, text: str, reply: Reply, openai: bool) -> dict:
                if openai:
                    delta = {"role": "assistant", "content": None, reply.reasoning_field: text}
                    return {
                        "id": "c",
                        "object": "chat.completion.chunk",
                        "created": 0,
                        "model": "fake",
                        "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
                    }
                part = {"text": text, "thought": True}
                candidate = {"content": {"role": "model", "parts": [part]}, "index": 0}
                return {"candidates": [candidate], "modelVersion": "fake"}

            def chunk(self, text: str, final: Reply | None, openai: bool) -> dict:
                if openai:
                    finish = (
                        {"STOP": "stop", "MAX_TOKENS": "length"}.get(final.finish_reason)
                        if final
                        else None
                    )
                    return {
                        "id": "c",
                        "object": "chat.completion.chunk",
                        "created": 0,
                        "model": "fake",
                        "choices": [
                            {"index": 0, "delta": {"content": text}, "finish_reason": finish}
                        ],
                    }
                candidate = {"content": {"role": "model", "parts": [{"text": text}]}, "index": 0}
                payload = {"candidates": [candidate], "modelVersion": "fake"}
                if final:
                    candidate["finishReason"] = final.finish_reason
                    payload["usageMetadata"] = {
                        "promptTokenCount": final.usage[0],
                        "candidatesTokenCount": final.usage[1],
                        "totalTokenCount": sum(final.usage) + final.thinking_tokens,
                    }
                    if final.thinking_tokens:
                        payload["usageMetadata"]["thoughtsTokenCount"] = final.thinking_tokens
                return payload

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
