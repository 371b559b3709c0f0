"""Changepoint (plateau) dose-response: the log-RR changes linearly up to ``tau`` and is
exactly flat after it.

``f(x) = slope * (min(u, tau) - min(u_ref, tau))`` with ``u`` the exposure in units of its
p1..p99 range. ``tau`` has a uniform prior over ``tau_range`` (default the data's p1..p99)
and is stored in the exposure's units as ``tau_<exposure>``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bayes_walk.errors import SpecError
from bayes_walk.model.forms.base import check_percentile_list, percentile_value, scaled, scaling
from bayes_walk.model.forms.form import Form, TermContext
from bayes_walk.model.forms.registry import register_form

OPTIONS: dict[str, Any] = {"tau_range": ["p1", "p99"]}
DEFAULT_PRIORS: dict[str, dict[str, Any]] = {
    # log-RR change per p1..p99 range before the changepoint: RR 95% within 0.14..7
    "slope": {"dist": "Normal", "mu": 0.0, "sigma": 1.0},
}


def check_options(options: dict[str, Any], where: str) -> None:
    if "tau_range" in options:
        check_percentile_list(options["tau_range"], f"{where}.tau_range", 2)
        if len(options["tau_range"]) != 2:
            raise SpecError(f"{where}.tau_range must have two values")


def design(
    x: np.ndarray, reference: float, options: dict[str, Any], priors: dict[str, Any] | None = None
) -> dict[str, Any]:
    lo, hi = (percentile_value(v, x, "tau_range") for v in options.get("tau_range", ["p1", "p99"]))
    if not lo < hi:
        raise SpecError(f"changepoint: tau_range must be increasing, got {lo:g}..{hi:g}")
    return {**scaling(x), "reference": float(reference), "tau_low": lo, "tau_high": hi}


def _curve_np(u: np.ndarray, slope: np.ndarray, tau: np.ndarray, u_ref: float) -> np.ndarray:
    return slope[..., None] * (np.minimum(u, tau[..., None]) - np.minimum(u_ref, tau[..., None]))


def pieces(ctx: TermContext) -> list:
    """Slope and changepoint; the term is a per-participant vector (not linear in tau)."""
    import pymc as pm
    import pytensor.tensor as pt

    from bayes_walk.model.pieces import Vector
    from bayes_walk.spec.priors import make_rv

    e, d = ctx.exposure, ctx.design
    lo_u, hi_u = scaled(np.array([d["tau_low"], d["tau_high"]]), d)
    u_ref = float(scaled(np.array([d["reference"]]), d)[0])
    slope = make_rv(f"slope_{e}", ctx.priors["slope"])
    tau_u = pm.Uniform(f"tau_{e}_scaled", lower=float(lo_u), upper=float(hi_u))
    pm.Deterministic(f"tau_{e}", d["center"] + d["scale"] * tau_u)
    ug = pt.constant(scaled(ctx.grid, d))
    pm.Deterministic(
        f"logrr_{e}",
        slope * (pt.minimum(ug, tau_u) - pt.minimum(u_ref, tau_u)),
        dims=(ctx.grid_dim,),
    )
    u = ctx.data[f"x_{e}"]
    return [Vector(slope * (pt.minimum(u, tau_u) - pt.minimum(u_ref, tau_u)))]


def predict(x: np.ndarray, posterior, design: dict[str, Any], exposure: str):
    """Log-RR versus the reference at ``x`` from the ``slope`` and ``tau`` draws."""
    import xarray as xr

    x = np.asarray(x, dtype=np.float64)
    slope = posterior[f"slope_{exposure}"]
    tau_u = posterior[f"tau_{exposure}_scaled"]
    u_ref = float(scaled(np.array([design["reference"]]), design)[0])
    vals = _curve_np(scaled(x, design), slope.values, tau_u.values, u_ref)
    return xr.DataArray(vals, dims=(*slope.dims, "x"), coords={**slope.coords, "x": x})


@register_form
class Changepoint(Form):
    """Linear up to a changepoint ``tau``, flat after."""

    name = "changepoint"
    options = OPTIONS
    default_priors = DEFAULT_PRIORS
    scalar_parameters = ("tau", "slope")

    def check_options(self, options, where):
        check_options(options, where)

    def design(self, x, reference, options, priors=None):
        return design(x, reference, options, priors)

    def pieces(self, ctx: TermContext) -> list:
        return pieces(ctx)

    def predict(self, x, posterior, design, exposure):
        return predict(x, posterior, design, exposure)
