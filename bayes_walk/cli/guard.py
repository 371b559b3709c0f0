"""Run one command with the CLI's promises about failures (docs/reliability.md).

A ``BayesWalkError`` or an ``OSError`` becomes one line on stderr and exit 2; SIGINT and
SIGTERM end the command with one line and exit 130 / 143, nothing written; anything else
is a bug and keeps its traceback.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable

from bayes_walk.errors import BayesWalkError, os_error_text
from bayes_walk.interrupts import (
    exit_code,
    handle_signals,
    interrupted_line,
    raise_if_interrupted,
)


def run_guarded(command: str, func: Callable[[], int | None]) -> int:
    """Call ``func()`` for subcommand ``command``; returns the exit code.

    0 ok, 1 check failed (from ``func``), 2 user error or an output that cannot be
    written, 130 / 143 interrupted by SIGINT / SIGTERM.
    """
    with handle_signals(command) as watch:
        try:
            code = int(func() or 0)
            raise_if_interrupted()  # a sampler that swallowed the interrupt
            return code
        except BaseException as exc:
            # After a signal, any failure is the interrupt's doing: a KeyboardInterrupt raised
            # inside compiled code can come back wrapped (numba: SystemError).
            if watch.signum is None and not isinstance(exc, KeyboardInterrupt):
                if isinstance(exc, BayesWalkError):
                    print(f"bayes-walk {command}: error: {exc}", file=sys.stderr)
                    return 2
                if isinstance(exc, OSError):
                    print(f"bayes-walk {command}: error: {os_error_text(exc)}", file=sys.stderr)
                    return 2
                raise
            signum = watch.signum or signal.SIGINT
            print(interrupted_line(command, signum), file=sys.stderr)
            return exit_code(signum)
