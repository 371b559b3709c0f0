"""The averaged plateau answer of every cohort of a sweep, from the tasks' pieces.

With ``[estimands] averaged = true`` each task whose fit has a smooth volume curve leaves
``DIR/pieces/<key>.npz`` (:func:`bayes_walk.sweep.fitting.plateau_piece`: onset and
remaining-benefit draws, P(near) and the pointwise elpd_loo) instead of a whole fit file.
The fits of one cohort (same cohort, variant and replicate, different specs) are then
averaged as ``bayes-walk plateau A.nc B.nc ...`` averages fit files: stacking weights
from the pointwise elpd (:func:`bayes_walk.answers.stacking.stacking_weights`), falling
back to pseudo-BMA weights when the optimiser fails, and the mixture of the onset draws.
The engine writes the result as ``DIR/averaged.csv`` and ``DIR/averaged.parquet``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bayes_walk.atomic import write_atomic

PIECE_ARRAYS = ("onset", "remaining", "probability", "elpd_i")
# intervals of the averaged onset: 90% (the calibration study's coverage) and 95% (the
# command line's default)
PROBS = (0.90, 0.95)


def write_piece(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write a task's piece atomically (``numpy.savez`` of :data:`PIECE_ARRAYS`)."""

    def save(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            np.savez(fh, **{k: np.asarray(arrays[k]) for k in PIECE_ARRAYS})

    write_atomic(Path(path), save)


def read_piece(path: Path) -> dict[str, np.ndarray]:
    """A task's piece as written by :func:`write_piece`."""
    with np.load(path) as z:
        return {k: np.asarray(z[k]) for k in PIECE_ARRAYS}


def _weights(elpd: np.ndarray) -> tuple[np.ndarray, str]:
    from bayes_walk.answers.stacking import stacking_weights

    try:
        w = stacking_weights(elpd)
        if np.all(np.isfinite(w)):
            return w, "stacking"
    except (ValueError, ArithmeticError):
        pass
    total = elpd.sum(axis=0)
    z = np.exp(total - total.max())
    return z / z.sum(), "pseudo-BMA"


def average_group(specs: list[str], pieces: list[dict[str, np.ndarray]]) -> dict[str, Any]:
    """The averaged answer of one cohort's fits (pure: no files).

    Returns
    -------
    dict
        ``models``, ``weights`` (JSON text: spec -> weight), ``weights_method``,
        ``plateau_probability`` and ``onset_median``/``onset_lo90``/``onset_hi90``/
        ``onset_lo``/``onset_hi`` (95%) of the mixture (NaN: no plateau in range).
    """
    from bayes_walk.answers.stacking import PlateauPiece, mix

    sizes = {p["elpd_i"].size for p in pieces}
    if len(sizes) != 1:
        raise ValueError(f"the fits of one cohort have different numbers of participants {sizes}")
    elpd = np.column_stack([p["elpd_i"] for p in pieces])
    w, method = _weights(elpd)
    parts = [PlateauPiece(p["onset"], p["remaining"], float(p["probability"])) for p in pieces]
    out: dict[str, Any] = {
        "models": ",".join(specs),
        "weights": json.dumps({s: round(float(x), 6) for s, x in zip(specs, w, strict=True)}),
        "weights_method": method,
    }
    m90, m95 = (mix(parts, w, prob) for prob in PROBS)
    out["plateau_probability"] = m95["probability"]
    out["onset_median"] = _nan(m95["onset"]["median"])
    out["onset_lo90"], out["onset_hi90"] = _nan(m90["onset"]["lo"]), _nan(m90["onset"]["hi"])
    out["onset_lo"], out["onset_hi"] = _nan(m95["onset"]["lo"]), _nan(m95["onset"]["hi"])
    return out


def _nan(v: float | None) -> float:
    return float("nan") if v is None else float(v)


def averaged_table(records: list[dict[str, Any]], out: str | os.PathLike[str]) -> pd.DataFrame:
    """One row per cohort (cohort, variant, replicate) with at least two pieces.

    Columns: ``cohort``, ``variant``, ``replicate``, ``n_fits``, then
    :func:`average_group`'s keys.
    """
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for r in records:
        if r.get("status") == "done" and r.get("piece_path"):
            groups.setdefault((r["cohort"], r["variant"], r.get("replicate")), []).append(r)
    rows = []
    for (cohort, variant, replicate), recs in groups.items():
        if len(recs) < 2:
            continue
        recs = sorted(recs, key=lambda r: str(r["spec"]))
        pieces = [read_piece(Path(out) / r["piece_path"]) for r in recs]
        row = {"cohort": cohort, "variant": variant, "replicate": replicate}
        row["n_fits"] = len(recs)
        row.update(average_group([str(r["spec"]) for r in recs], pieces))
        rows.append(row)
    return pd.DataFrame(rows)


def write_averaged(df: pd.DataFrame, out: str | os.PathLike[str]) -> None:
    """Write ``averaged.csv`` and ``averaged.parquet`` atomically into ``out``."""
    out = Path(out)
    write_atomic(out / "averaged.csv", lambda p: df.to_csv(p, index=False))
    write_atomic(out / "averaged.parquet", lambda p: df.to_parquet(p, index=False))
