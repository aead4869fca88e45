"""Keep a student's mistake inside one test: stubs, endless loops and floods of output.

- A stub's ``NotImplementedError`` becomes ``StubNotWritten``, and an endless loop is stopped by
  ``TimeLimitExceeded``. Both derive from ``BaseException``, so neither the student's
  ``except Exception`` nor Hypothesis catches them: a property test fails at once instead of
  shrinking or replaying the example without a limit.
- ``time_limit`` raises ``TimeLimitExceeded`` in the test after ``seconds``, and again every
  half second while the code swallows it (POSIX only: it uses ``SIGALRM``).
- ``CappedStream`` keeps the first ``limit`` characters written to it and counts the rest, so a
  function that prints megabytes per call cannot exhaust memory.

>>> stream = CappedStream(io.StringIO(), limit=5)
>>> _ = stream.write("hello world")
>>> stream.dropped
6
"""

from __future__ import annotations

import functools
import inspect
import io
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any, TextIO

_STUB_MESSAGE = re.compile(r"^step \d+: \w+\(\) is not written yet$")


class StubNotWritten(BaseException):
    """A test called a step function whose body still raises ``NotImplementedError``."""


class TimeLimitExceeded(BaseException):
    """A test ran past its time limit (an endless loop, or far too slow an algorithm)."""


class StepCrashed(BaseException):
    """While grading: a call ended the step's sandboxed process (``os._exit``, a crash)."""


class StepModule:
    """A step module whose functions turn the stub's ``NotImplementedError`` into
    ``StubNotWritten`` and stop after ``seconds`` (0: no limit); everything else (classes,
    constants) is the module's own. Only the student's call is timed, not the test around it.
    """

    def __init__(self, module: ModuleType, seconds: float = 0.0) -> None:
        self._module, self._seconds = module, seconds

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._module, name)
        if inspect.isfunction(value) and value.__module__ == self._module.__name__:
            return _limited(value, self._seconds)
        return value

    def __repr__(self) -> str:
        return repr(self._module)


def is_stub_message(message: str) -> bool:
    """Whether ``message`` is a stub's ``step N: name() is not written yet``."""
    return bool(_STUB_MESSAGE.match(message))


def _limited(function: Callable[..., Any], seconds: float) -> Callable[..., Any]:
    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        imported = set(sys.modules)
        try:
            with time_limit(seconds, f"{function.__name__}()"):
                return function(*args, **kwargs)
        except NotImplementedError as error:
            if is_stub_message(str(error)):
                raise StubNotWritten(str(error)) from None
            raise
        except TimeLimitExceeded:
            # A module whose import was cut short would break every later test that uses it.
            for name in set(sys.modules) - imported:
                del sys.modules[name]
            raise

    return call


def calibrated(seconds: float, probe: Callable[[], float] | None = None) -> float:
    """``seconds`` scaled to this machine's speed right now (1x to 5x).

    A fixed piece of pure-Python work takes ``REFERENCE_PROBE_SECONDS`` on an idle 2-core
    machine; on a slower or busy one the limit grows in proportion, so correct code never fails
    because another job took the CPU.

    >>> calibrated(10.0, probe=lambda: REFERENCE_PROBE_SECONDS * 3)
    30.0
    >>> calibrated(10.0, probe=lambda: REFERENCE_PROBE_SECONDS / 2)
    10.0
    """
    if seconds <= 0:
        return seconds
    measured = (probe or _probe)()
    return seconds * min(MAX_SCALE, max(1.0, measured / REFERENCE_PROBE_SECONDS))


#: What ``_probe`` takes on an idle 2-core machine (the course's reference), and the most the
#: time limit is ever stretched.
REFERENCE_PROBE_SECONDS = 0.026
MAX_SCALE = 5.0


def _probe() -> float:
    """The fastest of three runs of a fixed pure-Python loop, in seconds."""
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        total = 0
        for number in range(1_000_000):
            total += number % 7
        timings.append(time.perf_counter() - start)
    return min(timings)


def can_limit_time() -> bool:
    """Time limits need ``SIGALRM`` and the main thread."""
    return hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float, what: str = "the test") -> Iterator[None]:
    """Raise ``TimeLimitExceeded`` inside the block once it has run ``seconds``."""
    if seconds <= 0 or not can_limit_time():
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise TimeLimitExceeded(f"{what} took longer than {seconds:g} s: is there an endless loop?")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.5)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class CappedStream(io.TextIOBase):
    """A text stream that passes on the first ``limit`` characters and drops the rest."""

    def __init__(self, inner: TextIO, limit: int) -> None:
        self.inner, self.limit, self.written, self.dropped = inner, limit, 0, 0

    def write(self, text: str) -> int:
        room = max(self.limit - self.written, 0)
        if room:
            self.inner.write(text[:room])
        self.written += min(room, len(text))
        self.dropped += max(len(text) - room, 0)
        return len(text)

    def flush(self) -> None:
        self.inner.flush()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:
        return getattr(self.inner, "encoding", "utf-8")

    def isatty(self) -> bool:
        return False
