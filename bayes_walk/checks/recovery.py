"""Recovery checks: fit shipped specs to simulated cohorts with a known truth and compare.

Pure functions of a fit (and the cohort's stored truth) returning dicts; used by
``scripts/recovery.py`` (full settings, results in ``reports/recovery/``) and by the slow
tests (reduced settings).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import xarray as xr


def _curve_draws(post: xr.Dataset, name: str) -> xr.DataArray:
    return post[name].stack(sample=("chain", "draw"))


def band_coverage(idata, cohort: xr.Dataset, exposure: str = "walking_min") -> dict[str, Any]:
    """Share of grid points where the 95% band of the fitted curve covers the true curve.

    With stratum curves (a ``stratum`` dim in the fit and the truth) the share is given per
    stratum.
    """
    curve = _curve_draws(idata.posterior, f"logrr_{exposure}")
    truth = cohort[f"true_logrr_{exposure}"]
    tgrid = truth[f"truth_{exposure}"].values
    grid = curve[f"{exposure}_grid"].values
    lo = curve.quantile(0.025, dim="sample")
    hi = curve.quantile(0.975, dim="sample")
    med = curve.median("sample")

    def one(t: np.ndarray, lo_: np.ndarray, hi_: np.ndarray, med_: np.ndarray) -> dict[str, float]:
        true_at = np.interp(grid, tgrid, t)
        cov = (true_at >= lo_ - 1e-12) & (true_at <= hi_ + 1e-12)
        return {
            "coverage": float(cov.mean()),
            "max_abs_error_median": float(np.max(np.abs(med_ - true_at))),
            "mean_band_width": float(np.mean(hi_ - lo_)),
        }

    if "stratum" in curve.dims:
        out = {}
        for s in curve["stratum"].values:
            t = truth.sel(stratum=s).values if "stratum" in truth.dims else truth.values
            out[str(s)] = one(
                t, lo.sel(stratum=s).values, hi.sel(stratum=s).values, med.sel(stratum=s).values
            )
        return {"exposure": exposure, "strata": out}
    return {"exposure": exposure, **one(truth.values, lo.values, hi.values, med.values)}


def quartile_agreement(idata, cohort: xr.Dataset, exposure: str) -> dict[str, Any]:
    """Posterior median RRs of a categorical fit beside modified-Poisson RRs on the same data."""
    from bayes_walk.checks.frequentist import modified_poisson

    cats = json.loads(idata.attrs["categories"])[exposure]
    draws = _curve_draws(idata.posterior, f"logrr_{exposure}_cat")
    bayes = np.exp(draws.median("sample").values)
    freq = modified_poisson(cohort, exposure=exposure, other="linear", cuts=cats["cuts"])
    rows = []
    for lab, b in zip(cats["labels"], bayes, strict=True):
        f = float(freq.loc[freq["category"] == lab, "rr"].iloc[0])
        rows.append({"category": lab, "bayes_median_rr": float(b), "modified_poisson_rr": f})
    diff = max(abs(r["bayes_median_rr"] - r["modified_poisson_rr"]) for r in rows)
    return {"exposure": exposure, "rows": rows, "max_abs_diff": float(diff)}


def tau_interval(idata, exposure: str = "walking_min") -> dict[str, float]:
    """Posterior median and 95% interval of the changepoint."""
    tau = idata.posterior[f"tau_{exposure}"].values.ravel()
    lo, med, hi = np.quantile(tau, [0.025, 0.5, 0.975])
    return {"median": float(med), "lo": float(lo), "hi": float(hi)}


def monotone_share(idata, exposure: str) -> float:
    """Share of posterior draws whose curve is non-increasing on the grid."""
    c = idata.posterior[f"logrr_{exposure}"].values
    return float(np.mean(np.all(np.diff(c, axis=-1) <= 1e-12, axis=-1)))


def stratum_difference(idata, cohort: xr.Dataset, x: float, exposure: str = "walking_min") -> dict:
    """Posterior of the difference between two stratum curves at ``x`` and the true one."""
    curve = _curve_draws(idata.posterior, f"logrr_{exposure}")
    labels = [str(s) for s in curve["stratum"].values]
    grid = curve[f"{exposure}_grid"].values
    a, b = (curve.sel(stratum=s) for s in labels[:2])
    diff = np.array(
        [
            np.interp(x, grid, a.values[:, i]) - np.interp(x, grid, b.values[:, i])
            for i in range(a.sizes["sample"])
        ]
    )
    truth = cohort[f"true_logrr_{exposure}"]
    tg = truth[f"truth_{exposure}"].values
    true_diff = float(
        np.interp(x, tg, truth.sel(stratum=labels[0]).values)
        - np.interp(x, tg, truth.sel(stratum=labels[1]).values)
    )
    lo, med, hi = np.quantile(diff, [0.025, 0.5, 0.975])
    return {
        "x": float(x),
        "strata": labels[:2],
        "true_difference": true_diff,
        "posterior": {"median": float(med), "lo": float(lo), "hi": float(hi)},
        "prob_same_sign_as_truth": float(np.mean(np.sign(diff) == np.sign(true_diff))),
    }
