"""``bayes-walk ... | head``: a reader that leaves early ends the command quietly (exit 0).

Python reports a closed pipe (EPIPE) as a ``BrokenPipeError`` traceback, at the write or at
the interpreter's final flush of stdout. :func:`run_piped` flushes inside the command and,
on EPIPE, points stdout at ``/dev/null`` so that the final flush has nowhere to fail
(the recipe of the Python docs, "Note on SIGPIPE").
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any


def run_piped(func: Callable[[Any], Any], args: Any) -> Any:
    """``func(args)``, then flush stdout; a closed pipe returns 0 without a traceback."""
    try:
        rc = func(args)
        sys.stdout.flush()
        return rc
    except BrokenPipeError:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass  # stdout is not a real file (tests): nothing left to flush
        return 0
