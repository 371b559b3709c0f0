"""Plateau dose-response: a flexible curve up to an explicit onset ``tau``, flat after it.

With ``u`` the exposure in units of its p1..p99 range (p1 at 0),

- ``s(u) = tau - width * softplus((tau - u) / width)``: a soft minimum of ``u`` and
  ``tau``. It equals ``u`` well below ``tau`` and ``tau`` well above, with a continuous
  derivative ``sigmoid((tau - u) / width)``; ``width`` (range units) sets how sharp the
  transition is (0 would be ``min(u, tau)``);
- ``v = s / tau``: the position as a fraction of the way from p1 to the onset, so the
  shape below the onset does not move when ``tau`` does;
- ``h(v) = sum_j c_j B_{j,K}(v)``: a Bernstein polynomial of degree ``K`` with
  ``c_0 = 0`` and ``c_K = 1`` (``h(0) = 0``, ``h(1) = 1``). With ``monotone = true``
  (default) ``c = cumsum(share)``, ``share ~ Dirichlet(concentration)``, so ``h`` is
  non-decreasing; otherwise the interior ``c_j ~ Normal(j / K, shape_sd)`` around the
  straight line. Below p1 (``v < 0``) ``h`` continues along its tangent at 0;
- ``f(u) = delta * h(v)``: ``delta`` is the total change of the log-RR from p1 to the
  onset (negative: risk falls with more walking).

Beyond the onset the curve is flat (to within ``delta * width / tau * exp(-(u - tau) /
width)``). The log-RR is stored as ``logrr_<exposure> = f(grid) - f(reference)``, the
onset as ``tau_<exposure>`` and the width as ``width_<exposure>`` in the exposure's units.
In the likelihood the curve is evaluated at ``interp_points`` evenly spaced knots over the
data's range (widened by half a range unit each side) and interpolated linearly
(a :class:`~bayes_walk.model.pieces.KnotCurve`); ``interp_points = 0`` evaluates it at
every participant (a :class:`~bayes_walk.model.pieces.Vector`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from bayes_walk.errors import SpecError
from bayes_walk.model.forms.base import (
    check_percentile_list,
    interpolation_knots,
    percentile_value,
    scaled,
    scaling,
)
from bayes_walk.model.forms.form import Form, TermContext
from bayes_walk.model.forms.registry import register_form

OPTIONS: dict[str, Any] = {
    "tau_range": ["p5", "p95"],
    "monotone": True,
    "degree": 3,
    "concentration": 2.0,
    "width": None,
    "interp_points": None,
}
# Knots over the data's range widened by MARGIN range units on each side (so a cohort
# simulated from the same design stays inside); docs/models.md gives the error bound.
DEFAULT_INTERP_POINTS = 2048
MARGIN = 0.5
DEFAULT_PRIORS: dict[str, dict[str, Any]] = {
    # total change of the log-RR from p1 to the onset: RR 95% within 0.38..2.7
    "delta": {"dist": "Normal", "mu": 0.0, "sigma": 0.5},
    # transition width in range units: 95% within 0.011..0.08 (about 2.5..18 min/day on
    # the paper cohort), from nearly a kink to a gentle bend
    "width": {"dist": "LogNormal", "mu": math.log(0.03), "sigma": 0.5},
    # interior Bernstein coefficients around the straight line (monotone = false only)
    "shape_sd": {"dist": "HalfNormal", "sigma": 0.5},
}


def check_options(options: dict[str, Any], where: str) -> None:
    if "tau_range" in options:
        check_percentile_list(options["tau_range"], f"{where}.tau_range", 2)
        if len(options["tau_range"]) != 2:
            raise SpecError(f"{where}.tau_range must have two values")
    if not isinstance(options.get("monotone", True), bool):
        raise SpecError(f"{where}.monotone must be true or false")
    deg = options.get("degree", 3)
    if isinstance(deg, bool) or not isinstance(deg, int) or not 1 <= deg <= 8:
        raise SpecError(f"{where}.degree must be an integer between 1 and 8, got {deg!r}")
    conc = options.get("concentration", 2.0)
    if isinstance(conc, bool) or not isinstance(conc, int | float) or conc <= 0:
        raise SpecError(f"{where}.concentration must be a number > 0, got {conc!r}")
    w = options.get("width")
    if w is not None and (isinstance(w, bool) or not isinstance(w, int | float) or w <= 0):
        raise SpecError(
            f"{where}.width must be a number > 0 (range units) to fix the transition width, "
            f"got {w!r}"
        )
    k = options.get("interp_points")
    if k is not None and (
        isinstance(k, bool) or not isinstance(k, int) or not (k == 0 or 64 <= k <= 100_000)
    ):
        raise SpecError(
            f"{where}: interp_points must be 0 (exact) or an integer between 64 and 100000, "
            f"got {k!r}"
        )


def design(
    x: np.ndarray, reference: float, options: dict[str, Any], priors: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Scaling, onset range, shape degree, centring point and knots, from training data."""
    sc = scaling(x)
    rng = options.get("tau_range", OPTIONS["tau_range"])
    lo, hi = (percentile_value(v, x, "tau_range") for v in rng)
    if not lo < hi:
        raise SpecError(f"plateau: tau_range must be increasing, got {lo:g}..{hi:g}")
    if lo <= sc["p1"]:
        # v = s / tau needs the onset above p1 (u = 0)
        raise SpecError(
            f"plateau: tau_range must start above the data's p1 ({sc['p1']:.4g}), got {lo:g}"
        )
    deg = int(options.get("degree", OPTIONS["degree"]))
    monotone = bool(options.get("monotone", True))
    width = options.get("width")
    out: dict[str, Any] = {
        **sc,
        "reference": float(reference),
        "tau_low": lo,
        "tau_high": hi,
        "degree": deg,
        "monotone": monotone,
        "concentration": float(options.get("concentration", OPTIONS["concentration"])),
        "width": None if width is None else float(width),
        # the likelihood's curve is centred here (the intercept is the log risk at the
        # median exposure, not correlated with delta the way a reference at the edge is)
        "centre": float(np.median(x)),
    }
    basis = [f"w{j}" for j in range(1, deg + 1)] if monotone else [f"c{j}" for j in range(1, deg)]
    if deg > 1:
        out["basis"] = basis
    if not monotone and deg < 2:
        raise SpecError("plateau: monotone = false needs degree >= 2 (a free interior shape)")
    points = options.get("interp_points")
    points = DEFAULT_INTERP_POINTS if points is None else int(points)
    if points:
        pad = MARGIN * sc["scale"]
        out["interp"] = {
            "lo": float(np.min(x)) - pad,
            "hi": float(np.max(x)) + pad,
            "points": points,
        }
    return out


def curve(u, tau, width, coefs, lib=np):
    """``h(v(u))`` (without ``delta``) for numpy or pytensor.

    ``coefs`` is the list ``c_0..c_K`` (each broadcastable against ``u``); ``tau`` and
    ``width`` broadcast against ``u`` too. ``lib`` is ``numpy`` or ``pytensor.tensor``.
    """
    z = (tau - u) / width
    softplus = lib.maximum(z, 0.0) + lib.log1p(lib.exp(-abs(z)))
    v = (tau - width * softplus) / tau
    k = len(coefs) - 1
    vc = lib.clip(v, 0.0, 1.0)
    h = 0.0
    for j, c in enumerate(coefs):
        if j == 0:
            continue  # c_0 = 0
        h = h + c * (math.comb(k, j) * vc**j * (1.0 - vc) ** (k - j))
    # the tangent at v = 0 below p1: h'(0) = K c_1 (continuous derivative)
    return h + k * coefs[1] * lib.minimum(v, 0.0)


def _coefs_pt(ctx: TermContext):
    """Bernstein coefficients ``c_0..c_K`` as a list of pytensor scalars."""
    import pymc as pm
    import pytensor.tensor as pt

    from bayes_walk.spec.priors import make_rv

    e, d = ctx.exposure, ctx.design
    k = int(d["degree"])
    if k == 1:
        return [pt.constant(0.0), pt.constant(1.0)]
    if d["monotone"]:
        share = pm.Dirichlet(f"share_{e}", a=np.full(k, d["concentration"]), dims=(ctx.basis_dim,))
        c = pt.cumsum(share)
        return [pt.constant(0.0)] + [c[j] for j in range(k - 1)] + [pt.constant(1.0)]
    sd = make_rv(f"shape_sd_{e}", ctx.priors["shape_sd"])
    z = pm.Normal(f"shape_z_{e}", 0.0, 1.0, dims=(ctx.basis_dim,))
    inner = [j / k + sd * z[j - 1] for j in range(1, k)]
    return [pt.constant(0.0), *inner, pt.constant(1.0)]


def pieces(ctx: TermContext) -> list:
    """Onset, width, total change and shape; the curve read off knots (or per person)."""
    import pymc as pm
    import pytensor.tensor as pt

    from bayes_walk.model.pieces import KnotCurve, Vector
    from bayes_walk.spec.priors import make_rv

    e, d = ctx.exposure, ctx.design
    lo_u, hi_u = scaled(np.array([d["tau_low"], d["tau_high"]]), d)
    u_ref = float(scaled(np.array([d["reference"]]), d)[0])
    u_mid = float(scaled(np.array([d["centre"]]), d)[0])
    delta = make_rv(f"delta_{e}", ctx.priors["delta"])
    tau_u = pm.Uniform(f"tau_{e}_scaled", lower=float(lo_u), upper=float(hi_u))
    pm.Deterministic(f"tau_{e}", d["center"] + d["scale"] * tau_u)
    if d["width"] is None:
        width = make_rv(f"width_{e}_scaled", ctx.priors["width"])
        pm.Deterministic(f"width_{e}", d["scale"] * width)
    else:
        width = pt.constant(float(d["width"]))
    coefs = _coefs_pt(ctx)

    def f(u):
        return delta * curve(u, tau_u, width, coefs, lib=pt)

    fg = f(pt.constant(scaled(ctx.grid, d)))
    at_ref = np.flatnonzero(ctx.grid == d["reference"])
    # the grid holds the reference: subtract that very element, so the curve is exactly 0
    f_ref = fg[int(at_ref[0])] if at_ref.size else f(u_ref)
    pm.Deterministic(f"logrr_{e}", fg - f_ref, dims=(ctx.grid_dim,))
    if "interp" in d:
        knots = pt.constant(scaled(interpolation_knots(d), d))
        return [KnotCurve(f(knots) - f(u_mid), ctx.data[f"i_{e}"], ctx.data[f"w_{e}"])]
    return [Vector(f(ctx.data[f"x_{e}"]) - f(u_mid))]


def _coefs_np(posterior, design: dict[str, Any], exposure: str) -> list[np.ndarray]:
    """Bernstein coefficients per draw, each (draw_flat, 1)."""
    k = int(design["degree"])
    if k == 1:
        inner = []
    elif design["monotone"]:
        share = posterior[f"share_{exposure}"].values
        c = np.cumsum(share.reshape(-1, k), axis=1)
        inner = [c[:, j, None] for j in range(k - 1)]
    else:
        z = posterior[f"shape_z_{exposure}"].values.reshape(-1, k - 1)
        sd = posterior[f"shape_sd_{exposure}"].values.reshape(-1, 1)
        inner = [j / k + sd * z[:, j - 1, None] for j in range(1, k)]
    n = inner[0].shape[0] if inner else posterior[f"delta_{exposure}"].values.size
    return [np.zeros((n, 1)), *inner, np.ones((n, 1))]


def predict(x: np.ndarray, posterior, design: dict[str, Any], exposure: str):
    """Log-RR versus the reference at ``x`` from the posterior draws."""
    import xarray as xr

    x = np.asarray(x, dtype=np.float64)
    delta = posterior[f"delta_{exposure}"]
    n = delta.values.size
    tau = posterior[f"tau_{exposure}_scaled"].values.reshape(n, 1)
    if design["width"] is None:
        width = posterior[f"width_{exposure}_scaled"].values.reshape(n, 1)
    else:
        width = np.full((n, 1), float(design["width"]))
    coefs = _coefs_np(posterior, design, exposure)
    u = scaled(x, design)[None, :]
    u_ref = float(scaled(np.array([design["reference"]]), design)[0])
    dv = delta.values.reshape(n, 1)
    vals = dv * curve(u, tau, width, coefs) - dv * curve(np.array([[u_ref]]), tau, width, coefs)
    return xr.DataArray(
        vals.reshape(*delta.shape, x.size),
        dims=(*delta.dims, "x"),
        coords={**delta.coords, "x": x},
    )


@register_form
class Plateau(Form):
    """A flexible (by default monotone) curve up to an onset ``tau``, flat after it."""

    name = "plateau"
    options = OPTIONS
    default_priors = DEFAULT_PRIORS
    scalar_parameters = ("tau", "delta")

    def check_options(self, options, where):
        check_options(options, where)

    def design(self, x, reference, options, priors=None):
        return design(x, reference, options, priors)

    def pieces(self, ctx: TermContext) -> list:
        return pieces(ctx)

    def predict(self, x, posterior, design, exposure):
        return predict(x, posterior, design, exposure)
