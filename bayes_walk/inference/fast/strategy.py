"""The fused likelihood strategy: a model's pieces as the inputs of one numba kernel.

:class:`FusedLikelihood` reads the same pieces (:mod:`bayes_walk.model.pieces`) the plain
strategy sums as a graph and lays them out for
:class:`~bayes_walk.inference.fast.likelihood.LogLinearLikelihood`:

- scalar :class:`~bayes_walk.model.pieces.Vector` pieces sum to ``a``, per-participant
  ones to ``rest``;
- :class:`~bayes_walk.model.pieces.Dense` columns flagged categorical become one lookup
  into ``patterns @ coef`` (each participant's row of dummies is one of a few patterns:
  one read per participant instead of one per column); the other columns join the dense
  matrix ``X`` and ``beta``;
- :class:`~bayes_walk.model.pieces.KnotCurve` and
  :class:`~bayes_walk.model.pieces.Lookup` values are concatenated into ``V`` and read
  through per-participant index columns (a stratum row folds into the index).

The data are taken out of the model's data tensors once, in compact storage, so a fused
model cannot take another data set.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bayes_walk.errors import SpecError
from bayes_walk.model.pieces import Dense, KnotCurve, Lookup, Vector


def numeric(x) -> np.ndarray:
    """The values of a data tensor: a shared variable (``pm.Data``), constant or array."""
    if hasattr(x, "get_value"):
        return np.asarray(x.get_value())
    return np.asarray(getattr(x, "data", x))


def _columns(cols: list[np.ndarray], n: int, dtype) -> np.ndarray:
    if not cols:
        return np.zeros((n, 0), dtype=dtype)
    return np.ascontiguousarray(np.stack(cols, axis=1), dtype=dtype)


class _Layout:
    """The op's inputs collected from the pieces, in the order they come."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.scalars: list[Any] = []
        self.vectors: list[Any] = []
        self.values: list[Any] = []  # segments of V
        self.size = 0
        self.lerp: list[tuple[np.ndarray, np.ndarray]] = []
        self.lookup: list[np.ndarray] = []
        self.dense_X: list[np.ndarray] = []
        self.dense_coef: list[Any] = []

    def segment(self, values) -> int:
        flat = values.ravel()
        size = flat.type.shape[0]
        if size is None:
            size = int(flat.shape[0].eval())
        offset = self.size
        self.values.append(flat)
        self.size += int(size)
        return offset

    def add(self, piece) -> None:
        import pytensor.tensor as pt

        if isinstance(piece, Vector):
            v = pt.as_tensor_variable(piece.value)
            (self.scalars if v.ndim == 0 else self.vectors).append(v)
        elif isinstance(piece, KnotCurve):
            idx = numeric(piece.index).astype(np.int64)
            if piece.rows is not None:
                knots = piece.values.type.shape[-1]
                if knots is None:
                    knots = int(piece.values.shape[-1].eval())
                idx = numeric(piece.rows).astype(np.int64) * int(knots) + idx
            off = self.segment(piece.values)
            self.lerp.append((idx + off, numeric(piece.weight)))
        elif isinstance(piece, Lookup):
            off = self.segment(piece.values)
            self.lookup.append(numeric(piece.index).astype(np.int64) + off)
        elif isinstance(piece, Dense):
            X = numeric(piece.X).astype(np.float64)
            mask = piece.categorical_mask(X.shape[1])
            cat, num = np.flatnonzero(mask), np.flatnonzero(~mask)
            if cat.size:
                patterns, which = np.unique(X[:, cat], axis=0, return_inverse=True)
                off = self.segment(pt.dot(pt.constant(patterns), piece.coef[cat]))
                self.lookup.append(which.ravel().astype(np.int64) + off)
            if num.size:
                self.dense_X.append(X[:, num])
                self.dense_coef.append(piece.coef[num])
        else:
            raise TypeError(f"not a piece of the linear predictor: {piece!r}")


def _sum(terms: list[Any], empty):
    if not terms:
        return empty
    out = terms[0]
    for t in terms[1:]:
        out = out + t
    return out


class FusedLikelihood:
    """The fused strategy: ``pm.Potential`` of the spec's log-likelihood (``poisson`` or
    ``bernoulli_log``) by one kernel.

    After :meth:`add`, ``parameters`` holds the op's parameter tensors (``a``, ``rest``,
    ``beta``, ``V``) and ``arrays`` its compact data, which the pointwise log-likelihood
    (:mod:`bayes_walk.inference.fast.pointwise`) evaluates per draw.
    """

    name = "fused"
    accepts_new_data = False

    def __init__(self) -> None:
        self.parameters: dict[str, Any] = {}
        self.arrays: dict[str, np.ndarray] = {}
        self.log_y_factorial = np.zeros(0)
        self.kind = "poisson"

    def check(self, spec) -> None:
        from bayes_walk.inference.fast.likelihood import LIKELIHOODS

        if spec.likelihood not in LIKELIHOODS:
            raise SpecError(f"no fused kernel for the likelihood {spec.likelihood!r}")

    def add(self, spec, pieces: list, observed) -> None:
        import pymc as pm

        self.check(spec)
        y = numeric(observed)
        pm.Potential(f"{spec.outcome}_loglik", self.log_likelihood(y, pieces, spec.likelihood))

    def log_likelihood(self, y: np.ndarray, pieces: list, likelihood: str = "poisson"):
        """The log-likelihood of ``y`` with ``eta = sum(pieces)``."""
        import pytensor
        import pytensor.tensor as pt
        from scipy.special import gammaln

        from bayes_walk.inference.fast.likelihood import LogLinearLikelihood

        self.kind = likelihood

        n = int(np.asarray(y).shape[0])
        lay = _Layout(n)
        for p in pieces:
            lay.add(p)
        y = np.asarray(y)
        a = _sum(lay.scalars, pt.constant(0.0))
        vec = _sum(lay.vectors, np.zeros(0))
        if lay.dense_X:
            X = np.hstack(lay.dense_X)
            beta = pt.concatenate(lay.dense_coef) if len(lay.dense_coef) > 1 else lay.dense_coef[0]
        else:
            X, beta = np.zeros((n, 0)), pt.constant(np.zeros(0))
        V = pt.concatenate(lay.values) if lay.values else pt.constant(np.zeros(0))
        # Compact storage: the kernel reads each row once per gradient, so bytes per row
        # set its speed at large n. float32 holds counts below 2**24 exactly, and the
        # covariates and interpolation weights to 6e-8 (the plain model stores its
        # design matrices as float32 too). Unsigned indices: numba then skips the
        # negative-index wraparound of every read.
        index = np.uint16 if lay.size < 2**16 else np.uint32
        arrays = {
            "y": y.astype(np.float32 if y.max(initial=0) < 2**24 else np.float64),
            "X": X.astype(np.float32),
            "lerp_index": _columns([i for i, _ in lay.lerp], n, index),
            "lerp_weight": _columns([w for _, w in lay.lerp], n, np.float32),
            "lookup_index": _columns(lay.lookup, n, index),
        }
        # shared variables, not constants, so that the data stay inputs of the compiled
        # function (C-ordered arrays) even in a frozen model
        y_, X_, LI_, LW_, KI_ = (
            pytensor.shared(np.ascontiguousarray(v), name=f"fused_{k}") for k, v in arrays.items()
        )
        has_rest = not isinstance(vec, np.ndarray)
        op = LogLinearLikelihood(X.shape[1], len(lay.lerp), len(lay.lookup), has_rest, likelihood)
        out = op(y_, a, vec, X_, beta, V, LI_, LW_, KI_)
        self.parameters = {"a": pt.as_tensor_variable(a), "rest": vec, "beta": beta, "V": V}
        self.arrays = arrays
        # the Poisson density's -log y!; the log-binomial's 0/1 outcome has none
        self.log_y_factorial = gammaln(y + 1.0) if likelihood == "poisson" else np.zeros(n)
        return out[0] - float(self.log_y_factorial.sum())
