"""Restricted cubic spline (Harrell's parametrisation) with knots at percentiles.

Default: 3 knots at p10/p50/p90, as the paper's figures; the curve is linear beyond the
outer knots. The basis spans the same curves as ``rms::rcs``, but is reparametrised so
that each coefficient is the curve's log-RR at one knot against the first knot (a
natural cubic spline is fixed by its values at the knots). The default prior is then a
statement about risk ratios between the data's own percentiles, the same for every
exposure and unit. On the raw basis a Normal prior per coefficient pulled the paper
cohort's curve about a third of the way to flat, because the linear and cubic columns
must take large, opposite coefficients to bend (docs/models.md, "Priors scaled to the
basis").
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

OPTIONS: dict[str, Any] = {"knots": ["p10", "p50", "p90"], "knot_lengthscale": 0.4}
DEFAULT_PRIORS: dict[str, dict[str, Any]] = {
    # amplitude of the knot log-RRs (whitened: see design); with the default knots and
    # knot_lengthscale, RR(p50 vs p10) 95% within 0.53..1.9 and RR(p90 vs p10) 0.28..3.5
    "coef": {"dist": "Normal", "mu": 0.0, "sigma": 0.6},
    # SD of stratum deviations of each coefficient
    "stratum_sd": {"dist": "HalfNormal", "sigma": 0.2},
}


def check_options(options: dict[str, Any], where: str) -> None:
    if "knots" in options:
        check_percentile_list(options["knots"], f"{where}.knots", 3)
        if len(options["knots"]) > 7:
            raise SpecError(f"{where}.knots: at most 7 knots")
    ell = options.get("knot_lengthscale")
    if ell is not None and (isinstance(ell, bool) or not isinstance(ell, int | float) or ell <= 0):
        raise SpecError(f"{where}.knot_lengthscale must be a positive number, got {ell!r}")


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
    # raw coefficients -> curve at knots 2..k minus the curve at knot 1; its inverse maps
    # knot log-RRs back to the raw basis. The knot log-RRs are in turn L @ coef with L the
    # Cholesky factor of their covariance under a unit-amplitude squared-exponential
    # process, so that neighbouring knots move together and the straight extrapolation
    # beyond the outer knots stays plausible where data are thin.
    at_knots = _scaled_basis(np.asarray(knots), d)
    ell = float(options.get("knot_lengthscale", OPTIONS["knot_lengthscale"]))
    d["knot_lengthscale"] = ell
    d["knot_transform"] = (
        np.linalg.inv(at_knots[1:] - at_knots[:1]) @ _knot_factor(t, ell)
    ).tolist()
    d["basis"] = [f"knot{j}" for j in range(2, len(knots) + 1)]
    return d


def _knot_factor(t: np.ndarray, lengthscale: float) -> np.ndarray:
    """Cholesky factor of Cov(f(t_j) - f(t_1)), j >= 2, for a unit-amplitude SE process."""
    K = np.exp(-0.5 * (t[:, None] - t[None, :]) ** 2 / lengthscale**2)
    C = K[1:, 1:] - K[1:, :1] - K[:1, 1:] + K[0, 0]
    return np.linalg.cholesky(C)


def _scaled_basis(x: np.ndarray, design: dict[str, Any]) -> np.ndarray:
    t = scaled(np.asarray(design["knots"]), design)
    return _raw_basis(scaled(x, design), t) / np.asarray(design["col_scale"])


def features(x: np.ndarray, design: dict[str, Any]) -> np.ndarray:
    """Basis whose coefficients are the whitened log-RRs at knots 2..k against knot 1."""
    return _scaled_basis(x, design) @ np.asarray(design["knot_transform"])


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
