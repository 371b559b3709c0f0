"""SIGINT and SIGTERM: remember the signal, stop the work, write nothing.

Some samplers catch ``KeyboardInterrupt`` and return a partial trace (``pm.sample``
does). The handler therefore records the signal before raising, and every atomic write
asks :func:`raise_if_interrupted` before it starts and before it renames, so a swallowed
interrupt still ends the command with nothing written.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass


class Interrupted(KeyboardInterrupt):
    """The command was stopped by a signal; ``signum`` says which."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal.Signals(signum).name)


@dataclass
class SignalWatch:
    """The signal received by this process while the handlers were installed (owner:
    :func:`handle_signals`)."""

    signum: int | None = None


WATCH = SignalWatch()


def raise_if_interrupted() -> None:
    """Raise :class:`Interrupted` when SIGINT or SIGTERM arrived during the command."""
    if WATCH.signum is not None:
        raise Interrupted(WATCH.signum)


def exit_code(signum: int) -> int:
    """The shell's convention: 128 + signal number (130 for SIGINT, 143 for SIGTERM)."""
    return 128 + int(signum)


def _handler(signum: int, frame: object) -> None:
    WATCH.signum = signum
    raise Interrupted(signum)


@contextlib.contextmanager
def handle_signals() -> Iterator[SignalWatch]:
    """Install the SIGINT/SIGTERM handlers for the duration of a command."""
    if threading.current_thread() is not threading.main_thread():
        yield WATCH
        return
    WATCH.signum = None
    old = {s: signal.signal(s, _handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield WATCH
    finally:
        for s, h in old.items():
            signal.signal(s, h)
