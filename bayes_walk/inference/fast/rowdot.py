"""A data matrix times a parameter vector, with a gradient that reads the matrix by rows.

The habit population's location is ``a_i = mu + X_i . beta`` (:mod:`bayes_walk.model.habit_population`)
with ``X`` the (participant, predictor) data. In a PyTensor graph its gradient in ``beta``
is ``X.T @ g``; numba's ``np.dot`` needs contiguous operands, so PyTensor's numba backend
copies the transposed matrix on every gradient, the largest single cost of the
measurement-error model's gradient at n = 11,194 (docs/performance.md). :class:`RowDot`
computes ``X @ beta`` and :class:`RowDotGrad` ``g @ X`` (BLAS ``gemv`` on the contiguous
matrix, transposed by the call rather than by a copy). ``X`` is data: it gets no gradient.

``tests/inference/test_days_block.py`` checks value and gradient against the graph.
"""

from __future__ import annotations

import hashlib
import inspect

import numpy as np
from pytensor.gradient import disconnected_type
from pytensor.graph.basic import Apply
from pytensor.graph.op import Op

from bayes_walk.inference.fast.backends import register


class RowDot(Op):
    """``X @ beta`` for a data matrix ``X`` (participant, column) and a vector ``beta``."""

    __props__ = ()

    def make_node(self, X, beta):
        import pytensor.tensor as pt

        X = pt.cast(pt.as_tensor_variable(X), "float64")
        beta = pt.cast(pt.as_tensor_variable(beta), "float64")
        if X.ndim != 2 or beta.ndim != 1:
            raise TypeError("RowDot: X must be a matrix and beta a vector")
        return Apply(self, [X, beta], [pt.dvector("row_dot")])

    def perform(self, node, inputs, output_storage):
        X, beta = inputs
        output_storage[0][0] = np.asarray(X @ beta, dtype=np.float64)

    def connection_pattern(self, node):
        return [[False], [True]]

    def grad(self, inputs, output_grads):
        X, _ = inputs
        (g,) = output_grads
        return [disconnected_type(), RowDotGrad()(X, g)]


class RowDotGrad(Op):
    """``X.T @ g`` read by rows (the gradient of :class:`RowDot` in ``beta``)."""

    __props__ = ()

    def make_node(self, X, g):
        import pytensor.tensor as pt

        ins = [pt.cast(pt.as_tensor_variable(v), "float64") for v in (X, g)]
        return Apply(self, ins, [pt.dvector("d_beta")])

    def perform(self, node, inputs, output_storage):
        X, g = inputs
        output_storage[0][0] = np.asarray(g @ X, dtype=np.float64)


def _register_numba() -> None:
    from pytensor.link.numba.dispatch import basic as numba_basic
    from pytensor.link.numba.dispatch.basic import register_funcify_default_op_cache_key

    @register_funcify_default_op_cache_key(RowDot)
    def _funcify(op, node, **kwargs):
        @numba_basic.numba_njit
        def rowdot(X, beta):
            if X.shape[1] != beta.shape[0]:
                raise ValueError("RowDot: X and beta do not match")
            return np.dot(np.ascontiguousarray(X), np.ascontiguousarray(beta))

        return rowdot, _version()

    @register_funcify_default_op_cache_key(RowDotGrad)
    def _funcify_grad(op, node, **kwargs):
        @numba_basic.numba_njit
        def rowdot_grad(X, g):
            if X.shape[0] != g.shape[0]:
                raise ValueError("RowDotGrad: X and g do not match")
            return np.dot(np.ascontiguousarray(g), np.ascontiguousarray(X))

        return rowdot_grad, _version()


def _version() -> int:
    """Salt of PyTensor's disk cache: the op's props do not see an edit of the functions."""
    src = inspect.getsource(_register_numba)
    return int(hashlib.sha256(src.encode()).hexdigest()[:12], 16)


def _register_jax() -> None:
    """The forward op in JAX (the fused pointwise log-likelihood evaluates the graph there)."""
    from pytensor.link.jax.dispatch import jax_funcify

    @jax_funcify.register(RowDot)
    def _funcify(op, **kwargs):
        def rowdot(X, beta):
            return X @ beta

        return rowdot


register(numba=_register_numba, jax=_register_jax)
