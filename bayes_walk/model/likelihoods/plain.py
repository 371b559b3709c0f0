"""The plain likelihood: the pieces summed as a PyMC graph, an observed PyMC variable."""

from __future__ import annotations

from typing import Any

from bayes_walk.errors import SpecError
from bayes_walk.model.pieces import Dense, KnotCurve, Lookup, Vector

# log p = -softplus(-K * eta) / K - EPS: equal to eta (to 1e-6) for eta < -1 and never above
# -EPS, so the log-binomial probability stays below 1 - 1e-6 with a smooth gradient.
LOG_BINOMIAL_K = 20.0
LOG_BINOMIAL_EPS = 1e-6


def piece_value(piece) -> Any:
    """A piece's contribution to the linear predictor as a PyTensor graph."""
    from bayes_walk.model.forms.base import matvec

    if isinstance(piece, KnotCurve):
        values = piece.values
        if piece.rows is None:
            flat, idx = values, piece.index
        else:
            flat, idx = values.ravel(), piece.rows * values.shape[-1] + piece.index
        left = flat[idx]
        return left + piece.weight * (flat[idx + 1] - left)
    if isinstance(piece, Dense):
        return matvec(piece.X, piece.coef)
    if isinstance(piece, Lookup):
        return piece.values[piece.index]
    if isinstance(piece, Vector):
        return piece.value
    raise TypeError(f"not a piece of the linear predictor: {piece!r}")


def linear_predictor(pieces: list) -> Any:
    """``eta``: the sum of the pieces' values, in order."""
    eta = piece_value(pieces[0])
    for p in pieces[1:]:
        eta = eta + piece_value(p)
    return eta


class PlainLikelihood:
    """``mu`` as a Deterministic and the outcome as an observed PyMC variable."""

    name = "plain"
    accepts_new_data = True

    def check(self, spec) -> None:
        """Every likelihood of the spec format is supported."""

    def add(self, spec, pieces: list, observed) -> None:
        import pymc as pm
        import pytensor.tensor as pt

        eta = linear_predictor(pieces)
        dims = ("participant",)
        if spec.likelihood == "poisson":
            mu = pm.Deterministic("mu", pt.exp(eta), dims=dims)
            pm.Poisson(spec.outcome, mu=mu, observed=observed, dims=dims)
        elif spec.likelihood == "bernoulli_log":
            logp = -pt.softplus(-LOG_BINOMIAL_K * eta) / LOG_BINOMIAL_K - LOG_BINOMIAL_EPS
            mu = pm.Deterministic("mu", pt.exp(logp), dims=dims)
            pm.Bernoulli(spec.outcome, p=mu, observed=observed, dims=dims)
        else:  # pragma: no cover - the spec parser rejects other likelihoods
            raise SpecError(f"unknown likelihood {spec.likelihood!r}")
