"""How far a model call has got, as a share of the time it will take.

The bar is meant to tell the truth about time: at any moment its share of a call should be
the share of the call's time already spent. What is known while the call runs:

- before the first token, only the clock: the bar follows it through the share the wait
  for the first token usually takes (history's median, per provider, model and purpose),
  slowing near its end so that a longer wait never fills it;
- after it, the characters received against the characters expected. The expectation comes
  from similar earlier calls (CallForecast: same provider, model and purpose); once the
  answer's PLAN line names its files, it stays theirs if they wrote as many files, and is
  otherwise planned files times characters per file, each finished file making that figure
  more this answer's own;
- the clock again, so a pause in the stream never freezes the bar: time may lead the
  characters by a little, never by much.

Characters, not tokens, are counted on both sides, so history and the live count agree.
Without history a modest default is assumed; the bar is then less exact, never frozen.
"""

import statistics
from collections.abc import Iterable
from dataclasses import dataclass

TIME_LEAD = 0.05  # how far the clock may carry the bar beyond what has arrived
CEILING = 0.985  # what the estimate may reach before the call is done
LIMIT = 0.999  # what the bar may creep to while an answer runs longer than expected


# Before the first token the bar follows the clock up to this share of the usual wait (the
# history's median), then slows down: a wait longer than usual never fills the wait's share.
WAIT_KNEE = 0.8


def waiting_curve(x: float) -> float:
    """The share of the usual wait shown after `x` usual waits: x itself up to WAIT_KNEE,
    then on towards 1 (never reached) with no kink."""
    if x <= WAIT_KNEE:
        return max(x, 0.0)
    rest = 1 - WAIT_KNEE
    beyond = (x - WAIT_KNEE) / rest
    return WAIT_KNEE + rest * beyond / (1 + beyond)  # slope 1 at the knee, then 1/x


@dataclass(frozen=True)
class CallForecast:
    """What similar earlier calls took (medians)."""

    first_token_seconds: float
    chars_out: float
    chars_per_second: float
    chars_per_file: float = 1500.0
    files: float = 0.0  # how many files such answers wrote (0: unknown)

    @property
    def seconds(self) -> float:
        return self.first_token_seconds + self.chars_out / self.chars_per_second


DEFAULT_FORECAST = CallForecast(first_token_seconds=2.0, chars_out=6000, chars_per_second=300)


@dataclass(frozen=True)
class PastCall:
    """What one earlier call took: the history a forecast is made of."""

    first_token_seconds: float
    chars_out: int
    seconds: float
    prompt_chars: int
    files: int = 0


def forecast_from(history: Iterable[PastCall], prompt_chars: int) -> CallForecast | None:
    """Medians of earlier similar calls; the length scaled by this prompt's size against
    theirs (square root, within half and double). None without history."""
    calls = list(history)
    if not calls:
        return None
    first = statistics.median(c.first_token_seconds for c in calls)
    chars = statistics.median(c.chars_out for c in calls)
    rates = [
        c.chars_out / (c.seconds - c.first_token_seconds)
        for c in calls
        if c.seconds > c.first_token_seconds
    ]
    rate = statistics.median(rates) if rates else DEFAULT_FORECAST.chars_per_second
    usual = statistics.median(c.prompt_chars for c in calls)
    scale = min(max((prompt_chars / usual) ** 0.5, 0.5), 2.0) if usual else 1.0
    per_file = [c.chars_out / c.files for c in calls if c.files]
    return CallForecast(
        first_token_seconds=first,
        chars_out=chars * scale,
        chars_per_second=rate,
        chars_per_file=statistics.median(per_file) if per_file else 1500.0,
        files=statistics.median(c.files for c in calls if c.files) if per_file else 0.0,
    )


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
        self.shown = 0.0  # the last fraction given, and when
        self.shown_at = started

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
        """History's guess; once the PLAN is known, planned files times characters per
        file (history's, then more and more this answer's own). When the plan names as many
        files as similar answers wrote, it is one more of them: their length stands."""
        history = self.forecast.chars_out
        expected = history
        if self.planned:
            per_file = self.forecast.chars_per_file
            if self.finished:
                # Files vary in size: a few finished ones say little, many say much.
                weight = self.finished / (self.finished + 4)
                own = self.chars_at_last_file / self.finished
                per_file = weight * own + (1 - weight) * per_file
            # Finished files count at their real size; only the rest is estimated, the
            # file being written at least at the size it has already reached.
            remaining = max(self.planned - self.finished, 0)
            expected = self.chars_at_last_file + per_file * remaining
            if remaining:
                expected += max(self.chars - self.chars_at_last_file - per_file, 0)
            if self.planned == self.forecast.files:
                # One more answer like those: their length stands, unless this one has
                # outgrown it with files still to come (each at least half a usual one).
                unstarted = max(remaining - 1, 0)
                expected = max(history, self.chars + unstarted * self.forecast.chars_per_file / 2)
        return max(expected, self.chars / CEILING, 1.0)

    def fraction(self, now: float) -> float:
        """The share shown: the estimate, but at least a quarter of the expected pace onwards
        from what was shown. When the answer proves longer than forecast, the estimate stops
        short of the end and barely moves; the bar then creeps on: it never goes back and
        never stands still."""
        estimate = self.estimate(now)
        creep = self.shown  # before the first token, the wait's own curve moves the bar
        if self.first_token is not None:
            remaining = max((self.expected_chars() - self.chars) / self._rate(), 1.0)
            pace = (LIMIT - self.shown) * (now - self.shown_at) / (4 * remaining)
            creep = min(self.shown + pace, LIMIT)
        self.shown, self.shown_at = max(estimate, creep, self.shown), now
        return self.shown

    def estimate(self, now: float) -> float:
        forecast = self.forecast
        waited = (self.first_token or now) - self.started
        rate = self._rate()
        stream_seconds = self.expected_chars() / rate
        if self.first_token is None:
            # Before the first token: the wait's usual share, at the clock's pace while the
            # wait is within what history knows, then approaching it without reaching it.
            share = forecast.first_token_seconds / (forecast.first_token_seconds + stream_seconds)
            return share * waiting_curve(waited / forecast.first_token_seconds)
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
