"""Helpers of the measurement-error tests: independent forms of the population density."""

from __future__ import annotations

import numpy as np

from bayes_walk.model import habit_population as population


def shape_value(kappa):
    """The sampler's value of ``habit_shape`` (PyMC's interval transform on its bounds)."""
    lo, hi = (population.PRIORS["habit_shape"][b] for b in ("lower", "upper"))
    return np.log(kappa - lo) - np.log(hi - kappa)


def box_cox_logpdf(h, a, g_sd, lam):
    """Log density of the log habit ``h`` when ``(H**lam - 1) / lam`` is normal with median
    ``exp(a)`` and SD ``g_sd`` (truncated to the transform's support), written on the
    Box-Cox scale: an independent form of ``habit_population``'s."""
    from scipy import stats

    if lam == 0.0:
        return stats.norm.logpdf(h, a, g_sd)
    g, g_mean = np.expm1(lam * h) / lam, np.expm1(lam * a) / lam
    # the support is g > -1/lam (lam > 0) or g < -1/lam (lam < 0)
    mass = stats.norm.cdf((g_mean + 1.0 / lam) / g_sd * np.sign(lam))
    return stats.norm.logpdf(g, g_mean, g_sd) + lam * h - np.log(mass)
