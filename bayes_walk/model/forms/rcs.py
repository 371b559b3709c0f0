"""Restricted cubic spline (Harrell's parametrisation) with knots at percentiles.

Default: 3 knots at p10/p50/p90, as the paper's figures; the curve is linear beyond the
outer knots. The exposure is measured in units of its p1..p99 range and every basis
column is divided by its range over p1..p99, so the coefficient priors are on the log-RR
scale per column.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bayes_walk.errors import SpecError
from bayes_walk.model.forms.base import (
    check_percentile_list,
    linear_term,
    percentile_value,
    scaled,
    scaling,
    stratum_deviation,
)
from bayes_walk.model.forms.form import Form, TermContext
from bayes_walk.model.forms.registry import register_form

OPTIONS: dict[str, Any] = {"knots": ["p10", "p50", "p90"]}
DEFAULT_PRIORS: dict[str, dict[str, Any]] = {
    # per basis column (each scaled to unit range over p1..p99)
    "coef": {"dist": "Normal", "mu": 0.0, "sigma": 0.4},
    # SD of stratum deviations of each coefficient
    "stratum_sd": {"dist": "HalfNormal", "sigma": 0.2},
}


def check_options(options: dict[str, Any], where: str) -> None:
    if "knots" in options:
        check_percentile_list(options["knots"], f"{where}.knots", 3)
        if len(options["knots"]) > 7:
            raise SpecError(f"{where}.knots: at most 7 knots")


def _raw_basis(u: np.ndarray, t: np.ndarray) -> np.ndarray:
    k = len(t)
    cols = [u]
    norm = (t[-1] - t[0]) ** 2

    def pos3(v):
        return np.maximum(v, 0.0) ** 3

    for j in range(k - 2):
        c = (
            pos3(u - t[j])
            - pos3(u - t[k - 2]) * (t[k - 1] - t[j]) / (t[k - 1] - t[k - 2])
            + pos3(u - t[k - 1]) * (t[k - 2] - t[j]) / (t[k - 1] - t[k - 2])
        )
        cols.append(c / norm)
    return np.column_stack(cols)


def design(
    x: np.ndarray, reference: float, options: dict[str, Any], priors: dict[str, Any] | None = None
) -> dict[str, Any]:
    sc = scaling(x)
    spec_knots = options.get("knots", OPTIONS["knots"])
    knots = sorted(percentile_value(k, x, "rcs knots") for k in spec_knots)
    if len(set(np.round(knots, 12))) != len(knots):
        raise SpecError(f"rcs: knots {spec_knots} coincide on these data ({knots})")
    d = {**sc, "reference": float(reference), "knots": knots}
    t = scaled(np.asarray(knots), d)
    grid = np.linspace(0.0, 1.0, 201)
    raw = _raw_basis(grid, t)
    d["col_scale"] = np.ptp(raw, axis=0).tolist()
    d["basis"] = ["linear"] + [f"spline{j}" for j in range(1, len(knots) - 1)]
    return d


def features(x: np.ndarray, design: dict[str, Any]) -> np.ndarray:
    t = scaled(np.asarray(design["knots"]), design)
    return _raw_basis(scaled(x, design), t) / np.asarray(design["col_scale"])


@register_form
class RCS(Form):
    """Restricted cubic spline; optional partially pooled stratum coefficients."""

    name = "rcs"
    options = OPTIONS
    default_priors = DEFAULT_PRIORS
    supports_strata = True

    def check_options(self, options, where):
        check_options(options, where)

    def design(self, x, reference, options, priors=None):
        return design(x, reference, options, priors)

    def features(self, x, design):
        return features(x, design)

    def pieces(self, ctx: TermContext) -> list:
        from bayes_walk.spec.priors import make_rv

        coef = make_rv(f"coef_rcs_{ctx.exposure}", ctx.priors["coef"], dims=(ctx.basis_dim,))
        return linear_term(ctx, coef, stratum_deviation(ctx), features)
