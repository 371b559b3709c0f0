"""Population model of the latent habit: a Box-Cox normal with covariates.

The log habit ``h_i`` of participant i (measurement error model, ``model/measurement.py``)
is drawn from a population whose shape is estimated, not assumed log-normal:

    g_lambda(H_i) ~ Normal(., .)       H_i = exp(h_i), g the Box-Cox transform
    location  a_i = habit_mu + X_i @ habit_beta      (log scale: the population median)
    scale     s_i = habit_sd * exp(-lambda * X_i @ habit_beta)
                                                     (log scale, at the median; one SD on
                                                      the Box-Cox scale for everyone)
    shape     habit_shape = kappa = lambda * habit_sd  (the Box-Cox exponent lambda
                                                      times the log-scale SD: 0 log-normal)

written on the log scale as ``u_i = expm1(lambda * d_i) / (lambda * s_i) ~ Normal(0, 1)``
with ``d_i = h_i - a_i``, truncated to the support of the transform (one tail beyond
``1 / (|lambda| s_i)`` standard deviations; the density is renormalised exactly). This is
Box-Cox regression: ``(H_i**lambda - 1) / lambda`` is normal with a mean that moves with
the covariates and one SD. At ``lambda = 0`` it is the log-normal
``h_i ~ Normal(a_i, habit_sd)``, and for every lambda its log-scale slope at the median is
that of ``Normal(a_i, s_i)``, so the conjugate conditional given the days under that
normal (``measurement.conditional``) stays the sampler's non-centring;
:func:`log_correction` is the exact density minus that normal's.

Why ``kappa`` and not ``lambda``: ``(h - a) / s = log1p(kappa u) / kappa`` depends on
``kappa`` alone, so ``kappa`` is a pure shape (about 0.15 for a square-root normal of the
simulator's spread, 0.3 for a normal) and ``habit_sd`` a pure scale. With ``lambda`` a
large exponent and a large SD give nearly the same distribution, a ridge in which a
sampler's chain got stuck (R-hat 1.9 at n = 11,194 on the first try). ``kappa`` is
bounded (``PRIORS``): the likelihood keeps a second basin at large ``kappa`` too.

``X_i`` are the outcome model's adjustment covariates (centred): regression calibration
needs the habit's conditional mean given everything the outcome model conditions on.
Functions take ``xp`` (``numpy`` or ``pytensor.tensor``) so the graph, the stored draws
and the SBC simulator share one formula.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# |lambda * d| under which expm1(lambda d) / lambda is its Taylor series (no 0/0)
_SMALL = 1e-4


def exponent(shape, sd):
    """The Box-Cox exponent ``lambda = kappa / habit_sd`` of shape ``kappa``."""
    return shape / sd


def location_scale(xp, mu, sd, lam, beta=None, X=None):
    """Population median ``a_i = mu + X_i @ beta`` of the log habit and its log-scale SD
    at the median, ``s_i = sd * exp(-lam * X_i @ beta)``, per participant.

    In numpy ``mu``, ``sd``, ``lam`` may carry leading (chain, draw) axes and ``beta`` the
    same plus a covariate axis; the results then have a trailing participant axis. Without
    covariates they are ``mu`` and ``sd``.
    """
    if beta is None or X is None or X.shape[-1] == 0:
        return mu, sd
    if xp is np:
        shift = np.einsum("...c,pc->...p", beta, X)
        mu, sd, lam = (np.asarray(v)[..., None] for v in (mu, sd, lam))
    else:
        shift = xp.dot(X, beta)
    return mu + shift, sd * xp.exp(-lam * shift)


def _expm1_ratio(xp, lam, d):
    """``expm1(lam * d) / lam``, finite (and with finite gradients) at ``lam = 0``."""
    x = lam * d
    small = xp.abs(x) < _SMALL
    safe_lam = xp.where(small, 1.0, lam)
    series = d * (1.0 + x / 2.0 + x * x / 6.0)
    return xp.where(small, series, xp.expm1(safe_lam * d) / safe_lam)


def log_correction(xp, h, a, sd, lam):
    """Log density of ``h`` under the Box-Cox population minus ``Normal(a, sd)``'s.

    Zero at ``lam = 0``. Includes the Jacobian ``lam * d`` and the truncation of the
    transform's support.
    """
    d = h - a
    u = _expm1_ratio(xp, lam, d) / sd
    z = d / sd
    # the truncated tail starts this many SDs out; beyond 40 its mass is 0 in float64
    bound = xp.minimum(1.0 / (xp.abs(lam) * sd + 1e-12), 40.0)
    if xp is np:
        from scipy.special import log_ndtr

        log_mass = log_ndtr(bound)
    else:
        from pymc.distributions.dist_math import normal_lcdf

        log_mass = normal_lcdf(0.0, 1.0, bound)
    return -0.5 * u * u + 0.5 * z * z + lam * d - log_mass


def draw(rng: np.random.Generator, a, sd, lam, size) -> np.ndarray:
    """Log habits ``h`` from the population (numpy; for simulation-based calibration).

    ``a``, ``sd`` and ``lam`` broadcast against ``size``.
    """
    from scipy.special import ndtr, ndtri

    a, sd, lam = (np.broadcast_to(np.asarray(v, dtype=np.float64), size) for v in (a, sd, lam))
    bound = 1.0 / np.maximum(np.abs(lam) * sd, 1e-300)
    lo = np.where(lam > 0, ndtr(-bound), 0.0)
    hi = np.where(lam < 0, ndtr(bound), 1.0)
    u = ndtri(lo + (hi - lo) * rng.uniform(size=size))
    small = np.abs(lam) < 1e-8
    d = np.where(small, sd * u, np.log1p(lam * sd * u) / np.where(small, 1.0, lam))
    return a + d


PRIORS: dict[str, dict[str, Any]] = {
    # shape kappa of the habit population: 0 log-normal; about 0.15 for the simulator's
    # square-root normal habits, 0.3 for normal habits with a log-scale SD of 0.3. Bounded
    # at +-0.6 (truncation of the log-scale tail 1.7 SD from the median: beyond it the
    # family degenerates): the likelihood has a second, far worse basin at kappa of 1.5-2
    # in which an unbounded chain got stuck (docs/models.md "Population model")
    "habit_shape": {
        "dist": "TruncatedNormal",
        "mu": 0.0,
        "sigma": 0.2,
        "lower": -0.6,
        "upper": 0.6,
    },
    # effect of a centred adjustment covariate on the log habit
    "habit_beta": {"dist": "Normal", "mu": 0.0, "sigma": 1.0},
}
