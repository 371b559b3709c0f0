"""Progress of a sweep on stderr: done / failed / running / ETA.

On a terminal one status line is redrawn; otherwise (a log file, CI) one line per
finished task, so a log shows what happened and when.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO


def _fmt_s(s: float) -> str:
    if s != s or s == float("inf"):
        return "?"
    s = int(round(s))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}h{m:02d}m" if h else (f"{m}m{sec:02d}s" if m else f"{sec}s")


class Progress:
    """Counts finished tasks and writes progress lines.

    Parameters
    ----------
    total
        Tasks in the sweep.
    skipped
        Tasks already finished by an earlier run.
    stream
        Where to write (stderr by default); None: silent.
    """

    def __init__(self, total: int, skipped: int = 0, stream: TextIO | None = sys.stderr) -> None:
        self.total = total
        self.skipped = skipped
        self.done = 0
        self.failed = 0
        self.stream = stream
        self.tty = bool(stream is not None and getattr(stream, "isatty", lambda: False)())
        self.t0 = time.perf_counter()

    @property
    def finished(self) -> int:
        return self.skipped + self.done + self.failed

    def eta(self) -> float:
        """Seconds left at this run's pace so far."""
        ran = self.done + self.failed
        left = self.total - self.finished
        if left == 0:
            return 0.0
        if ran == 0:
            return float("nan")
        return (time.perf_counter() - self.t0) / ran * left

    def line(self, running: int) -> str:
        return (
            f"[sweep] {self.finished}/{self.total} finished ({self.done} done, {self.failed} "
            f"failed, {self.skipped} from earlier runs), {running} running, "
            f"elapsed {_fmt_s(time.perf_counter() - self.t0)}, ETA {_fmt_s(self.eta())}"
        )

    def start(self, pending: int) -> None:
        self._write(
            f"[sweep] {self.total} tasks: {self.skipped} finished earlier, {pending} to run"
        )

    def task_finished(self, record: dict[str, Any], label: str, running: int) -> None:
        if record.get("status") == "done":
            self.done += 1
        else:
            self.failed += 1
        if self.stream is None:
            return
        if self.tty:
            self.stream.write("\r\033[K" + self.line(running))
            if record.get("status") != "done":
                self.stream.write(f"\n[sweep] FAILED {label}: {record.get('error')}\n")
            self.stream.flush()
            return
        what = record.get("status", "?")
        extra = f": {record.get('error')}" if what != "done" else ""
        self._write(
            f"[sweep] {what} {label} in {record.get('wall_s', 0):.1f} s on "
            f"{record.get('worker', '?')}{extra} | {self.line(running)}"
        )

    def close(self) -> None:
        if self.stream is not None and self.tty:
            self.stream.write("\n")
            self.stream.flush()

    def _write(self, text: str) -> None:
        if self.stream is not None:
            self.stream.write(text + "\n")
            self.stream.flush()
