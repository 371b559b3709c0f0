"""Preflight of an output path: can it be written, before any expensive work starts?

Every writing command calls :func:`check_output` first, so a read-only folder, a folder
where a file is asked for (or the reverse), or ``--out`` equal to an input ends the
command at once with exit 2, instead of after minutes of sampling.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from bayes_walk.errors import OutputError


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def _existing_ancestor(path: Path) -> Path:
    p = path
    while not p.exists():
        if p.parent == p:
            break
        p = p.parent
    return p


def _probe_writable(folder: Path, target: Path, option: str) -> None:
    """Create and remove a file in ``folder``: the only test that sees read-only mounts."""
    try:
        # named like an atomic write's temporary file, so a kill here leaves a known orphan
        fd, probe = tempfile.mkstemp(
            prefix=f".{target.name}.{os.getpid()}-", suffix=".tmp", dir=folder
        )
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if exc.errno in (errno.EROFS,):
            reason = "read-only file system"
        elif exc.errno in (errno.EACCES, errno.EPERM):
            reason = f"permission denied in {folder}"
        elif exc.errno == errno.ENOSPC:
            reason = "no space left on device"
        raise OutputError(f"cannot write {option} {target}: {reason}", path=str(target)) from exc


def check_output(
    path: str | os.PathLike[str],
    *,
    inputs: Iterable[str | os.PathLike[str] | None] = (),
    kind: Literal["file", "folder"] = "file",
    option: str = "--out",
) -> Path:
    """Check that ``path`` can be written as a ``kind`` without touching any input.

    Parameters
    ----------
    path
        The output file or folder.
    inputs
        Input files of the command (``None`` entries are ignored); the output must not be
        any of them, nor (for a folder) contain one.
    kind
        ``"file"``: ``path`` must not be an existing folder. ``"folder"``: ``path`` must
        not be an existing file.
    option
        The command-line option that named ``path`` (used in messages).

    Returns
    -------
    Path
        ``path`` as a ``Path``.

    Raises
    ------
    OutputError
        Naming the path and the reason.
    """
    target = Path(path)

    def fail(reason: str) -> OutputError:
        return OutputError(f"cannot write {option} {target}: {reason}", path=str(target))

    if str(path) == "":
        raise fail("empty path")
    if kind == "file" and target.is_dir():
        raise fail("it is a directory, not a file; give a file name such as out.nc")
    if kind == "folder" and target.exists() and not target.is_dir():
        raise fail("it is an existing file, not a directory; give a folder name")
    for inp in inputs:
        if inp is None or str(inp) == "":
            continue
        src = Path(inp)
        if _same_file(target, src):
            raise fail(f"it is the input file {inp}; choose another output path")
        if kind == "folder" and src.resolve().is_relative_to(target.resolve()):
            raise fail(f"the folder holds the input file {inp} and would be replaced")
    ancestor = _existing_ancestor(target.parent if str(target.parent) else Path("."))
    if not ancestor.is_dir():
        raise fail(f"{ancestor} is a file, not a folder")
    _probe_writable(ancestor, target, option)
    return target
