"""Atomic writes: write to a temporary file (or folder) beside the target, then rename.

An interrupted write never leaves a partial file or folder at the target path. Temporary
names are ``.<target name>.<pid>-<random>.tmp``; orphans of earlier killed runs (their
process gone, older than this process) are removed the next time the same target is
written. Any ``OSError`` on writing becomes :class:`~bayes_walk.errors.OutputError`
naming the target and the reason.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from bayes_walk.errors import OutputError
from bayes_walk.interrupts import WATCH, commit, raise_if_interrupted

# Orphans are only files older than this process: a concurrent writer's temp file is newer.
PROCESS_START = time.time()
LEGACY_AGE_S = 600.0


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def _temp_prefix(target: Path) -> str:
    return f".{target.name}.{os.getpid()}-"


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this machine (this process counts as alive)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_orphans(target: str | os.PathLike[str]) -> list[Path]:
    """Remove temporary files and folders that an earlier killed run left beside ``target``.

    Only names this module writes (``.<name>.<pid>-<random>.tmp`` or ``.old``) are
    considered, and only when their process is gone and they are older than this process.

    Returns
    -------
    list of Path
        What was removed.
    """
    target = Path(target)
    parent = target.parent if str(target.parent) else Path(".")
    name = re.escape(target.name)
    pattern = re.compile(rf"^\.{name}\.(\d+)-[^./]+\.(tmp|old)$")
    # earlier versions wrote .<name>.<8 random chars>.tmp without a process id: those are
    # removed only when they have not changed for LEGACY_AGE_S (no writer is that idle)
    legacy = re.compile(rf"^\.{name}\.[a-z0-9_]{{8}}\.tmp$")
    removed = []
    try:
        entries = list(parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        m = pattern.match(entry.name)
        if m:
            if pid_alive(int(m.group(1))):
                continue
            cutoff = PROCESS_START
        elif legacy.match(entry.name):
            cutoff = PROCESS_START - LEGACY_AGE_S
        else:
            continue
        try:
            if entry.lstat().st_mtime >= cutoff:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        except OSError:
            continue  # another process cleaned it first, or it is not ours to remove
        removed.append(entry)
    return removed


def _write_error(target: Path, exc: OSError) -> OutputError:
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ENOSPC:
        reason = "no space left on device"
    return OutputError(f"cannot write {target}: {reason}", path=str(target))


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` on success.

    On any exception (or a pending interrupt, see :mod:`bayes_walk.interrupts`) the
    temporary file is removed and ``target`` is untouched.

    Raises
    ------
    OutputError
        When the file cannot be written (permissions, no space, a directory in the way).
    """
    target = Path(target)
    raise_if_interrupted()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_orphans(target)
        fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(target), suffix=".tmp", dir=target.parent)
        os.close(fd)
    except OSError as exc:
        raise _write_error(target, exc) from exc
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        # mkstemp creates the file 0600; give the result the usual umask-based mode.
        if tmp_path.exists():
            os.chmod(tmp_path, 0o666 & ~_umask())
        with commit(target):
            os.replace(tmp_path, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        if isinstance(exc, OSError):
            raise _write_error(target, exc) from exc
        raise


def write_atomic(target: str | os.PathLike[str], writer: Callable[[Path], None]) -> Path:
    """Call ``writer(tmp_path)`` and move the result onto ``target`` atomically."""
    with atomic_path(target) as tmp:
        writer(tmp)
    return Path(target)


def write_bytes_atomic(target: str | os.PathLike[str], data: bytes | memoryview) -> Path:
    """Write ``data`` to ``target`` atomically with plain Python I/O, synced to disk.

    A full disk raises :class:`OutputError` here (``ENOSPC`` from ``write`` or ``fsync``),
    never inside a C library.
    """

    def _write(path: Path) -> None:
        with open(path, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())

    return write_atomic(target, _write)


def write_text_atomic(target: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``target`` atomically."""
    return write_bytes_atomic(target, text.encode("utf-8"))


@contextlib.contextmanager
def atomic_folder(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary sibling folder; swap it in for ``target`` on success.

    The old folder (if any) is renamed aside, the new one renamed in, and the old one
    removed, so ``target`` holds either the complete old content or the complete new
    content, never a mix. On any exception the temporary folder is removed.

    Raises
    ------
    OutputError
        When ``target`` is an existing file, or the folder cannot be written.
    """
    target = Path(target)
    raise_if_interrupted()
    if target.exists() and not target.is_dir():
        raise OutputError(f"cannot write {target}: it is a file, not a folder", path=str(target))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_orphans(target)
        tmp = Path(tempfile.mkdtemp(prefix=_temp_prefix(target), suffix=".tmp", dir=target.parent))
    except OSError as exc:
        raise _write_error(target, exc) from exc
    try:
        WATCH.open_folders += 1
        try:
            yield tmp
        finally:
            WATCH.open_folders -= 1
        os.chmod(tmp, 0o777 & ~_umask())
        with commit(target):
            _swap_in(tmp, target)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise _write_error(target, exc) from exc
        raise


def _swap_in(new: Path, target: Path) -> None:
    if not target.exists():
        os.rename(new, target)
        return
    old = Path(tempfile.mkdtemp(prefix=_temp_prefix(target), suffix=".old", dir=target.parent))
    os.rmdir(old)
    os.rename(target, old)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(old, target)  # put the old content back
        raise
    shutil.rmtree(old, ignore_errors=True)
