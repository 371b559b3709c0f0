"""Absolute risks by standardisation (g-computation) over a cohort.

For a log-link model the expected outcome of participant ``i`` with the exposure set to
``x`` (everything else as observed) is ``mu_i * exp(f(x) - f(x_i))``, where ``mu_i`` is
the fitted expected outcome at the observed exposure ``x_i`` and ``f`` the log-RR curve.
Averaging over the cohort gives the standardised risk ``R(x)``, one value per posterior
draw; a 0/1 outcome's risk is at most 1, so each term is capped at 1. Pure functions of
arrays: ``mu`` and the curve values are ``(sample, participant)``.
"""

from __future__ import annotations

import numpy as np


def standardised_risk(mu: np.ndarray, f_observed: np.ndarray, f_new: np.ndarray) -> np.ndarray:
    """Average risk per draw with each participant's log-RR moved from ``f_observed`` to
    ``f_new`` (both ``(sample, participant)``; ``f_new`` may be ``(sample, 1)``, one value
    for everyone); returns ``(sample,)``."""
    risk = np.minimum(mu * np.exp(f_new - f_observed), 1.0)
    return risk.mean(axis=1)


def observed_risk(mu: np.ndarray) -> np.ndarray:
    """The model's average risk at the observed exposures, per draw."""
    return np.minimum(mu, 1.0).mean(axis=1)


def attributable_fraction(observed: np.ndarray, counterfactual: np.ndarray) -> np.ndarray:
    """Population attributable fraction per draw: ``1 - R_counterfactual / R_observed``."""
    return 1.0 - counterfactual / observed
