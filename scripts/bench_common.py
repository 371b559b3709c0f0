"""Shared pieces of the benchmark runners: cohort reading, diagnostics, result JSON.

Imported by runners in two virtual environments (the project's and the Bambi one), so it
depends only on numpy, pandas, xarray and arviz, never on ``bayes_walk``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

EXPOSURES = ("walking_min", "walking_mets")
COVARIATES = ("age", "sex", "education", "income", "employment", "smoking", "depression")
GROUP = "municipality"
OUTCOME = "clbp"
# The headline contrasts: volume log-RR at these minutes/day versus the 78 min reference.
VOLUME_REFERENCE = 78.0
VOLUME_POINTS = (100.0, 150.0)


def runner_args(description: str) -> argparse.Namespace:
    """The command line every runner accepts (bench.py calls them with it)."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--cohort", required=True, help="cohort NetCDF written by bench.py")
    p.add_argument("--out", required=True, help="result JSON path")
    p.add_argument("--chains", type=int, default=4)
    p.add_argument("--tune", type=int, default=1000)
    p.add_argument("--draws", type=int, default=1000)
    p.add_argument("--cores", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--sampler", default=None, help="backend override (ours only)")
    p.add_argument("--label", default=None, help="name recorded in the result")
    return p.parse_args()


def read_cohort_frame(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Per-participant analysis frame from a cohort NetCDF (contract layout).

    Categorical variables (int codes with JSON ``levels`` in attrs, -1 missing) become
    ordered ``pd.Categorical`` columns, so every runner sees identical data and levels.
    """
    with xr.open_dataset(path) as ds:
        ds = ds.load()
    cols: dict[str, object] = {}
    names = [OUTCOME, *EXPOSURES, *COVARIATES]
    if GROUP in ds:
        names.append(GROUP)
    for name in names:
        da = ds[name]
        if da.attrs.get("kind") == "categorical":
            levels = json.loads(da.attrs["levels"])
            codes = np.asarray(da.values, dtype=np.int64)
            cols[name] = pd.Categorical.from_codes(codes, categories=levels, ordered=True)
        else:
            cols[name] = np.asarray(da.values)
    frame = pd.DataFrame(cols, index=pd.Index(ds["participant"].values, name="participant"))
    frame[OUTCOME] = frame[OUTCOME].astype(np.int64)
    return frame.dropna()


def treatment_matrix(frame: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Covariate design: standardised age plus treatment-coded dummies (first level dropped)."""
    cols = []
    names = []
    age = frame["age"].to_numpy(dtype=float)
    cols.append((age - age.mean()) / age.std())
    names.append("age_z")
    for name in COVARIATES[1:]:
        cat = frame[name].cat
        for code, level in enumerate(cat.categories[1:], start=1):
            cols.append((cat.codes.to_numpy() == code).astype(float))
            names.append(f"{name}[{level}]")
    return np.column_stack(cols), names


def draws_summary(draws: np.ndarray) -> dict[str, float]:
    """Posterior median and 95% interval of draws of shape (chain, draw)."""
    flat = np.asarray(draws, dtype=float).ravel()
    lo, med, hi = np.quantile(flat, [0.025, 0.5, 0.975])
    return {"median": float(med), "lo": float(lo), "hi": float(hi), "mean": float(flat.mean())}


def diagnostics(
    key_draws: Mapping[str, np.ndarray],
    all_rhat: float,
    sample_stats: xr.Dataset,
) -> dict[str, object]:
    """Convergence and sampler statistics.

    Parameters
    ----------
    key_draws
        Scalar quantities of interest, each an array (chain, draw): intercept, volume
        log-RRs, GP hyperparameters. Minimum bulk ESS and maximum R-hat are taken over these.
    all_rhat
        Maximum R-hat over every free parameter of the model.
    sample_stats
        The sampler's statistics (``diverging`` and whatever else it records).
    """
    import arviz as az

    per = {}
    for name, arr in key_draws.items():
        arr = np.asarray(arr, dtype=float)
        per[name] = {
            "rhat": float(az.rhat(arr)),
            "ess_bulk": float(az.ess(arr, method="bulk")),
            "ess_tail": float(az.ess(arr, method="tail")),
        }
    out: dict[str, object] = {
        "divergences": int(np.asarray(sample_stats["diverging"]).sum()),
        "max_rhat": float(all_rhat),
        "max_rhat_key": max(v["rhat"] for v in per.values()),
        "min_ess_bulk": min(v["ess_bulk"] for v in per.values()),
        "min_ess_bulk_of": min(per, key=lambda k: per[k]["ess_bulk"]),
        "per_quantity": per,
    }
    out["sampler"] = sampler_stats(sample_stats)
    return out


def sampler_stats(sample_stats: xr.Dataset) -> dict[str, float | None]:
    """Step size, tree depth and gradient evaluations per draw, whatever the backend names."""

    def first(*names: str) -> np.ndarray | None:
        for n in names:
            if n in sample_stats:
                return np.asarray(sample_stats[n].values, dtype=float)
        return None

    steps = first("n_steps", "num_steps")
    depth = first("tree_depth", "depth")
    step = first("step_size", "step_size_bar")
    accept = first("acceptance_rate", "mean_tree_accept", "accept_prob")
    return {
        "grad_evals_per_draw": None if steps is None else float(steps.mean()),
        "grad_evals_total": None if steps is None else float(steps.sum()),
        "mean_tree_depth": None if depth is None else float(depth.mean()),
        "max_tree_depth": None if depth is None else float(depth.max()),
        "mean_step_size": None if step is None else float(np.nanmean(step)),
        "mean_accept": None if accept is None else float(np.nanmean(accept)),
    }


def max_rhat_all(posterior: xr.Dataset, var_names: list[str]) -> float:
    """Maximum R-hat over every element of ``var_names``."""
    import arviz as az

    var_names = [v for v in var_names if v in posterior]
    rh = az.rhat(posterior[var_names])
    vals = [np.nanmax(np.asarray(rh[v].values, dtype=float)) for v in var_names]
    return float(np.nanmax(vals))


def min_ess_all(posterior: xr.Dataset, var_names: list[str]) -> float:
    """Minimum bulk ESS over every element of ``var_names``."""
    import arviz as az

    var_names = [v for v in var_names if v in posterior]
    ess = az.ess(posterior[var_names], method="bulk")
    return float(np.nanmin([np.nanmin(np.asarray(ess[v].values, float)) for v in var_names]))


def cpu_seconds() -> float:
    """CPU time of this process (all threads) plus its waited-for children (sampler workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class Stopwatch:
    """Named phase timer: ``laps`` holds wall seconds, ``cpu`` CPU seconds per phase.

    CPU seconds matter on a shared machine: other jobs stretch wall time, much less the
    CPU time a fit needs, so ratios are reported on both.
    """

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self._t = time.perf_counter()
        self._c = cpu_seconds()

    def lap(self, name: str) -> float:
        now, cnow = time.perf_counter(), cpu_seconds()
        self.laps[name] = now - self._t
        self.cpu[name] = cnow - self._c
        self._t, self._c = now, cnow
        return self.laps[name]

    @property
    def wall(self) -> float:
        return sum(self.laps.values())

    @property
    def cpu_total(self) -> float:
        return sum(self.cpu.values())


def _clean(obj: object) -> object:
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def write_run(
    args: argparse.Namespace,
    *,
    runner: str,
    description: str,
    n: int,
    import_s: float,
    wall: float,
    sw: object,
    diag: dict,
    key: Mapping[str, np.ndarray],
    hyper: dict,
    **extra: object,
) -> None:
    """Write a baseline runner's result in the one layout ``bench.py`` reads."""
    write_result(
        args.out,
        {
            "runner": args.label or runner,
            "description": description,
            "n": n,
            "chains": args.chains,
            "tune": args.tune,
            "draws": args.draws,
            "cores": args.cores,
            "import_s": import_s,
            "wall_s": wall,
            "phases": sw.laps,
            "cpu_s": sw.cpu_total,
            "cpu_phases": sw.cpu,
            "diagnostics": diag,
            "ess_per_s": diag["min_ess_bulk"] / wall,
            "ess_per_cpu_s": diag["min_ess_bulk"] / sw.cpu_total,
            "logrr": {k: draws_summary(v) for k, v in key.items() if k.startswith("logrr")},
            "hyperparameters": hyper,
            **extra,
        },
    )


def write_result(path: str | os.PathLike[str], result: Mapping[str, object]) -> None:
    """Write the runner's result JSON atomically (temp file beside it, then rename).

    Not ``bayes_walk.atomic``: the Bambi runner imports this module from its own venv,
    where bayes_walk is not installed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(_clean(dict(result)), fh, indent=2)
    os.replace(tmp, path)
