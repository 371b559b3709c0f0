"""One plateau answer from several fits, averaged with LOO stacking weights.

The onset posterior of the average is the mixture of the fits' onset posteriors with the
stacking weights of ``az.compare`` (Yao et al. 2018); when stacking fails the
pseudo-BMA+ weights (Bayesian bootstrap) are used, with a warning. ``probability`` is the
weighted mean of the per-model probabilities, and the intervals are quantiles of the
mixture.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from bayes_walk.answers.guards import refuse_without_curve
from bayes_walk.answers.plateau import definition_text
from bayes_walk.answers.stacking import PlateauPiece, interval, mix
from bayes_walk.errors import BayesWalkError
from bayes_walk.estimands.curve import logrr_at
from bayes_walk.estimands.draws import curve_draws, grid_values
from bayes_walk.estimands.onset import (
    DEFAULT_DEFINITION,
    definition_label,
    onset_draws,
    remaining_draws,
)
from bayes_walk.estimands.plateau import (
    DEFAULT_DELTA,
    DEFAULT_NEAR,
    DEFAULT_TAIL,
    DEFAULT_WITHIN,
    near_probability,
)
from bayes_walk.estimands.reference import rereference
from bayes_walk.fitmeta import outcome_of


def model_weights(fits: list[Any], names: list[str]) -> tuple[np.ndarray, str]:
    """Stacking weights of ``fits`` (LOO); pseudo-BMA+ with a warning when stacking fails."""
    from bayes_walk.checks.compare import compare_fits

    idatas = dict(zip(names, [f.idata for f in fits], strict=True))
    try:
        ranked = compare_fits(idatas)
        by_name = {r.model: r.weight for r in ranked}
        w = np.array([by_name[n] for n in names], dtype=float)
        if np.all(np.isfinite(w)) and w.sum() > 0:
            return w / w.sum(), "stacking"
        reason = "stacking gave no usable weights"
    except BayesWalkError:
        raise
    except Exception as exc:  # scipy's optimiser inside az.compare
        reason = f"stacking failed ({type(exc).__name__}: {exc})"
    import arviz as az

    warnings.warn(f"{reason}; using pseudo-BMA+ weights instead", UserWarning, stacklevel=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loos = {n: az.loo(i, var_name=outcome_of(i)) for n, i in idatas.items()}
        table = az.compare(loos, ic="loo", method="BB-pseudo-BMA", seed=0)
    w = np.array([float(table.loc[n, "weight"]) for n in names])
    return w / w.sum(), "pseudo-BMA+"


def curve_piece(
    curve,
    near: float,
    within: float,
    *,
    definition: str = DEFAULT_DEFINITION,
    delta: float = DEFAULT_DELTA,
    tail: float = DEFAULT_TAIL,
) -> PlateauPiece:
    """What one fit's curve draws (chain, draw, grid) contribute to an averaged answer:
    onset and remaining-benefit draws (flattened in chain, draw order) and P(near)."""
    onset = onset_draws(curve, definition, delta=delta, tail=tail)
    r = logrr_at(remaining_draws(curve, definition), [near]).isel(x=0, drop=True)
    return PlateauPiece(
        np.asarray(onset.transpose("chain", "draw").values, dtype=float).ravel(),
        np.asarray(r.transpose("chain", "draw").values, dtype=float).ravel(),
        float(near_probability(onset, near=near, within=within).values),
    )


def averaged_plateau(
    fits: list[Any],
    exposure: str = "walking_min",
    *,
    near: float = DEFAULT_NEAR,
    within: float = DEFAULT_WITHIN,
    delta: float = DEFAULT_DELTA,
    tail: float = DEFAULT_TAIL,
    prob: float = 0.95,
    weights: list[float] | None = None,
    definition: str = DEFAULT_DEFINITION,
    reference: float | None = None,
) -> dict[str, Any]:
    """The plateau answer averaged over ``fits`` (DESIGN plateau keys + ``per_model``).

    Parameters
    ----------
    fits
        :class:`bayes_walk.results.Fit` objects of the same cohort, each with a curve of
        ``exposure`` (stratum curves: the first stratum).
    weights
        Model weights to use instead of the LOO stacking weights.
    definition
        Onset definition (:mod:`bayes_walk.estimands.onset`), the same for every fit.
    reference
        Checked to lie inside every fit's grid and reported; onsets and remaining
        benefits do not depend on it.

    Returns
    -------
    dict
        DESIGN plateau keys for the averaged answer, ``weights`` (model -> weight),
        ``weights_method`` (``stacking``, ``pseudo-BMA+`` or ``given``), ``per_model``.
    """
    if len(fits) < 2:
        raise BayesWalkError("an averaged plateau needs at least two fits")
    label = definition_label(definition)
    names = _unique([f.name for f in fits])
    for fit, name in zip(fits, names, strict=True):
        refuse_without_curve(fit.idata, exposure, source=name)
    if weights is None:
        w, method = model_weights(fits, names)
    else:
        w = np.asarray(weights, dtype=float)
        if w.shape != (len(fits),) or np.any(w < 0) or w.sum() <= 0:
            raise BayesWalkError(f"weights must be {len(fits)} non-negative numbers, got {weights}")
        w, method = w / w.sum(), "given"
    pieces, per_model = [], []
    grid = None
    for fit, name, wm in zip(fits, names, w, strict=True):
        curve = curve_draws(fit.idata, exposure, source=name)
        if "stratum" in curve.dims:
            curve = curve.isel(stratum=0, drop=True)
        curve = rereference(curve, reference, exposure)
        g = grid_values(curve)
        grid = g if grid is None else np.array([max(grid[0], g[0]), min(grid[-1], g[-1])])
        piece = curve_piece(curve, near, within, definition=label, delta=delta, tail=tail)
        pieces.append(piece)
        per_model.append(
            {
                "model": name,
                "weight": float(wm),
                "probability": piece.probability,
                "onset": interval(piece.onset, np.ones(piece.onset.size), prob),
            }
        )
    mixed = mix(pieces, w, prob)
    return {
        "exposure": exposure,
        "near": float(near),
        "within": float(within),
        "delta": float(delta),
        "tail": float(tail),
        **mixed,
        "definition": definition_text(exposure, near, within, delta, tail, grid, label)
        + f" Averaged over {len(fits)} models with {method} weights.",
        "onset_definition": label,
        "reference": None if reference is None else float(reference),
        "weights": {m["model"]: m["weight"] for m in per_model},
        "weights_method": method,
        "per_model": per_model,
    }


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n}#{seen[n]}")
    return out
