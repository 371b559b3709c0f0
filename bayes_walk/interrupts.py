"""SIGINT and SIGTERM: remember the signal, stop the work, write nothing.

Some samplers catch ``KeyboardInterrupt`` and return a partial trace (``pm.sample``
does). The handler therefore records the signal before raising, and every atomic write
asks :func:`raise_if_interrupted` before it starts and before it renames, so a swallowed
interrupt still ends the command with nothing written.

Python runs signal handlers only when the main thread returns to the interpreter; a
sampler inside one long compiled call (numpyro's jitted loop) would not stop until it
finished. A watchdog thread therefore learns of the signal at once (``set_wakeup_fd``)
and, when the command has not ended ``GRACE_S`` seconds later, prints the same line and
exits with the same code. Nothing has been written then either: a write starts and ends
in Python code, where the handler runs first; the watchdog waits while a rename is in
progress, and a temporary file it leaves is removed by the next write of that output.

An exception raised inside a callback from C (a ctypes callback of llvmlite while numba
compiles, a gc callback) cannot propagate: Python prints it as "Exception ignored" with
a traceback and drops it. While the handlers are installed, ``sys.unraisablehook``
therefore swallows a dropped :class:`Interrupted` silently and delivers the signal again
a moment later, when the interpreter is most likely back in ordinary Python code.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import FrameType

GRACE_S = 3.0
# package folders in whose frames the handler does not raise (see _unsafe_to_raise)
_NO_RAISE_IN = tuple(f"{os.sep}{name}{os.sep}" for name in ("jax", "jaxlib"))


class Interrupted(KeyboardInterrupt):
    """The command was stopped by a signal; ``signum`` says which."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal.Signals(signum).name)


@dataclass
class SignalWatch:
    """The signal received while the handlers were installed (owner: :func:`handle_signals`)."""

    signum: int | None = None
    done: threading.Event = field(default_factory=threading.Event)
    committing: threading.Lock = field(default_factory=threading.Lock)
    written: list[str] = field(default_factory=list)
    in_commit: bool = False
    open_folders: int = 0
    # a command whose workers write outputs of their own (sweep task records) says here
    # what an interrupt leaves behind; None = the generic line
    kept: Callable[[], str | None] | None = None


WATCH = SignalWatch()


@contextlib.contextmanager
def commit(path: object) -> Iterator[None]:
    """Rename an output into place: not cut by a signal, nor by the watchdog.

    A signal that arrives meanwhile is raised right after; the output is then named
    as written in the interrupt line. Files inside a folder that is still being built
    are not outputs of their own.
    """
    with WATCH.committing:
        raise_if_interrupted()
        WATCH.in_commit = True
        try:
            yield
            if WATCH.open_folders == 0:
                WATCH.written.append(str(path))
        finally:
            WATCH.in_commit = False
    raise_if_interrupted()


def raise_if_interrupted() -> None:
    """Raise :class:`Interrupted` when SIGINT or SIGTERM arrived during the command."""
    if WATCH.signum is not None:
        raise Interrupted(WATCH.signum)


def exit_code(signum: int) -> int:
    """The shell's convention: 128 + signal number (130 for SIGINT, 143 for SIGTERM)."""
    return 128 + int(signum)


def interrupted_line(command: str, signum: int) -> str:
    """The one line printed on an interrupt (it names outputs completed before it)."""
    name = signal.Signals(signum).name
    kept = WATCH.kept() if WATCH.kept is not None else None
    if kept:
        return f"bayes-walk {command}: interrupted by {name}; {kept}"
    if WATCH.written:
        done = ", ".join(WATCH.written)
        return f"bayes-walk {command}: interrupted by {name} after {done} was written whole."
    return f"bayes-walk {command}: interrupted by {name}; nothing was written."


def _unsafe_to_raise(frame: FrameType | None) -> bool:
    """Inside a gc callback, or inside JAX: where an exception is dropped or may abort.

    An exception raised in a gc callback (JAX registers one) is printed and dropped; one
    raised inside JAX's Python code can surface in a C++ callback. The signal is then
    delivered again a moment later, or the watchdog ends the command.
    """
    codes = {getattr(cb, "__code__", None) for cb in gc.callbacks}
    while frame is not None:
        if frame.f_code in codes or any(p in frame.f_code.co_filename for p in _NO_RAISE_IN):
            return True
        frame = frame.f_back
    return False


def _redeliver(signum: int) -> None:
    """Send the signal again shortly, from a timer thread (the handler runs in main)."""
    threading.Timer(0.05, signal.raise_signal, (signum,)).start()


def _handler(signum: int, frame: FrameType | None) -> None:
    WATCH.signum = signum
    if WATCH.in_commit:
        return  # raised by commit() once the rename is done
    if _unsafe_to_raise(frame):
        _redeliver(signum)
        return
    raise Interrupted(signum)


def _unraisable_hook(previous: Callable[[object], object]) -> Callable[[object], None]:
    """An unraisable-exception hook that drops our own interrupt and redelivers it."""

    def hook(args: object) -> None:
        exc = getattr(args, "exc_value", None)
        if isinstance(exc, Interrupted):
            _redeliver(exc.signum)
            return
        previous(args)

    return hook


def _watchdog(sock: socket.socket, command: str) -> None:
    try:
        data = sock.recv(1)
    except OSError:
        return
    if not data or WATCH.done.wait(GRACE_S):
        return
    signum = data[0]
    with WATCH.committing:  # never exit half-way through a rename
        if WATCH.done.is_set():
            return
        sys.stderr.write(interrupted_line(command, signum) + "\n")
        sys.stderr.flush()
        os._exit(exit_code(signum))


@contextlib.contextmanager
def handle_signals(command: str = "") -> Iterator[SignalWatch]:
    """Install the SIGINT/SIGTERM handlers and the watchdog for the duration of a command."""
    if threading.current_thread() is not threading.main_thread():
        yield WATCH
        return
    WATCH.signum = None
    WATCH.written.clear()
    WATCH.open_folders = 0
    WATCH.done.clear()
    rsock, wsock = socket.socketpair()
    wsock.setblocking(False)
    old_fd = signal.set_wakeup_fd(wsock.fileno(), warn_on_full_buffer=False)
    old = {s: signal.signal(s, _handler) for s in (signal.SIGINT, signal.SIGTERM)}
    old_hook = sys.unraisablehook
    sys.unraisablehook = _unraisable_hook(old_hook)
    dog = threading.Thread(target=_watchdog, args=(rsock, command), daemon=True)
    dog.start()
    try:
        yield WATCH
    finally:
        WATCH.done.set()
        # the signal belongs to this command: a later write in the same process (a
        # notebook, a test run) must not find it pending and refuse
        WATCH.signum = None
        for s, h in old.items():
            signal.signal(s, h)
        sys.unraisablehook = old_hook
        signal.set_wakeup_fd(old_fd)
        with contextlib.suppress(OSError):
            wsock.send(b"\0")  # wake the watchdog so that it sees `done` and returns
        dog.join(timeout=1.0)
        wsock.close()
        rsock.close()
