"""How far a model call has got, as a share of the time it will take.

The bar is meant to tell the truth about time: at any moment its share of a call should be
the share of the call's time already spent. What is known while the call runs:

- before the first token, only the clock: the bar approaches the share the wait for the
  first token usually takes, and never reaches it;
- after it, the characters received against the characters expected. The expectation comes
  from similar earlier calls (CallForecast: same provider, model and purpose), and is
  corrected by the answer itself: once files of the PLAN are finished, characters per
  finished file times planned files is a better guess than history;
- the clock again, so a pause in the stream never freezes the bar: time may lead the
  characters by a little, never by much.

Characters, not tokens, are counted on both sides, so history and the live count agree.
Without history a modest default is assumed; the bar is then less exact, never frozen.
"""

import math
from dataclasses import dataclass

TIME_LEAD = 0.05  # how far the clock may carry the bar beyond what has arrived
CEILING = 0.985  # a call is never shown as done before it is


@dataclass(frozen=True)
class CallForecast:
    """What similar earlier calls took (medians)."""

    first_token_seconds: float
    chars_out: float
    chars_per_second: float

    @property
    def seconds(self) -> float:
        return self.first_token_seconds + self.chars_out / self.chars_per_second


DEFAULT_FORECAST = CallForecast(first_token_seconds=2.0, chars_out=6000, chars_per_second=300)


class CallProgress:
    """Follows one call; `fraction(now)` is the share of its time spent, from 0 up to 1."""

    def __init__(self, forecast: CallForecast | None, started: float) -> None:
        self.forecast = forecast or DEFAULT_FORECAST
        self.started = started
        self.first_token: float | None = None
        self.last_chunk = started
        self.chars = 0
        self.planned = 0
        self.finished = 0
        self.chars_at_last_file = 0

    def received(self, now: float, text: str) -> None:
        if not text:
            return
        if self.first_token is None:
            self.first_token = now
        self.chars += len(text)
        self.last_chunk = now

    def plan(self, files: int) -> None:
        self.planned = files

    def file_done(self) -> None:
        self.finished += 1
        self.chars_at_last_file = self.chars

    def expected_chars(self) -> float:
        """History's guess, corrected by the PLAN and the files finished so far."""
        expected = self.forecast.chars_out
        if self.planned and self.finished:
            # Trusted more with each finished file, wholly by half of the plan.
            from_files = self.chars_at_last_file / self.finished * self.planned
            weight = min(2 * self.finished / self.planned, 1.0)
            expected = expected * (1 - weight) + from_files * weight
        return max(expected, self.chars / CEILING, 1.0)

    def fraction(self, now: float) -> float:
        forecast = self.forecast
        waited = (self.first_token or now) - self.started
        rate = self._rate()
        stream_seconds = self.expected_chars() / rate
        if self.first_token is None:
            # Before the first token: approach the wait's usual share, never reaching it.
            share = forecast.first_token_seconds / (forecast.first_token_seconds + stream_seconds)
            return share * (1 - math.exp(-waited / forecast.first_token_seconds))
        total = waited + stream_seconds
        by_chars = (waited + self.chars / rate) / total
        by_clock = (now - self.started) / total
        return min(max(by_chars, min(by_clock, by_chars + TIME_LEAD)), CEILING)

    def _rate(self) -> float:
        """Characters per second: history's at first, then more and more what this stream
        has shown while it flowed (after three seconds of it, only that). A pause does not
        lower it: the clock covers pauses."""
        if self.first_token is None or self.last_chunk <= self.first_token:
            return self.forecast.chars_per_second
        streamed = self.last_chunk - self.first_token
        observed = self.chars / streamed
        weight = min(streamed / 3.0, 1.0)
        return weight * observed + (1 - weight) * self.forecast.chars_per_second
