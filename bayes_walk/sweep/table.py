"""The results table of a sweep: one row per task and estimand (pure, from the records).

Task columns (DESIGN "Sweep file") repeat on every row of a task: ``cohort``, ``variant``,
``spec``, ``status``, ``error``, ``divergences``, ``max_rhat``, ``wall_s``, ``fit_path``,
and the task's ``plateau_probability`` and ``rr_125`` (``rr_125_lo``, ``rr_125_hi``: RR
at 125 vs 78 min/day of the volume curve); then the estimand columns. A failed task, or a
form without a volume curve, has one row with ``estimand`` empty.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from bayes_walk.atomic import write_atomic

TASK_COLUMNS = [
    "task",
    "cohort",
    "variant",
    "spec",
    "replicate",
    "seed",
    "status",
    "error",
    "divergences",
    "max_rhat",
    "worst_rhat_var",
    "min_ess_bulk",
    "min_ess_bulk_var",
    "min_ess_tail",
    "wall_s",
    "seconds_sampling",
    "seconds_prepare",
    "reused_model",
    "fit_path",
    "worker",
    "rss_mb",
    "n_participants",
    "plateau_probability",
    "rr_125",
    "rr_125_lo",
    "rr_125_hi",
]
ESTIMAND_COLUMNS = [
    "estimand",
    "exposure",
    "x",
    "reference",
    "category",
    "rr_median",
    "rr_lo",
    "rr_hi",
    "p_benefit",
    "evalue",
    "evalue_ci",
    "evalue_posterior_median",
    "onset_median",
    "onset_lo",
    "onset_hi",
]

INT_COLUMNS = ("replicate", "seed", "divergences", "n_participants")
STRING_COLUMNS = (
    "status",
    "error",
    "estimand",
    "exposure",
    "category",
    "worker",
    "fit_path",
    "worst_rhat_var",
    "min_ess_bulk_var",
)


def _task_row(rec: dict[str, Any]) -> dict[str, Any]:
    diag = rec.get("diagnostics") or {}
    row = {
        "task": rec["key"],
        **{k: rec.get(k) for k in ("cohort", "variant", "spec", "replicate", "seed")},
        **{k: rec.get(k) for k in ("status", "error", "wall_s", "fit_path", "worker")},
        "divergences": diag.get("divergences"),
        "max_rhat": diag.get("max_rhat"),
        "min_ess_bulk": diag.get("min_ess_bulk"),
        **{k: diag.get(k) for k in ("worst_rhat_var", "min_ess_bulk_var", "min_ess_tail")},
        "seconds_sampling": diag.get("seconds_sampling"),
        "seconds_prepare": rec.get("seconds_prepare"),
        "reused_model": rec.get("reused_model"),
        "rss_mb": rec.get("rss_mb"),
        "n_participants": rec.get("n_participants"),
        "plateau_probability": None,
        "rr_125": None,
        "rr_125_lo": None,
        "rr_125_hi": None,
    }
    for r in rec.get("rows") or []:
        if r.get("estimand") == "plateau":
            row["plateau_probability"] = r.get("plateau_probability")
        if r.get("estimand") == "rr" and r.get("x") == 125.0:
            row["rr_125"], row["rr_125_lo"] = r.get("rr_median"), r.get("rr_lo")
            row["rr_125_hi"] = r.get("rr_hi")
    return row


def results_table(records: list[dict[str, Any]], order: list[str] | None = None) -> pd.DataFrame:
    """The long results table of ``records`` (task records of :mod:`.worker`).

    Parameters
    ----------
    records
        Task records.
    order
        Task keys in sweep order (records of other keys are left out); default: as given.
    """
    if order is not None:
        by_key = {r["key"]: r for r in records}
        records = [by_key[k] for k in order if k in by_key]
    rows = []
    for rec in records:
        base = _task_row(rec)
        ests = rec.get("rows") or [{}]
        for e in ests:
            rows.append({**base, **{c: e.get(c) for c in ESTIMAND_COLUMNS}})
    df = pd.DataFrame(rows, columns=TASK_COLUMNS + ESTIMAND_COLUMNS)
    for c in INT_COLUMNS:
        df[c] = df[c].astype("Int64")
    for c in STRING_COLUMNS:
        df[c] = df[c].astype("string")
    df["reused_model"] = df["reused_model"].astype("boolean")
    typed = {"task", "cohort", "variant", "spec", "reused_model", *INT_COLUMNS, *STRING_COLUMNS}
    num = [c for c in TASK_COLUMNS + ESTIMAND_COLUMNS if c not in typed]
    for c in num:
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
    return df


def write_results(df: pd.DataFrame, out: str | os.PathLike[str]) -> tuple[Path, Path]:
    """Write ``results.csv`` and ``results.parquet`` atomically into ``out``."""
    out = Path(out)
    csv = write_atomic(out / "results.csv", lambda p: df.to_csv(p, index=False))
    pq = write_atomic(out / "results.parquet", lambda p: df.to_parquet(p, index=False))
    return csv, pq
