"""Hilbert-space approximate Gaussian process (HSGP) dose-response.

``f(x) = sum_j phi_j(x) * coef_j``, ``coef_j ~ N(0, S(w_j))``, with the Laplacian
eigenfunctions ``phi_j`` of ``[-L, L]`` and the exponentiated-quadratic spectral density
``S`` (``kernel = "matern32"`` or ``"matern52"`` swap in the Matérn densities). The
weights are sampled non-centred (``coef_j = sqrt(S(w_j)) * z_j``, ``z_j ~ N(0, 1)``) or,
where the data pin the curve down, through the data-informed transform of
:mod:`bayes_walk.model.forms.informed` (option ``parametrisation``: ``"auto"`` decides by
the cohort's information, :mod:`bayes_walk.model.information`). The exposure is measured
in units of its p1..p99 range and centred at the middle of the data; ``L = c * S_x`` with ``S_x`` the half-width of the data, fixed from the training
data and stored in the design so that predictions at new ``x`` use the same basis. ``m``
and ``c`` come from ``pm.gp.hsgp_approx.approx_hsgp_hyperparams`` applied to the central 90%
of the lengthscale prior unless the spec sets them. The basis of the data is computed once
in numpy and centred on its training means (the intercept absorbs the constant).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from bayes_walk.errors import SpecError
from bayes_walk.model.forms.base import linear_term, scaling, zero_sum_strata
from bayes_walk.model.forms.form import Form, TermContext
from bayes_walk.model.forms.informed import PARAMETRISATIONS, informed_transform
from bayes_walk.model.forms.registry import register_form

OPTIONS: dict[str, Any] = {
    "m": None,
    "c": None,
    "interp_points": None,
    "kernel": "expquad",
    "parametrisation": "auto",
}
# The covariance's spectral density in 1D (the names of pm.gp.hsgp_approx's heuristics).
KERNELS = ("expquad", "matern32", "matern52")
# Knots over [-L, L] at which the curve is evaluated and then linearly interpolated to the
# participants (0: the exact n x m basis); docs/models.md gives the error bound.
DEFAULT_INTERP_POINTS = 2048
DEFAULT_PRIORS: dict[str, dict[str, Any]] = {
    # marginal SD of f on the log-RR scale
    "amplitude": {"dist": "HalfNormal", "sigma": 0.3},
    # in units of the p1..p99 range: 95% within 0.14..0.85. Shorter than this wiggles
    # implausibly; the paper truth's step (about 0.2 units wide) needs the lower end.
    "lengthscale": {"dist": "LogNormal", "mu": math.log(0.35), "sigma": 0.45},
    # marginal SD of each stratum's deviation curve (shares the global lengthscale); with
    # few strata this prior is barely updated, so it must allow real differences
    "stratum_amplitude": {"dist": "HalfNormal", "sigma": 0.3},
}
MAX_M = 60


def check_options(options: dict[str, Any], where: str) -> None:
    m, c = options.get("m"), options.get("c")
    if m is not None and (isinstance(m, bool) or not isinstance(m, int) or not 3 <= m <= 200):
        raise SpecError(f"{where}: m must be an integer between 3 and 200, got {m!r}")
    if c is not None and (not isinstance(c, int | float) or c < 1.1):
        raise SpecError(f"{where}: c must be a number >= 1.1, got {c!r}")
    kernel = options.get("kernel", "expquad")
    if kernel not in KERNELS:
        raise SpecError(f"{where}: kernel must be one of {', '.join(KERNELS)}, got {kernel!r}")
    par = options.get("parametrisation", "auto")
    if par not in PARAMETRISATIONS:
        raise SpecError(
            f"{where}: parametrisation must be one of {', '.join(PARAMETRISATIONS)}, got {par!r}"
        )
    k = options.get("interp_points")
    if k is not None and (
        isinstance(k, bool) or not isinstance(k, int) or not (k == 0 or 64 <= k <= 100_000)
    ):
        raise SpecError(
            f"{where}: interp_points must be 0 (exact basis) or an integer between 64 and "
            f"100000, got {k!r}"
        )


def _scipy_prior(prior: dict[str, Any]):
    from scipy import stats

    d = prior["dist"]
    if d == "LogNormal":
        dist = stats.lognorm(s=prior["sigma"], scale=math.exp(prior["mu"]))
    elif d == "InverseGamma":
        dist = stats.invgamma(prior["alpha"], scale=prior["beta"])
    elif d == "Gamma":
        dist = stats.gamma(prior["alpha"], scale=1.0 / prior["beta"])
    elif d == "HalfNormal":
        dist = stats.halfnorm(scale=prior["sigma"])
    elif d == "Exponential":
        dist = stats.expon(scale=1.0 / prior["lam"])
    else:  # HalfStudentT
        dist = stats.halfnorm(scale=prior["sigma"])
    return dist


def prior_median(prior: dict[str, Any]) -> float:
    """Median of a positive scalar prior (amplitude, lengthscale)."""
    return float(_scipy_prior(prior).median())


def _lengthscale_range(prior: dict[str, Any]) -> tuple[float, float]:
    dist = _scipy_prior(prior)
    # central 90%: the heuristic's m grows with the ratio of the two ends, and the far
    # tails of the lengthscale prior matter little for a dose-response curve
    return float(dist.ppf(0.05)), float(dist.ppf(0.95))


def design(
    x: np.ndarray, reference: float, options: dict[str, Any], priors: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Basis constants fixed from training data: centre, unit, boundary L, m."""
    from pymc.gp.hsgp_approx import approx_hsgp_hyperparams

    sc = scaling(x)
    lo, hi = float(np.min(x)), float(np.max(x))
    mid = (lo + hi) / 2.0
    half = (hi - lo) / 2.0 / sc["scale"]
    ls = _lengthscale_range((priors or DEFAULT_PRIORS)["lengthscale"])
    kernel = options.get("kernel") or "expquad"
    m_auto, c_auto = approx_hsgp_hyperparams([-half, half], [max(ls[0], 1e-3), ls[1]], kernel)
    m = int(options.get("m") or min(max(m_auto, 8), MAX_M))
    c = float(options.get("c") or c_auto)
    points = options.get("interp_points")
    points = DEFAULT_INTERP_POINTS if points is None else int(points)
    out: dict[str, Any] = {
        **sc,
        "mid": mid,
        "half_width": half,
        "c": c,
        "L": c * half,
        "m": m,
        "kernel": kernel,
        "parametrisation": options.get("parametrisation") or "auto",
        "reference": float(reference),
        "basis": [f"phi{j}" for j in range(1, m + 1)],
    }
    if points:
        # a hair inside +-L so that rounding never puts an end knot beyond the boundary
        reach = c * half * sc["scale"] * (1.0 - 1e-9)
        out["interp"] = {"lo": mid - reach, "hi": mid + reach, "points": points}
    return out


def _omega(design: dict[str, Any]) -> np.ndarray:
    return math.pi * np.arange(1, design["m"] + 1) / (2.0 * design["L"])


def features(x: np.ndarray, design: dict[str, Any]) -> np.ndarray:
    """Eigenfunctions ``phi_j`` at ``x``; NaN outside the boundary ``[-L, L]``."""
    L = design["L"]
    u = (np.asarray(x, dtype=np.float64) - design["mid"]) / design["scale"]
    phi = np.sqrt(1.0 / L) * np.sin(np.outer(u + L, _omega(design)))
    phi[np.abs(u) > L] = np.nan
    return phi


def sqrt_psd(amplitude, lengthscale, omega: np.ndarray, kernel: str = "expquad", xp=None):
    """``amplitude * sqrt(S(omega))`` of the unit-variance 1D spectral density ``S``.

    Symbolic (PyTensor) by default; ``xp=numpy`` evaluates it for numbers.
    """
    if xp is None:
        import pytensor.tensor as xp

    lw2 = (lengthscale * omega) ** 2
    if kernel == "matern32":
        # S = 4 3^(3/2) l (3 + l^2 w^2)^-2, as pm.gp.cov.Matern32 with D = 1
        return amplitude * xp.sqrt(4.0 * 3.0**1.5 * lengthscale) / (3.0 + lw2)
    if kernel == "matern52":
        # S = (16/3) 5^(5/2) l (5 + l^2 w^2)^-3, as pm.gp.cov.Matern52 with D = 1
        return amplitude * xp.sqrt(16.0 / 3.0 * 5.0**2.5 * lengthscale) * (5.0 + lw2) ** -1.5
    return amplitude * xp.sqrt(xp.sqrt(2.0 * math.pi) * lengthscale) * xp.exp(-0.25 * lw2)


def reference_prior_sd(design: dict[str, Any], priors: dict[str, Any]) -> np.ndarray:
    """Prior SD of each basis weight at the median amplitude and lengthscale."""
    amp, ell = prior_median(priors["amplitude"]), prior_median(priors["lengthscale"])
    return sqrt_psd(amp, ell, _omega(design), design.get("kernel", "expquad"), xp=np)


def pieces(ctx: TermContext) -> list:
    """HSGP coefficients, non-centred or informed (by the design); stratum deviations
    share the lengthscale and are non-centred."""
    import pymc as pm

    from bayes_walk.spec.priors import make_rv

    e = ctx.exposure
    omega = _omega(ctx.design)
    # designs written before the option existed are exponentiated-quadratic
    kernel = ctx.design.get("kernel", "expquad")
    amp = make_rv(f"amplitude_{e}", ctx.priors["amplitude"])
    ell = make_rv(f"lengthscale_{e}", ctx.priors["lengthscale"])
    s = sqrt_psd(amp, ell, omega, kernel)
    informed = ctx.design.get("informed")
    if informed is not None and ctx.strata is None:
        # the weights themselves are the variable; the sampler sees their standardised
        # approximate posterior (model/forms/informed.py)
        coef = pm.Normal(
            f"coef_{e}",
            0.0,
            s,
            dims=(ctx.basis_dim,),
            transform=informed_transform(informed["B"], informed["h"]),
        )
    else:
        coef = pm.Normal(f"z_{e}", 0.0, 1.0, dims=(ctx.basis_dim,)) * s
    dev = None
    if ctx.strata is not None:
        samp = make_rv(f"stratum_amplitude_{e}", ctx.priors["stratum_amplitude"])
        zs = pm.Normal(f"stratum_z_{e}", 0.0, 1.0, dims=("stratum", ctx.basis_dim))
        dev = zero_sum_strata(zs) * sqrt_psd(samp, ell, omega, kernel)[None, :]
    return linear_term(ctx, coef, dev, features)


@register_form
class HSGP(Form):
    """Hilbert-space approximate GP curve (see the module docstring)."""

    name = "hsgp"
    options = OPTIONS
    default_priors = DEFAULT_PRIORS
    supports_strata = True
    scalar_parameters = ("amplitude", "lengthscale")

    def check_options(self, options, where):
        check_options(options, where)

    def design(self, x, reference, options, priors=None):
        return design(x, reference, options, priors)

    def features(self, x, design):
        return features(x, design)

    def pieces(self, ctx):
        return pieces(ctx)
