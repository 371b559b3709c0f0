"""Log-linear dose-response: ``f(x) = slope * x`` (x in units of the p1..p99 range)."""

from __future__ import annotations

from typing import Any

import numpy as np

from bayes_walk.model.forms.base import linear_term, scaled, scaling, stratum_deviation
from bayes_walk.model.forms.form import Form, TermContext
from bayes_walk.model.forms.registry import register_form

OPTIONS: dict[str, Any] = {}
DEFAULT_PRIORS: dict[str, dict[str, Any]] = {
    # log-RR across the whole p1..p99 range: 95% of RRs within 0.23..4.3. Narrower priors
    # pulled the slope of paper-sized cohorts toward 0 (docs/models.md, "Priors scaled to
    # the basis")
    "slope": {"dist": "Normal", "mu": 0.0, "sigma": 0.75},
    # SD of stratum deviations from the global slope
    "stratum_sd": {"dist": "HalfNormal", "sigma": 0.25},
}


def design(
    x: np.ndarray, reference: float, options: dict[str, Any], priors: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Scaling constants fixed from the training data."""
    return {**scaling(x), "reference": float(reference), "basis": ["slope"]}


def features(x: np.ndarray, design: dict[str, Any]) -> np.ndarray:
    return scaled(x, design)[:, None]


@register_form
class Linear(Form):
    """Log-linear curve; optional partially pooled stratum slopes."""

    name = "linear"
    options = OPTIONS
    default_priors = DEFAULT_PRIORS
    supports_strata = True
    scalar_parameters = ("slope",)

    def design(self, x, reference, options, priors=None):
        return design(x, reference, options, priors)

    def features(self, x, design):
        return features(x, design)

    def pieces(self, ctx: TermContext) -> list:
        import pytensor.tensor as pt

        from bayes_walk.spec.priors import make_rv

        slope = make_rv(f"slope_{ctx.exposure}", ctx.priors["slope"])
        return linear_term(ctx, pt.stack([slope]), stratum_deviation(ctx), features)
