"""Population model of the latent habit: a Box-Cox normal whose median has predictors.

The log habit ``h_i`` of participant i (measurement error model, ``model/measurement.py``)
is drawn from a population whose shape is estimated, not assumed log-normal:

    g_lambda(H_i) ~ Normal(., .)       H_i = exp(h_i), g the Box-Cox transform
    location  a_i = habit_mu + X_i @ habit_beta      (log scale: the population median)
    scale     habit_sd                               (log scale, at the median)
    shape     habit_shape = kappa = lambda * habit_sd  (the Box-Cox exponent lambda
                                                      times the log-scale SD: 0 log-normal)

written on the log scale as ``u_i = expm1(lambda * d_i) / (lambda * habit_sd)``
``~ Normal(0, 1)`` with ``d_i = h_i - a_i``, truncated to the support of the transform
(one tail beyond ``1 / (|lambda| habit_sd)`` standard deviations; the density is
renormalised exactly): covariates move the median and keep the shape and the log-scale
spread. At ``lambda = 0`` it is the log-normal ``h_i ~ Normal(a_i, habit_sd)``, and for
every lambda its log-scale slope at the median is that normal's, so the conjugate
conditional given the days under that normal (``measurement.conditional``) stays the
sampler's non-centring; :func:`log_correction` is the exact density minus that normal's.

Why one log-scale SD rather than one SD on the Box-Cox scale (Box-Cox regression proper,
whose log-scale SD is ``habit_sd * exp(-lambda * X_i @ habit_beta)``): that made every
per-participant quantity of the day model a vector of transcendental functions and cost
about 2x per gradient at n = 11,194 (docs/performance.md), for a difference of a few percent
in the spread of groups whose median differs by ~10%.

Why ``kappa`` and not ``lambda``: ``(h - a) / s = log1p(kappa u) / kappa`` depends on
``kappa`` alone, so ``kappa`` is a pure shape (about 0.15 for a square-root normal of the
simulator's spread, 0.3 for a normal) and ``habit_sd`` a pure scale. With ``lambda`` a
large exponent and a large SD give nearly the same distribution, a ridge in which a
sampler's chain got stuck (R-hat 1.9 at n = 11,194 on the first try). ``kappa`` is
bounded (``PRIORS``): the likelihood keeps a second basin at large ``kappa`` too.

``X_i`` are the habit's predictors (``model/habit_predictors.py``: the centred adjustment
covariates and the other observed exposures, standardised), used when the exposure's
design has ``measurement["covariates"]`` set (the spec's ``habit_covariates``, on by
default): regression calibration needs the habit's conditional mean given everything the
outcome model conditions on.
Functions take ``xp`` (``numpy`` or ``pytensor.tensor``) so the graph, the stored draws
and the SBC simulator share one formula.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# |lambda| under which lambda is shifted by 2 * _SMALL in expm1(lambda d) / lambda (no 0/0)
_SMALL = 1e-8


def exponent(shape, sd):
    """The Box-Cox exponent ``lambda = kappa / habit_sd`` of shape ``kappa``."""
    return shape / sd


def location(xp, mu, beta=None, X=None):
    """Population median of the log habit per participant: ``mu + X @ beta``.

    In numpy ``mu`` may carry leading (chain, draw) axes and ``beta`` the same plus a
    covariate axis; the result then has a trailing participant axis. Without covariates
    it is ``mu``.
    """
    if beta is None or X is None or X.shape[-1] == 0:
        return mu
    if xp is np:
        return np.asarray(mu)[..., None] + np.einsum("...c,pc->...p", beta, X)
    return mu + xp.dot(X, beta)


def _expm1_ratio(xp, lam, d):
    """``expm1(lam * d) / lam`` for a scalar ``lam``, finite (with finite gradients) at 0.

    ``|lam|`` below ``_SMALL`` is shifted by ``2 * _SMALL`` (a scalar operation, so the
    per-participant work stays one ``expm1``, and the derivative in ``lam`` stays 1):
    the result then differs from the exact value by a relative ``3 * _SMALL * d / 2`` at
    most, far below anything the data can tell.
    """
    safe = lam + xp.where(xp.abs(lam) < _SMALL, 2.0 * _SMALL, 0.0)
    return xp.expm1(safe * d) / safe


def log_correction(xp, h, a, sd, lam):
    """Log density of ``h`` under the Box-Cox population minus ``Normal(a, sd)``'s.

    Zero at ``lam = 0``. Includes the Jacobian ``lam * d`` and the truncation of the
    transform's support.
    """
    d = h - a
    u = _expm1_ratio(xp, lam, d) / sd
    z = d / sd
    return -0.5 * u * u + 0.5 * z * z + lam * d - log_truncation(xp, sd, lam)


def log_truncation(xp, sd, lam):
    """Log of the standard normal mass inside the transform's support (a scalar, <= 0):
    each habit's density is divided by it."""
    # the truncated tail starts this many SDs out; beyond 40 its mass is 0 in float64
    bound = xp.minimum(1.0 / (xp.abs(lam) * sd + 1e-12), 40.0)
    if xp is np:
        from scipy.special import log_ndtr

        return log_ndtr(bound)
    from pymc.distributions.dist_math import normal_lcdf

    return normal_lcdf(0.0, 1.0, bound)


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
    small = np.abs(lam) < _SMALL
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
    # effect of a predictor (a centred covariate column, a standardised other exposure) on
    # the log habit: 95% within a factor of e (2.7) per unit, wider than any covariate moves
    # habitual walking
    "habit_beta": {"dist": "Normal", "mu": 0.0, "sigma": 0.5},
}
