"""One exception family for everything a user can get wrong.

The command line turns any :class:`BayesWalkError` into a one-paragraph message and exit
code 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import errno
from collections.abc import Iterable


class BayesWalkError(Exception):
    """Base class of user-facing errors (bad input, bad spec, bad file)."""


class CohortError(BayesWalkError):
    """Bad cohort input: names the file, column, first offending ids and the rule."""

    def __init__(
        self,
        rule: str,
        *,
        file: str | None = None,
        column: str | None = None,
        ids: Iterable[object] | None = None,
        hint: str | None = None,
    ) -> None:
        self.rule = rule
        self.file = file
        self.column = column
        self.ids = [str(i) for i in ids] if ids is not None else []
        self.hint = hint
        super().__init__(self._compose())

    def _compose(self) -> str:
        parts = []
        if self.file:
            parts.append(f"{self.file}")
        if self.column:
            parts.append(f"column '{self.column}'")
        where = ", ".join(parts)
        msg = f"{where}: {self.rule}" if where else self.rule
        if self.ids:
            shown = ", ".join(self.ids[:5])
            more = f" (and {len(self.ids) - 5} more)" if len(self.ids) > 5 else ""
            msg += f" [participant ids: {shown}{more}]"
        if self.hint:
            msg += f". {self.hint}"
        return msg


class SpecError(BayesWalkError):
    """Bad model spec (unknown form, unknown covariate, bad sampler settings, ...)."""


class FitFileError(BayesWalkError):
    """A fit file that cannot be read or lacks what a command needs."""


class OutputError(BayesWalkError):
    """An output that cannot be written: names the path and the reason (exit 2)."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        self.path = path
        super().__init__(message)


_WRITE_ERRNOS = frozenset(
    getattr(errno, n)
    for n in ("EACCES", "EPERM", "EROFS", "ENOSPC", "EDQUOT", "EFBIG", "EISDIR", "ENOTDIR")
    if hasattr(errno, n)
)


def os_error_text(exc: OSError) -> str:
    """An ``OSError`` in one line, e.g. ``cannot write PATH: reason`` (no errno, no repr)."""
    reason = (exc.strerror or str(exc) or type(exc).__name__).rstrip(".")
    if exc.filename is None:
        return reason
    if exc.errno in _WRITE_ERRNOS:
        return f"cannot write {exc.filename}: {reason}"
    return f"{exc.filename}: {reason}"


def show_value(value: object) -> str:
    """A data value as a user would write it: ``2`` not ``np.float64(2.0)``, text quoted."""
    if hasattr(value, "item") and callable(value.item):
        try:
            value = value.item()  # numpy scalar -> Python scalar
        except (ValueError, TypeError):
            pass
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        return repr(value)
    return str(value)
