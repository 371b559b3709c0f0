"""Typed pieces of the linear predictor: what a term contributes, as data.

Every term of a model (intercept, covariates, dose-response forms, group intercepts,
offset) returns a list of pieces. The linear predictor is their sum,
``eta_i = sum_pieces piece_i``. A likelihood strategy
(:mod:`bayes_walk.model.likelihoods`) decides how to compute that sum: the plain strategy
adds the pieces as a PyMC graph, the fused strategy
(:mod:`bayes_walk.inference.fast.likelihood`) hands them to one numba kernel. A piece holds
parameter tensors (functions of the model's random variables) and data tensors (the
model's ``pm.Data`` shared variables); nothing in a piece depends on the strategy.

Four kinds cover every form:

- :class:`KnotCurve`: values at evenly spaced knots, interpolated linearly to each
  participant by (left knot index, weight); optionally one row of knot values per stratum,
  picked by a per-participant row index.
- :class:`Dense`: a design matrix times coefficients; columns flagged ``categorical`` hold
  dummies, so their product takes only a few distinct values per participant.
- :class:`Lookup`: a vector of values indexed per participant (group intercepts).
- :class:`Vector`: any per-participant tensor, or a scalar added to every participant
  (the intercept, an offset, a term that is not linear in its parameters).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class KnotCurve:
    """``values[rows_i, index_i] + weight_i * (values[rows_i, index_i + 1] - ...)``.

    Attributes
    ----------
    values
        Parameter tensor: (knot,), or (row, knot) with ``rows``.
    index
        Data tensor (participant,) int: the knot to the left of each participant.
    weight
        Data tensor (participant,) float: fractional position towards the next knot.
    rows
        Data tensor (participant,) int picking each participant's row of ``values`` (e.g.
        its stratum), or None.
    """

    values: Any
    index: Any
    weight: Any
    rows: Any = None


@dataclass(frozen=True)
class Dense:
    """``X @ coef`` with ``X`` a (participant, column) data tensor.

    Attributes
    ----------
    X
        Data tensor (participant, column), stored as float32.
    coef
        Parameter tensor (column,).
    categorical
        Bool per column: True for dummies of a categorical variable (their rows repeat a
        few patterns, which the fused strategy turns into one lookup); None means none.
    """

    X: Any
    coef: Any
    categorical: np.ndarray | None = None

    def categorical_mask(self, n_columns: int) -> np.ndarray:
        """The ``categorical`` flags as a bool array (all False when None)."""
        if self.categorical is None:
            return np.zeros(n_columns, dtype=bool)
        return np.asarray(self.categorical, dtype=bool)


@dataclass(frozen=True)
class Lookup:
    """``values[index_i]``: e.g. varying intercepts by municipality.

    Attributes
    ----------
    values
        Parameter tensor (level,).
    index
        Data tensor (participant,) int.
    """

    values: Any
    index: Any


@dataclass(frozen=True)
class Vector:
    """Any tensor added to the linear predictor: (participant,), or a scalar.

    Attributes
    ----------
    value
        Tensor (participant,) or scalar (broadcast to every participant).
    """

    value: Any


Piece = KnotCurve | Dense | Lookup | Vector
