"""Prior spread of each exposure's curve and the prior curve figure (``bayes-walk prior``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from bayes_walk.checks.prior_check import prior_curve_draws
from bayes_walk.spec.in_force import priors_in_force


def round_values(design: dict[str, Any], k: int = 5) -> np.ndarray:
    """At most ``k`` round values inside the curve's range (the data's p1..p99).

    The step is the smallest of 1, 2, 2.5 or 5 times a power of ten that gives at most
    ``k`` values (e.g. 50, 100, 150, 200 min/day).
    """
    lo, hi = design["p1"], design["p99"]
    mag = 10.0 ** np.floor(np.log10(max(hi - lo, 1e-12) / k))
    for step in (m * mag for m in (1.0, 2.0, 2.5, 5.0, 10.0, 20.0)):
        xs = np.arange(np.ceil(lo / step) * step, hi + 1e-9 * step, step)
        if len(xs) <= k:
            return np.round(xs, 10)
    return np.round(xs, 10)


def _prior_logrr(built, prior, exposure: str, x: np.ndarray) -> xr.DataArray:
    """Prior draws of log RR at ``x`` vs the exposure's reference (draws flattened)."""
    from bayes_walk.model.forms import get_form

    d = built.designs["exposures"][exposure]
    pred = get_form(d["form"]).predict(np.asarray(x, dtype=float), prior, d, exposure)
    other = [dim for dim in pred.dims if dim not in ("chain", "draw", "x")]
    if other:  # stratum curves: the first stratum stands for the prior (they share it)
        pred = pred.isel({dim: 0 for dim in other})
    return pred.stack(sample=("chain", "draw")).transpose("sample", "x")


def prior_summary(spec, cohort: xr.Dataset, *, draws: int = 500, seed: int = 0) -> dict[str, Any]:
    """Priors in force, prior RR spread per exposure and the plausibility check.

    See :func:`prior_summary_and_draws` (this drops the draws).
    """
    return prior_summary_and_draws(spec, cohort, draws=draws, seed=seed)[0]


def prior_summary_and_draws(spec, cohort: xr.Dataset, *, draws: int = 500, seed: int = 0):
    """``(summary, built, prior)``: the summary dict, the built model and its prior draws.

    Returns
    -------
    dict
        ``{"model", "draws", "priors", "exposures": {name: {"form", "reference", "rr":
        [{"x", "median", "lo", "hi"}]}}, "check"}``; ``check`` is
        the plausibility check of :func:`~bayes_walk.checks.prior_check.prior_predictive_check`
        for walking_min (share of prior RR(200 vs 78) within 0.3..3), on the same draws;
        ``None`` when the spec has no walking_min curve.
    """
    built, prior = prior_curve_draws(spec, cohort, draws=draws, seed=seed)
    exposures = {}
    for name in spec.exposures:
        d = built.designs["exposures"][name]
        xs = round_values(d)
        rr = np.exp(_prior_logrr(built, prior, name, xs).values)
        q = np.quantile(rr, [0.5, 0.025, 0.975], axis=0)
        exposures[name] = {
            "form": d["form"],
            "reference": float(d["reference"]),
            "rr": [
                {"x": float(x), "median": float(m), "lo": float(lo), "hi": float(hi)}
                for x, m, lo, hi in zip(xs, *q, strict=True)
            ],
        }
    check = None
    if "walking_min" in spec.exposures:
        x, versus, band = 200.0, 78.0, (0.3, 3.0)
        logrr = _prior_logrr(built, prior, "walking_min", np.array([x, versus])).values
        rr = np.exp(logrr[:, 0] - logrr[:, 1])
        check = {
            "exposure": "walking_min",
            "x": x,
            "versus": versus,
            "band": list(band),
            "fraction_in_band": float(np.mean((rr >= band[0]) & (rr <= band[1]))),
            "rr_quantiles": np.quantile(rr, [0.025, 0.5, 0.975]).tolist(),
        }
    summary = {
        "model": spec.name,
        "draws": int(draws),
        "priors": priors_in_force(spec),
        "exposures": exposures,
        "check": check,
    }
    return summary, built, prior


def prior_figure(built, prior, exposure: str, *, lines: int = 50, seed: int = 0):
    """Prior curve draws of ``exposure``: spaghetti lines, the 95% band, log RR axis."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    d = built.designs["exposures"][exposure]
    grid = np.linspace(d["p1"], d["p99"], 80)
    rr = np.exp(_prior_logrr(built, prior, exposure, grid).values)
    pick = np.random.default_rng(seed).choice(rr.shape[0], min(lines, rr.shape[0]), replace=False)
    lo, hi = np.quantile(rr, [0.025, 0.975], axis=0)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.fill_between(grid, lo, hi, color="tab:blue", alpha=0.2, label="95% prior interval")
    ax.plot(grid, rr[pick].T, color="tab:blue", lw=0.6, alpha=0.5)
    ax.axhline(1.0, color="k", lw=0.8)
    ax.axvline(d["reference"], color="k", ls="--", lw=0.8, label=f"reference {d['reference']:g}")
    ax.set_yscale("log")
    from matplotlib.ticker import FormatStrFormatter

    ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
    ax.yaxis.set_minor_formatter(FormatStrFormatter("%g"))
    ax.set_xlabel(exposure)
    ax.set_ylabel("RR vs reference (prior)")
    ax.set_title(f"Prior curves: {exposure} ({d['form']})")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig
