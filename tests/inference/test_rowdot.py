"""``X @ beta`` read by rows: the op equals PyTensor's ``dot`` it replaces."""

from __future__ import annotations

import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest

from bayes_walk.inference.fast.rowdot import RowDot


@pytest.mark.parametrize("mode", ["NUMBA", "FAST_COMPILE"])
@pytest.mark.parametrize("order", ["C", "F"])
def test_value_and_gradient_equal_the_graph(mode, order):
    rng = np.random.default_rng(0)
    X, beta, c = pt.dmatrix("X"), pt.dvector("beta"), pt.dvector("c")
    outs = []
    for f in (RowDot()(X, beta), pt.dot(X, beta)):
        cost = pt.dot(c, f) + pt.sum(f**2)
        outs += [f, pt.grad(cost, beta)]
    fn = pytensor.function([X, beta, c], outs, mode=mode)
    Xv = np.asarray(rng.normal(size=(700, 5)), order=order)
    out = fn(Xv, rng.normal(size=5), rng.normal(size=700))
    np.testing.assert_allclose(out[0], out[2], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out[1], out[3], rtol=1e-11, atol=1e-10)


def test_mismatched_shapes_are_refused():
    X, beta = pt.dmatrix("X"), pt.dvector("beta")
    fn = pytensor.function([X, beta], RowDot()(X, beta), mode="NUMBA")
    with pytest.raises(ValueError, match="do not match"):
        fn(np.zeros((4, 3)), np.zeros(2))


def test_jax_forward_equals_numba():
    pytest.importorskip("jax")
    rng = np.random.default_rng(1)
    X, beta = pt.dmatrix("X"), pt.dvector("beta")
    out = RowDot()(X, beta)
    Xv, b = rng.normal(size=(50, 4)), rng.normal(size=4)
    f_numba, f_jax = (pytensor.function([X, beta], out, mode=m) for m in ("NUMBA", "JAX"))
    np.testing.assert_allclose(f_jax(Xv, b), f_numba(Xv, b), rtol=1e-13)
