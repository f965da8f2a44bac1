"""One run's model calls: retries with each wait announced, stall and wall-clock limits,
cancel checks on every chunk, streaming parse, and a log entry for every call."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from orchestrator.answers.stream import EditStreamParser
from orchestrator.errors import Cancelled, ModelAnswerInvalid, ModelUnavailable, PipelineError
from orchestrator.host import Host
from orchestrator.operations import Operation, Refusal
from orchestrator.options import RunOptions
from orchestrator.progress import CallProgress
from orchestrator.providers.base import ModelProvider, ModelRequest, Usage
from orchestrator.results import CallRecord
from orchestrator.stages import Reporter

REPORT_SECONDS = 0.5  # while the model streams, the bar moves at least this often
THINKING_SHOWN = 4000  # the live panel shows the newest characters of the model's thinking


@dataclass
class Answer:
    """What one model call gave: its operations, what could not be read, and whether it is
    complete."""

    text: str
    prose: list[str]
    operations: list[Operation]
    refusals: list[Refusal] = field(default_factory=list)
    planned: list[str] | None = None
    cut_off_in: str | None = None  # the file being written when the answer stopped
    hit_length_limit: bool = False
    # Operations the answer restates in another form: checked against the result, never
    # applied (orchestrator.answers.restatements).
    restatements: list[Operation] = field(default_factory=list)
    reasoning: str = ""  # the model's thinking, inline or sent apart: shown, never read


class Run:
    """One pipeline run: the provider, the host, the options, the reporter and the calls
    made."""

    def __init__(self, provider: ModelProvider, host: Host, flow: str, options: RunOptions) -> None:
        self.provider = provider
        self.host = host
        self.options = options
        self.reporter = Reporter(host.emit, flow=flow)
        self.calls: list[CallRecord] = []
        self.position: float | None = None  # where the current call has the bar

    @property
    def model_name(self) -> str:
        """Which model answers, as the messages say it: "gemini (gemini-2.5-flash)"."""
        return f"{self.provider.name} ({self.provider.model})"

    @property
    def streaming_stage(self) -> str:
        """The contract's name for the model streaming: Gemini's own, or the generic one."""
        return "gemini_processing" if self.provider.name == "gemini" else "model_progress"

    def chars_received(self) -> int:
        """Characters the run's finished calls received (retried attempts included)."""
        return sum(call.chars_out for call in self.calls)

    def stage(self, name: str, message: str | None = None, **extra: object) -> None:
        self.reporter.stage(name, message, **extra)

    def call(
        self,
        request: ModelRequest,
        *,
        span: tuple[float, float] = (0.0, 0.0),
        known_paths: Iterable[str] = (),
        on_operation: Callable[[Operation], None] | None = None,
        on_plan: Callable[[list[str]], None] | None = None,
    ) -> Answer:
        """One model call, retried on transient failures with each wait announced. While it
        streams it moves the bar through `span` by its share of the expected time."""
        started = self.options.clock()
        policy = self.options.retry
        known = frozenset(known_paths)
        attempt, waited = 1, 0.0
        while True:
            try:
                return self._attempt(request, started, known, span, on_operation, on_plan)
            except ModelUnavailable as error:
                # Real time already includes the waits; count them as well for injected sleeps.
                elapsed = max(self.options.clock() - started, waited)
                wait = policy.wait_before(attempt, error.retry_after, self.options.jitter())
                if attempt >= policy.attempts or elapsed + wait > policy.call_seconds:
                    raise PipelineError(
                        f"The model is unavailable ({error.reason}); tried {attempt} times over "
                        f"{elapsed:.0f} s. Nothing was saved: try again in a few minutes."
                    ) from error
                attempt += 1
                shown = f"{wait:.1f} s" if wait >= 1 else f"{wait * 1000:.0f} ms"
                self.stage(
                    "retrying",
                    f"The model is unavailable ({error.reason}); retrying in {shown} "
                    f"(attempt {attempt} of {policy.attempts})",
                    retry_in=round(wait, 3),
                    attempt=attempt,
                    reason=error.reason,
                )
                self._pause(wait)
                waited += wait

    def _pause(self, seconds: float) -> None:
        """Sleep in short steps, so a cancel during a backoff is noticed at once."""
        left = seconds
        while left > 0:
            if self.host.should_cancel():
                raise Cancelled()
            self.host.tick()
            step = min(left, 0.25)
            self.options.sleep(step)
            left -= step

    def _attempt(
        self,
        request: ModelRequest,
        call_started: float,
        known: frozenset[str],
        span: tuple[float, float],
        on_operation: Callable[[Operation], None] | None,
        on_plan: Callable[[list[str]], None] | None,
    ) -> Answer:
        started = last_data = last_report = self.options.clock()
        forecast = self.host.forecast(request.purpose, len(request.system + request.prompt))
        progress = CallProgress(forecast, started)
        self.position = self.reporter.span(*span, 0.0) if span[1] else None
        parser = EditStreamParser(known)
        text: list[str] = []
        thoughts: list[str] = []
        usage: Usage | None = None
        finish: str | None = None
        outcome, error_text = "error", ""
        planned_reported = False
        stream = self.provider.stream(request)

        def move(now: float) -> None:
            if span[1]:
                self.position = self.reporter.span(*span, progress.fraction(now))

        def take(done: list[Operation]) -> None:
            nonlocal planned_reported
            if parser.planned is not None and not planned_reported:
                planned_reported = True
                progress.plan(len(parser.planned))
                if on_plan:
                    on_plan(parser.planned)
            for operation in done:
                progress.file_done()
                move(self.options.clock())
                if on_operation:
                    on_operation(operation)

        def report(now: float) -> None:
            nonlocal last_report
            last_report = now
            move(now)
            # The run's count, not the call's: a plan, a fix round or a retry adds to what
            # the earlier calls received, so the figure never starts again from zero.
            tokens = (self.chars_received() + progress.chars) // 4
            waiting = progress.first_token is None
            thinking = "".join(thoughts + parser.reasoning)
            extra = {"thinking": thinking[-THINKING_SHOWN:]} if thinking.strip() else {}
            self.stage(
                self.streaming_stage,
                f"Waiting for {self.model_name} to answer..."
                if waiting
                else f"Receiving {self.model_name}'s answer: about {tokens:,} tokens so far",
                progress=self.position,
                tokens=tokens,
                call_tokens=progress.chars // 4,
                **extra,
            )

        try:
            for chunk in stream:
                now = self.options.clock()
                self.host.tick()
                if self.host.should_cancel():
                    outcome = "cancelled"
                    raise Cancelled()
                if now - call_started > self.options.retry.call_seconds:
                    raise PipelineError(
                        f"The model did not finish within {self.options.retry.call_seconds:.0f} s."
                        " Nothing was saved: ask for a smaller change or try again later."
                    )
                if now - last_report >= REPORT_SECONDS:
                    report(now)
                if chunk.tick:
                    if now - last_data > self.options.retry.stall_seconds:
                        raise ModelUnavailable(
                            f"it sent nothing for {self.options.retry.stall_seconds:.0f} s"
                        )
                    continue
                last_data = now
                if chunk.thought:
                    thoughts.append(chunk.thought)
                    progress.received(now, chunk.thought)
                text.append(chunk.text)
                progress.received(now, chunk.text)
                usage = chunk.usage or usage
                finish = chunk.finish_reason or finish
                take(parser.feed(chunk.text))
            if finish is None:
                raise ModelUnavailable("the answer stopped before the model finished")
            if finish not in ("STOP", "MAX_TOKENS"):
                raise ModelAnswerInvalid(
                    f"The model stopped for a reason other than finishing ({finish}). "
                    "Rephrase the request and try again."
                )
            take(
                parser.finish(
                    allow_open=True, complete=finish == "STOP", cut_off=finish == "MAX_TOKENS"
                )
            )
            outcome = "ok" if finish == "STOP" and parser.open_path is None else "truncated"
            return Answer(
                text="".join(text),
                prose=parser.prose,
                operations=list(parser.operations),
                refusals=list(parser.refusals),
                planned=parser.planned,
                cut_off_in=parser.open_path,
                hit_length_limit=finish == "MAX_TOKENS",
                restatements=list(parser.restatements),
                reasoning="".join(thoughts + parser.reasoning),
            )
        except ModelUnavailable as error:
            outcome, error_text = "unavailable", error.reason
            raise
        except PipelineError as error:
            outcome = "rejected" if outcome == "error" else outcome
            error_text = error.message
            raise
        except Cancelled:
            outcome = "cancelled"
            raise
        finally:
            stream.close()  # closes the model's connection when we stop early
            first = progress.first_token - started if progress.first_token is not None else None
            seconds = self.options.clock() - started
            self._log(request, usage, outcome, error_text, seconds, text, first, parser)

    def _log(
        self,
        request: ModelRequest,
        usage: Usage | None,
        outcome: str,
        error: str,
        seconds: float,
        text: list[str],
        first_token_seconds: float | None,
        parser: EditStreamParser,
    ) -> None:
        received = "".join(text)
        if usage is None and (received or outcome == "cancelled"):
            # Stopped before the model reported usage: estimate what it will have billed. A
            # cancelled call's prompt was being read even if nothing came back yet; a call
            # refused (429, 503) or dropped before any answer was not billed.
            usage = Usage(len(request.system + request.prompt) // 4, len(received) // 4, True)
        usage = usage or Usage(0, 0)
        call = CallRecord(
            purpose=request.purpose,
            provider=self.provider.name,
            model=self.provider.model,
            tokens_in=usage.tokens_in,
            tokens_out=usage.tokens_out,
            latency_seconds=round(seconds, 3),
            outcome=outcome,
            tokens_estimated=usage.estimated,
            tokens_thinking=usage.tokens_thinking,
            error=error[:500],
            first_token_seconds=None
            if first_token_seconds is None
            else round(first_token_seconds, 3),
            chars_out=len(received),
            files_out=len(parser.operations),
        )
        self.calls.append(call)
        self.host.log_call(call)
