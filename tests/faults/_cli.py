"""Run ``bayes-walk`` as a real subprocess; signal it when a stage's line appears."""

from __future__ import annotations

import contextlib
import hashlib
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 180


@dataclass
class Result:
    """Exit code and stderr of one ``bayes-walk`` run."""

    code: int
    err: str

    def assert_clean_failure(self, code: int, *needles: str) -> None:
        """Exit ``code``, no traceback, every needle in stderr."""
        assert self.code == code, f"exit {self.code}, expected {code}\n{self.err[-3000:]}"
        assert "Traceback" not in self.err, self.err[-3000:]
        for needle in needles:
            assert needle in self.err, f"{needle!r} not in stderr:\n{self.err[-3000:]}"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.setdefault("MPLBACKEND", "Agg")
    return env


def command(args: Sequence[str]) -> list[str]:
    return [sys.executable, "-m", "bayes_walk.cli.main", *map(str, args)]


def bw(*args: object, cwd: Path | None = None) -> Result:
    """Run ``bayes-walk ARGS`` to the end."""
    r = subprocess.run(
        command([str(a) for a in args]),
        capture_output=True,
        text=True,
        env=_env(),
        cwd=cwd or ROOT,
        timeout=TIMEOUT_S,
    )
    return Result(r.returncode, r.stderr)


def bw_signal(args: Sequence[object], *, marker: str, sig: int, delay: float = 0.0) -> Result:
    """Start ``bayes-walk ARGS``; send ``sig`` ``delay`` s after a stderr line holds ``marker``.

    Fails the test when the marker never appears or the process outlives the timeout.
    """
    proc = subprocess.Popen(
        command([str(a) for a in args]),
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=_env(),
        cwd=ROOT,
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.put(line)
        lines.put(None)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    seen: list[str] = []
    deadline = time.monotonic() + TIMEOUT_S
    try:
        while True:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.1))
            if line is None:
                raise AssertionError(f"{marker!r} never appeared:\n{''.join(seen)[-3000:]}")
            seen.append(line)
            if marker in line:
                break
        time.sleep(delay)
        assert proc.poll() is None, f"finished before the signal:\n{''.join(seen)[-3000:]}"
        proc.send_signal(sig)
        code = proc.wait(timeout=TIMEOUT_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    reader.join(timeout=10)
    while True:
        try:
            line = lines.get_nowait()
        except queue.Empty:
            break
        if line is not None:
            seen.append(line)
    return Result(code, "".join(seen))


def snapshot(path: Path) -> dict[str, str] | None:
    """Content hashes of a file or of every file under a folder; None when absent."""
    if not path.exists():
        return None
    if path.is_file():
        return {"": hashlib.sha256(path.read_bytes()).hexdigest()}
    return {
        str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(path.rglob("*"))
        if p.is_file()
    }


def leftovers(folder: Path) -> list[str]:
    """Temporary names this program writes (``.<name>.<pid>-<random>.tmp`` / ``.old``)."""
    return (
        sorted(p.name for p in folder.iterdir() if p.name.startswith("."))
        if folder.exists()
        else []
    )


@contextlib.contextmanager
def tmpfs(path: Path, size: str, *, read_only: bool = False) -> Iterator[Path]:
    """Mount a tmpfs of ``size`` at ``path`` (root only); always unmounted afterwards."""
    import pytest

    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    path.mkdir(parents=True, exist_ok=True)
    opts = f"size={size}" + (",ro" if read_only else "")
    r = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(path)], capture_output=True, text=True
    )
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", str(path)], capture_output=True)
        if os.path.ismount(path):
            subprocess.run(["umount", "-l", str(path)], capture_output=True)


SIGINT, SIGTERM, SIGKILL = signal.SIGINT, signal.SIGTERM, signal.SIGKILL
