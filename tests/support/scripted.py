"""A provider that plays scripted answers, one per call, for pipeline tests."""

from dataclasses import dataclass, field

from orchestrator.providers.base import StreamChunk, Usage


@dataclass
class ScriptedProvider:
    """Each answer is text (split into chunks, finished with STOP), a list of chunks, or an
    exception to raise. The last answer repeats when the script runs out."""

    answers: list
    chunk_size: int = 25
    name: str = "scripted"
    model: str = "script-1"
    label: str = "scripted"
    requests: list = field(default_factory=list)
    closed: int = 0

    def stream(self, request):
        self.requests.append(request)
        answer = self.answers[min(len(self.requests) - 1, len(self.answers) - 1)]
        return self._play(answer)

    def _play(self, answer):
        try:
            if isinstance(answer, Exception):
                raise answer
            if isinstance(answer, str):
                pieces = [
                    answer[i : i + self.chunk_size] for i in range(0, len(answer), self.chunk_size)
                ]
                answer = [StreamChunk(p) for p in pieces] + [
                    StreamChunk("", usage=Usage(10, len(answer) // 4), finish_reason="STOP")
                ]
            for chunk in answer:
                if isinstance(chunk, Exception):
                    raise chunk
                yield chunk
        finally:
            self.closed += 1
