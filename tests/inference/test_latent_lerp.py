"""A curve read at parameter positions: the op equals the gathers it replaces."""

from __future__ import annotations

import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest

from bayes_walk.inference.fast.lerp import LatentLerp


def _graph(values, pos):
    j = pt.cast(pt.floor(pos), "int64")
    w = pos - j
    return values[j] + w * (values[j + 1] - values[j])


@pytest.mark.parametrize("mode", ["NUMBA", "FAST_COMPILE"])
def test_value_and_gradient_equal_the_graph(mode):
    rng = np.random.default_rng(0)
    values, pos, c = pt.dvector("values"), pt.dvector("pos"), pt.dvector("c")
    outs = []
    for f in (LatentLerp()(values, pos), _graph(values, pos)):
        cost = pt.dot(c, f) + pt.sum(f**2)  # a nonlinear cost: the pull-back is not constant
        outs += [f, *pt.grad(cost, [values, pos])]
    fn = pytensor.function([values, pos, c], outs, mode=mode)
    knots = 40
    # repeated knots (many participants between the same two knots) and the edges
    p = np.concatenate([rng.uniform(0, knots - 1 - 1e-9, 500), [0.0, knots - 1 - 1e-9, 7.5, 7.5]])
    out = fn(rng.normal(size=knots), p, rng.normal(size=p.size))
    for ours, ref, name in zip(out[:3], out[3:], ("curve", "d/dvalues", "d/dpos"), strict=True):
        np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("mode", ["NUMBA", "FAST_COMPILE"])
@pytest.mark.parametrize("bad", [-0.1, 39.0])
def test_a_position_outside_the_knots_is_refused(mode, bad):
    values, pos = pt.dvector("values"), pt.dvector("pos")
    fn = pytensor.function([values, pos], LatentLerp()(values, pos), mode=mode)
    with pytest.raises(ValueError, match="outside the knots"):
        fn(np.zeros(40), np.array([1.0, bad]))


def test_jax_forward_equals_numba():
    pytest.importorskip("jax")
    rng = np.random.default_rng(1)
    values, pos = pt.dvector("values"), pt.dvector("pos")
    out = LatentLerp()(values, pos)
    v, p = rng.normal(size=30), rng.uniform(0, 29 - 1e-9, 200)
    f_numba, f_jax = (pytensor.function([values, pos], out, mode=m) for m in ("NUMBA", "JAX"))
    np.testing.assert_allclose(f_jax(v, p), f_numba(v, p), rtol=1e-13)
