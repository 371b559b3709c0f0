"""Progress lines for logs: a heartbeat while a long stage runs on a non-terminal stderr.

On a terminal the sampler draws its own progress bar; in a log file (stderr not a tty)
that bar is silent, so a stage such as compiling and sampling would leave the log quiet
for tens of seconds. :class:`Heartbeat` prints one line every ``every`` seconds instead.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO


class Heartbeat:
    """Context manager printing ``"<prefix> <what>: still running (N s)"`` periodically.

    Parameters
    ----------
    what
        The stage, e.g. ``"sampling"``.
    every
        Seconds between lines.
    enabled
        Off by default on a terminal (the sampler's bar shows progress there); pass
        ``True``/``False`` to force.
    stream
        Where to print (default ``sys.stderr`` at entry).
    """

    def __init__(
        self,
        what: str,
        *,
        every: float = 10.0,
        enabled: bool | None = None,
        stream: TextIO | None = None,
        prefix: str = "[bayes-walk]",
    ) -> None:
        self.what = what
        self.every = float(every)
        self.enabled = enabled
        self.stream = stream
        self.prefix = prefix
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._t0 = 0.0

    def __enter__(self) -> Heartbeat:
        stream = self.stream if self.stream is not None else sys.stderr
        self.stream = stream
        enabled = self.enabled
        if enabled is None:
            isatty = getattr(stream, "isatty", None)
            enabled = not (callable(isatty) and isatty())
        self._t0 = time.perf_counter()
        if enabled:
            self._thread = threading.Thread(target=self._run, name="bayes-walk-heartbeat")
            self._thread.daemon = True
            self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            elapsed = time.perf_counter() - self._t0
            try:
                print(
                    f"{self.prefix} {self.what}: still running ({elapsed:.0f} s)",
                    file=self.stream,
                    flush=True,
                )
            except (OSError, ValueError):  # stream closed under us: stop quietly
                return

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
