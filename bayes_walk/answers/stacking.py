"""Model averaging from stored pieces: stacking weights and the mixture of onset draws.

Pure functions on arrays, so that an averaged plateau answer can be formed from what a
fit leaves behind (the pointwise ``elpd_loo`` and the onset draws; the sweep stores them
per task) as well as from the fits themselves (:mod:`bayes_walk.answers.averaged`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PlateauPiece:
    """What one fit contributes to an averaged plateau answer.

    Attributes
    ----------
    onset
        Onset draws (flattened; ``inf`` = no plateau inside the range).
    remaining
        Remaining benefit at ``near`` per draw (log-RR).
    probability
        The fit's P(|onset - near| <= within).
    """

    onset: np.ndarray
    remaining: np.ndarray
    probability: float


def stacking_weights(elpd_i: np.ndarray) -> np.ndarray:
    """Stacking weights (Yao et al. 2018) from pointwise ``elpd_loo``.

    Maximises ``sum_i log(sum_k w_k exp(elpd_ik))`` over the simplex, as ``az.compare``
    (``method="stacking"``) does; each row is shifted by its maximum first, which leaves
    the optimum unchanged and keeps ``exp`` finite.

    Parameters
    ----------
    elpd_i : numpy.ndarray
        ``(observation, model)`` pointwise elpd_loo.

    Returns
    -------
    numpy.ndarray
        ``(model,)`` weights summing to 1.
    """
    from scipy.optimize import Bounds, LinearConstraint, minimize

    lpd = np.asarray(elpd_i, dtype=np.float64)
    if lpd.ndim != 2 or lpd.shape[1] < 2 or not np.all(np.isfinite(lpd)):
        raise ValueError(f"need a finite (observation, model >= 2) array, got shape {lpd.shape}")
    dens = np.exp(lpd - lpd.max(axis=1, keepdims=True))
    k = dens.shape[1]

    def score(w: np.ndarray) -> float:
        return -float(np.sum(np.log(dens @ w)))

    def grad(w: np.ndarray) -> np.ndarray:
        return -np.sum(dens / (dens @ w)[:, None], axis=0)

    res = minimize(
        score,
        np.full(k, 1.0 / k),
        jac=grad,
        bounds=Bounds(np.zeros(k), np.ones(k)),
        constraints=LinearConstraint(np.ones(k), 1.0, 1.0),
    )
    w = np.clip(res.x, 0.0, None)
    return w / w.sum()


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """Inverse of the weighted empirical CDF at ``q`` (``inf`` sorts last and stays ``inf``)."""
    order = np.argsort(values, kind="stable")
    v, w = values[order], weights[order]
    cdf = np.cumsum(w) / np.sum(w)
    i = int(np.searchsorted(cdf, q, side="left"))
    return float(v[min(i, v.size - 1)])


def interval(values: np.ndarray, weights: np.ndarray, prob: float) -> dict[str, float | None]:
    """Weighted median and central ``prob`` interval (``None`` for an infinite bound)."""
    from bayes_walk.estimands.draws import finite_or_none

    lo, hi = (1 - prob) / 2, 1 - (1 - prob) / 2
    return {
        "median": finite_or_none(weighted_quantile(values, weights, 0.5)),
        "lo": finite_or_none(weighted_quantile(values, weights, lo)),
        "hi": finite_or_none(weighted_quantile(values, weights, hi)),
    }


def mix(pieces: list[PlateauPiece], weights: np.ndarray, prob: float) -> dict:
    """The averaged answer: weighted probability, and the onset and remaining-benefit
    intervals of the mixture (each fit's draws carry ``weight / its number of draws``).

    Returns
    -------
    dict
        ``probability``, ``onset`` and ``remaining_benefit_at_near`` (median/lo/hi).
    """
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (len(pieces),):
        raise ValueError(f"{len(pieces)} pieces need as many weights, got shape {w.shape}")
    pairs = list(zip(pieces, w, strict=True))
    draw_w = np.concatenate([np.full(p.onset.size, wm / p.onset.size) for p, wm in pairs])
    onset = np.concatenate([np.asarray(p.onset, dtype=np.float64).ravel() for p in pieces])
    rem = np.concatenate([np.asarray(p.remaining, dtype=np.float64).ravel() for p in pieces])
    return {
        "probability": float(sum(wm * p.probability for p, wm in pairs)),
        "onset": interval(onset, draw_w, prob),
        "remaining_benefit_at_near": interval(rem, draw_w, prob),
    }
