"""The simulator's true standardised risks (g-computation at the truth) for risk tests."""

from __future__ import annotations

import json

import numpy as np
import xarray as xr

from bayes_walk.cohort.schema import levels_of


def _curve(cohort: xr.Dataset, name: str, x: np.ndarray) -> np.ndarray:
    true = cohort[f"true_logrr_{name}"]
    (dim,) = true.dims
    return np.interp(x, true[dim].values, true.values)


def true_linear_predictor(cohort: xr.Dataset) -> np.ndarray:
    """log p of every participant as the simulator drew it (attrs ``true_coefficients``)."""
    coef = json.loads(cohort.attrs["true_coefficients"])
    wm = cohort["walking_min"].values
    lp = coef["intercept"] + _curve(cohort, "walking_min", wm)
    lp = lp + _curve(cohort, "walking_mets", cohort["walking_mets"].values)
    lp = lp + coef["age"] * (cohort["age"].values - coef["age_centre"])
    for name in ("sex", "education", "income", "employment", "smoking", "depression"):
        lp = lp + np.asarray(coef[name])[cohort[name].values.astype(int)]
    munis = levels_of(cohort, "municipality")
    effects = np.array([coef["municipality"][m] for m in munis])
    return lp + effects[cohort["municipality"].values.astype(int)]


def true_risk(cohort: xr.Dataset, x: float) -> float:
    """The true average risk if everyone walked ``x`` min/day (others as observed)."""
    lp = true_linear_predictor(cohort)
    wm = cohort["walking_min"].values
    shifted = (
        lp - _curve(cohort, "walking_min", wm) + _curve(cohort, "walking_min", np.full_like(wm, x))
    )
    return float(np.minimum(np.exp(shifted), 0.99).mean())
