"""Monotone non-increasing dose-response from I-splines with non-negative weights.

``f(x) = -sum_k w_k I_k(x)``, ``w_k >= 0``: each I-spline rises from 0 to 1, so every draw
of the curve is non-increasing (more walking never raises the risk). The weights are
``w = total * s`` with ``s ~ Dirichlet(concentration)`` on the simplex: ``total`` is the
whole drop in log-RR across the data range, and its half-normal prior keeps a flat curve
(``total`` near 0) plausible a priori. Knots are at
percentiles of the exposure (default p10/p30/p50/p70/p90, quadratic M-splines); the curve
is flat outside the data range.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bayes_walk.errors import SpecError
from bayes_walk.model.forms.base import (
    check_percentile_list,
    linear_term,
    percentile_value,
    scaling,
)
from bayes_walk.model.forms.form import Form, TermContext
from bayes_walk.model.forms.registry import register_form

OPTIONS: dict[str, Any] = {
    "knots": ["p10", "p30", "p50", "p70", "p90"],
    "degree": 2,
    "concentration": 1.0,
}
DEFAULT_PRIORS: dict[str, dict[str, Any]] = {
    # total drop in log-RR from the lowest to the highest exposure
    "total": {"dist": "HalfNormal", "sigma": 0.5},
}


def check_options(options: dict[str, Any], where: str) -> None:
    if "knots" in options:
        check_percentile_list(options["knots"], f"{where}.knots", 1)
    deg = options.get("degree", 2)
    if isinstance(deg, bool) or not isinstance(deg, int) or not 1 <= deg <= 3:
        raise SpecError(f"{where}.degree must be 1, 2 or 3")
    conc = options.get("concentration", 1.0)
    if isinstance(conc, bool) or not isinstance(conc, int | float) or conc <= 0:
        raise SpecError(f"{where}.concentration must be a number > 0")


def design(
    x: np.ndarray, reference: float, options: dict[str, Any], priors: dict[str, Any] | None = None
) -> dict[str, Any]:
    knots = sorted(
        percentile_value(k, x, "monotone knots") for k in options.get("knots", OPTIONS["knots"])
    )
    lo, hi = float(np.min(x)), float(np.max(x))
    inner = [k for k in knots if lo < k < hi]
    if len(set(np.round(inner, 12))) != len(inner):
        raise SpecError(f"monotone: knots coincide on these data ({knots})")
    deg = int(options.get("degree", 2))
    n_basis = len(inner) + deg + 1
    return {
        **scaling(x),
        "reference": float(reference),
        "lower": lo,
        "upper": hi,
        "inner_knots": inner,
        "degree": deg,
        "concentration": float(options.get("concentration", 1.0)),
        "basis": [f"I{k}" for k in range(1, n_basis + 1)],
    }


def features(x: np.ndarray, design: dict[str, Any]) -> np.ndarray:
    """I-spline basis at ``x`` (values in [0, 1], each non-decreasing in ``x``)."""
    from scipy.interpolate import BSpline

    d = int(design["degree"])
    lo, hi = design["lower"], design["upper"]
    t = np.r_[[lo] * (d + 1), design["inner_knots"], [hi] * (d + 1)]
    u = np.clip(np.asarray(x, dtype=np.float64), lo, hi)
    cols = []
    for k in range(len(t) - d - 1):
        c = np.zeros(len(t) - d - 1)
        c[k] = 1.0
        anti = BSpline(t, c, d, extrapolate=False).antiderivative()
        total = anti(hi) - anti(lo)
        cols.append((anti(u) - anti(lo)) / total)
    return np.clip(np.column_stack(cols), 0.0, 1.0)


@register_form
class Monotone(Form):
    """Non-increasing curve from I-splines with non-negative weights."""

    name = "monotone"
    options = OPTIONS
    default_priors = DEFAULT_PRIORS
    scalar_parameters = ("total",)

    def check_options(self, options, where):
        check_options(options, where)

    def design(self, x, reference, options, priors=None):
        return design(x, reference, options, priors)

    def features(self, x, design):
        return features(x, design)

    def pieces(self, ctx: TermContext) -> list:
        import pymc as pm

        from bayes_walk.spec.priors import make_rv

        e = ctx.exposure
        total = make_rv(f"total_{e}", ctx.priors["total"])
        k = len(ctx.design["basis"])
        share = pm.Dirichlet(
            f"share_{e}", a=np.full(k, ctx.design["concentration"]), dims=(ctx.basis_dim,)
        )
        return linear_term(ctx, -total * share, None, features)
