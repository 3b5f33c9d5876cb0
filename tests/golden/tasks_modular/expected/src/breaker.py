"""The circuit breaker toward the backend: after CIRCUIT_FAILURE_THRESHOLD failed attempts in a row, calls
fail fast for CIRCUIT_RECOVERY_SECONDS instead of piling onto a backend that is down; then one probe call is
let through (half-open), and its success closes the circuit again.

A failure is what says the backend itself is down: no connection, no answer in time, or 502/503/504. A 4xx is
a healthy backend refusing a request, and resets the count like a success. Another 5xx (a 500) may come from
one caller's data only: it neither counts nor resets, so one tenant's failing calls cannot open the circuit
for the others, nor keep it open by probing. The state is per process: each replica judges the backend from
its own calls.
"""

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Literal

from .metrics import CIRCUIT_OPENED, CIRCUIT_REJECTIONS, CIRCUIT_STATE, tool_label
from .schemas.errors import BackendError

State = Literal["closed", "open", "half_open"]
_GAUGE: dict[State, int] = {"closed": 0, "half_open": 1, "open": 2}


class CircuitBreaker:
    """Counts consecutive failed backend attempts; `failure_threshold` 0 turns it off."""

    def __init__(
        self,
        failure_threshold: int,
        recovery_seconds: float,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failure_threshold = failure_threshold
        self.recovery_seconds = recovery_seconds
        self.clock = clock
        self.failures = 0
        self._opened_at: float | None = None
        self._probing = False
        # Read at each scrape: open turns into half-open by the clock alone, with no call to notice it.
        CIRCUIT_STATE.set_function(lambda: _GAUGE[self.state])

    @property
    def state(self) -> State:
        if self._opened_at is None:
            return "closed"
        if self._probing or self.retry_in() == 0:
            return "half_open"
        return "open"

    def retry_in(self) -> float:
        """Seconds until a call may try the backend again; 0 when it may now."""
        if self._opened_at is None:
            return 0.0
        return max(0.0, round(self._opened_at + self.recovery_seconds - self.clock(), 3))

    def before_attempt(self, tool: str) -> bool:
        """Let an attempt through, or raise the backend_error that tells when the next try will be. True
        when the attempt is the probe of a half-open circuit."""
        if self._opened_at is None:
            return False
        wait = self.retry_in()
        if wait == 0 and not self._probing:
            self._probing = (
                True  # this attempt is the probe; the others keep failing fast until it ends
            )
            return True
        CIRCUIT_REJECTIONS.labels(tool_label(tool)).inc()
        # While a probe is out, the next try is as soon as it ends; a second is a fair guess.
        wait = wait or 1.0
        at = datetime.now(UTC) + timedelta(seconds=wait)
        raise BackendError(
            "backend_error",
            f"The backend failed {self.failure_threshold} times in a row, so this server is not calling it for "
            f"now; it will try again in {wait:g} seconds (at {at.isoformat(timespec='seconds')}).",
            retry_after=wait,
            details={"circuit": "open", "retry_at": at.isoformat(timespec="seconds")},
            hints=(
                "Nothing was sent to the backend. Wait details.retry_after seconds, then try again.",
                "If this persists, tell the user the backend service is unavailable.",
            ),
        )

    def record(self, failed: bool | None, *, probe: bool = False) -> None:
        """The outcome of an attempt `before_attempt` let through: True failed, False succeeded, None neither
        (it ended before the backend could answer, as when the call was cancelled)."""
        if probe:
            self._probing = False
        if failed is None:
            return
        if not failed:
            self.failures = 0
            self._opened_at = None
        else:
            self.failures += 1
            # Attempts already under way when the circuit opened do not push the next try further away.
            reached = self._opened_at is None and 0 < self.failure_threshold <= self.failures
            if probe or reached:
                self._opened_at = self.clock()
                CIRCUIT_OPENED.inc()
