"""Log-linear dose-response: ``f(x) = slope * x`` (x in units of the p1..p99 range)."""

from __future__ import annotations

from typing import Any

import numpy as np

from bayes_walk.model.forms.base import (
    TermContext,
    TermResult,
    linear_term,
    predict_linear,
    relative_grid_features,
    scaled,
    scaling,
    stratum_deviation,
)

OPTIONS: dict[str, Any] = {}
SUPPORTS_STRATA = True
DEFAULT_PRIORS: dict[str, dict[str, Any]] = {
    # log-RR across the whole p1..p99 range: 95% of RRs within 0.23..4.3. Narrower priors
    # pulled the slope of paper-sized cohorts toward 0 (docs/models.md, "Priors scaled to
    # the basis")
    "slope": {"dist": "Normal", "mu": 0.0, "sigma": 0.75},
    # SD of stratum deviations from the global slope
    "stratum_sd": {"dist": "HalfNormal", "sigma": 0.25},
}


def check_options(options: dict[str, Any], where: str) -> None:
    """No options."""


def design(
    x: np.ndarray, reference: float, options: dict[str, Any], priors: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Scaling constants fixed from the training data."""
    return {**scaling(x), "reference": float(reference), "basis": ["slope"]}


def features(x: np.ndarray, design: dict[str, Any]) -> np.ndarray:
    return scaled(x, design)[:, None]


def build(ctx: TermContext) -> TermResult:
    """Slope with optional partially pooled stratum slopes."""
    import pytensor.tensor as pt

    from bayes_walk.spec.priors import make_rv

    slope = make_rv(f"slope_{ctx.exposure}", ctx.priors["slope"])
    coef = pt.stack([slope])
    dev = stratum_deviation(ctx)
    gf = relative_grid_features(ctx, features)
    return linear_term(ctx, coef, dev, gf)


def predict(x: np.ndarray, posterior, design: dict[str, Any], exposure: str):
    """Log-RR versus the reference at ``x``."""
    return predict_linear(x, posterior, design, exposure, features)
