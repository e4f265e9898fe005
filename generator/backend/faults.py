"""Parse fault specs and count attempts per key, so faults can hit only the first N attempts.

A spec is a script of steps, given per request in the `x-cardgen-fault` header or for the
whole server with `--faults` (the header wins)::

    spec   := "none" | step ("," step)*
    step   := kind (";" param)*
    kind   := STATUS | "slow" | "cut" | "malformed"
    param  := "retry-after=" SECONDS | "retry-after-ms=" MILLISECONDS | "should-retry=" ("0" | "1")
            | "ms=" MILLISECONDS | "times=" N

STATUS is any HTTP error status (e.g. 429, 500, 503, 406 for Segmind's "not enough credits"):
the request fails with it, in the provider's error format, with `Retry-After`, `retry-after-ms`
and `x-should-retry: true|false` (`should-retry=1|0`) when given. `slow` waits `ms` milliseconds
(default 200, at most MAX_SLOW_MS = 60000) and then answers normally. `cut` ends the answer
midway: a stream stops after some events without its terminator; a plain body is sent half-way
and the connection is closed. `malformed` answers 200 with a body that is not valid JSON.

Attempts are counted per key: the `x-cardgen-fault-key` header when sent, else a hash of the
method, path and body (so a client retrying the same request keeps its key). A step with
`times=N` covers the next N attempts of a key; a step without `times` covers every attempt left;
past the end of the script requests succeed. Every number is bounded (see `_LIMITS`): a spec
outside them is refused like any other bad spec, with a 400. Examples: `429;retry-after=0;times=2` fails twice
then succeeds; `500;times=1,503;times=1` fails with 500, then 503, then succeeds.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from typing import Literal

FAULT_HEADER = "x-cardgen-fault"
FAULT_KEY_HEADER = "x-cardgen-fault-key"
DEFAULT_SLOW_MS = 200
MAX_SLOW_MS = 60_000

FaultKind = Literal["status", "slow", "cut", "malformed"]
_PARAMS = {
    "retry-after": "retry_after",
    "retry-after-ms": "retry_after_ms",
    "should-retry": "should_retry",
    "ms": "ms",
    "times": "times",
}
# The largest value each parameter takes: a request must not be able to hold the server for decades.
_LIMITS = {
    "retry_after": 86_400,
    "retry_after_ms": 86_400_000,
    "should_retry": 1,
    "ms": MAX_SLOW_MS,
    "times": 1_000_000,
}
_MAX_STEPS = 100
_MAX_SPEC_LENGTH = 2_000


class FaultSpecError(ValueError):
    """A fault spec that does not follow the grammar."""


@dataclass(frozen=True)
class Fault:
    """One step of a fault script."""

    kind: FaultKind
    status: int = 200
    retry_after: int | None = None
    retry_after_ms: int | None = None
    should_retry: int | None = None
    ms: int = DEFAULT_SLOW_MS
    times: int | None = None


@dataclass(frozen=True)
class FaultScript:
    """The steps of a spec, in order; `for_attempt` says which one (if any) hits attempt n."""

    steps: tuple[Fault, ...]

    def for_attempt(self, attempt: int) -> Fault | None:
        """Return the fault for the 1-based attempt number of a key, or None."""
        covered = 0
        for step in self.steps:
            if step.times is None:
                return step
            covered += step.times
            if attempt <= covered:
                return step
        return None


def parse_faults(spec: str) -> FaultScript:
    """Parse a spec such as `429;retry-after=1;times=2,slow;ms=50`; raise FaultSpecError."""
    if len(spec) > _MAX_SPEC_LENGTH:
        raise FaultSpecError(f"a fault spec is at most {_MAX_SPEC_LENGTH} characters")
    if spec.strip() == "none":  # no fault: the request is only counted under its key
        return FaultScript(())
    parts = spec.split(",")
    if len(parts) > _MAX_STEPS:
        raise FaultSpecError(f"a fault spec has at most {_MAX_STEPS} steps")
    steps = tuple(_parse_step(part.strip()) for part in parts)
    return FaultScript(steps)


def _parse_step(text: str) -> Fault:
    kind_text, *params = [p.strip() for p in text.split(";")]
    values: dict[str, int] = {}
    for param in params:
        name, sep, raw = param.partition("=")
        if not sep or name not in _PARAMS:
            raise FaultSpecError(f"{param!r}: expected one of {', '.join(f'{p}=N' for p in _PARAMS)}")
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 12):
            raise FaultSpecError(f"{param!r}: {name} takes a whole number")
        field = _PARAMS[name]
        if int(raw) > _LIMITS[field]:
            raise FaultSpecError(f"{param!r}: {name} is at most {_LIMITS[field]}")
        values[field] = int(raw)
    if kind_text.isascii() and kind_text.isdigit():
        status = int(kind_text)
        if not 400 <= status <= 599:
            raise FaultSpecError(f"{kind_text!r}: a fault status must be between 400 and 599")
        _refuse(values, "ms", kind_text)
        return Fault("status", status=status, **values)
    if kind_text not in {"slow", "cut", "malformed"}:
        raise FaultSpecError(f"{kind_text!r}: expected an HTTP status, slow, cut or malformed")
    for name in ("retry_after", "retry_after_ms", "should_retry"):
        _refuse(values, name, kind_text)
    if kind_text != "slow":
        _refuse(values, "ms", kind_text)
    kind: FaultKind = "slow" if kind_text == "slow" else "cut" if kind_text == "cut" else "malformed"
    return Fault(kind, **values)


def _refuse(values: dict[str, int], name: str, kind: str) -> None:
    if name in values:
        raise FaultSpecError(f"{kind!r} takes no {name.replace('_', '-')}")


def request_key(method: str, path: str, body: bytes) -> str:
    """Key attempts of one request by what it sends, when the client names no key."""
    digest = hashlib.sha256(b"%s %s\n%s" % (method.encode(), path.encode(), body))
    return "body-" + digest.hexdigest()[:16]


class RequestLedger:
    """Count requests per key; safe to read from another thread while the server runs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}

    def record(self, key: str) -> int:
        """Count one more attempt for key and return its 1-based number."""
        with self._lock:
            self._counts[key] = self._counts.get(key, 0) + 1
            return self._counts[key]

    def count(self, key: str) -> int:
        with self._lock:
            return self._counts.get(key, 0)

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self._counts.items()))

    def total(self) -> int:
        with self._lock:
            return sum(self._counts.values())

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
