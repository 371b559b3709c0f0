"""The sweep folder: one record per task, written atomically, named by the task's hash.

``DIR/tasks/<key>.json`` is written last, after the fit file ``DIR/fits/<key>.nc`` and the
averaging piece ``DIR/pieces/<key>.npz`` (:mod:`bayes_walk.sweep.averaged`): its
presence means the task is finished (done or failed). Two attempts of one task (a worker
presumed dead that was only slow) write the same names, and ``os.replace`` makes the last
one win whole, so a task can never appear twice.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from bayes_walk.atomic import write_text_atomic

TASKS = "tasks"
FITS = "fits"
PIECES = "pieces"
LOCK = ".sweep.lock"


def fit_relpath(key: str) -> str:
    """Fit file of a task, relative to the sweep folder."""
    return f"{FITS}/{key}.nc"


def piece_relpath(key: str) -> str:
    """Averaging piece of a task (``[estimands] averaged = true``), relative to the folder."""
    return f"{PIECES}/{key}.npz"


def record_path(out: str | os.PathLike[str], key: str) -> Path:
    """Record file of a task."""
    return Path(out) / TASKS / f"{key}.json"


def write_record(out: str | os.PathLike[str], key: str, record: dict[str, Any]) -> None:
    """Write a task's record atomically."""
    text = json.dumps(record, indent=1, default=_jsonable, allow_nan=True)
    write_text_atomic(record_path(out, key), text)


def _jsonable(v: Any) -> Any:
    import numpy as np

    if isinstance(v, np.generic):
        return v.item()
    return str(v)


def read_record(out: str | os.PathLike[str], key: str) -> dict[str, Any] | None:
    """A task's record, or None when it has none (or only an unreadable one)."""
    p = record_path(out, key)
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
        return None


def read_records(out: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Every task record in the folder, in name order."""
    d = Path(out) / TASKS
    if not d.is_dir():
        return []
    recs = []
    for p in sorted(d.glob("*.json")):
        r = read_record(out, p.stem)
        if r is not None:
            recs.append(r)
    return recs


def remove_partial_files(out: str | os.PathLike[str]) -> int:
    """Remove temporary files left by a writer that was killed; returns how many."""
    n = 0
    for sub in (TASKS, FITS, PIECES):
        for p in (Path(out) / sub).glob(".*.tmp"):
            p.unlink(missing_ok=True)
            n += 1
    return n
