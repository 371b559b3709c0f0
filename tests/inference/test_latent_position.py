"""A latent habit's knot position from its log: the op equals the graph it replaces."""

from __future__ import annotations

import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest

from bayes_walk.inference.fast.position import TOP_MARGIN, LatentPosition

LO, HI, POINTS = -30.0, 600.0, 256


def _graph(log_h, shift):
    habit = pt.exp(log_h + shift)
    return pt.clip((habit - LO) / (HI - LO) * (POINTS - 1), 0.0, POINTS - 1 - TOP_MARGIN)


def _log_habits(rng, n=600):
    # habits between the knots, two beyond the top knot (clipped) and one near 0
    inside = rng.normal(np.log(70.0), 0.6, n)
    return np.concatenate([inside, [np.log(HI) + 0.5, np.log(HI) + 2.0, -5.0]])


@pytest.mark.parametrize("mode", ["NUMBA", "FAST_COMPILE"])
def test_value_and_gradient_equal_the_graph(mode):
    rng = np.random.default_rng(0)
    log_h, shift, c = pt.dvector("log_h"), pt.dscalar("shift"), pt.dvector("c")
    outs = []
    for p in (LatentPosition(LO, HI, POINTS)(log_h, shift), _graph(log_h, shift)):
        cost = pt.dot(c, p) + 0.01 * pt.sum(p**2)  # nonlinear: the pull-back is not constant
        outs += [p, *pt.grad(cost, [log_h, shift])]
    fn = pytensor.function([log_h, shift, c], outs, mode=mode)
    h = _log_habits(rng)
    out = fn(h, 0.06, rng.normal(size=h.size))
    for ours, ref, name in zip(out[:3], out[3:], ("position", "d/dlog_h", "d/dshift"), strict=True):
        np.testing.assert_allclose(ours, ref, rtol=1e-13, atol=1e-12, err_msg=name)
    # the clipped participants get no gradient
    assert out[1][-3] == 0.0 and out[1][-2] == 0.0 and out[0][-2] == POINTS - 1 - TOP_MARGIN


def test_gradient_matches_finite_differences():
    rng = np.random.default_rng(2)
    log_h, shift, c = pt.dvector("log_h"), pt.dscalar("shift"), pt.dvector("c")
    cost = pt.dot(c, LatentPosition(LO, HI, POINTS)(log_h, shift))
    fn = pytensor.function([log_h, shift, c], [cost, *pt.grad(cost, [log_h, shift])], mode="NUMBA")
    h, s, cv = rng.normal(np.log(70.0), 0.5, 50), 0.05, rng.normal(size=50)
    _, g_h, g_s = fn(h, s, cv)
    eps = 1e-6
    step = np.zeros(50)
    step[7] = eps
    fd_h = (fn(h + step, s, cv)[0] - fn(h - step, s, cv)[0]) / (2 * eps)
    fd_s = (fn(h, s + eps, cv)[0] - fn(h, s - eps, cv)[0]) / (2 * eps)
    assert g_h[7] == pytest.approx(fd_h, rel=1e-6)
    assert float(g_s) == pytest.approx(fd_s, rel=1e-6)


def test_jax_forward_equals_numba():
    pytest.importorskip("jax")
    rng = np.random.default_rng(1)
    log_h, shift = pt.dvector("log_h"), pt.dscalar("shift")
    out = LatentPosition(LO, HI, POINTS)(log_h, shift)
    h = _log_habits(rng)
    f_numba, f_jax = (pytensor.function([log_h, shift], out, mode=m) for m in ("NUMBA", "JAX"))
    np.testing.assert_allclose(f_jax(h, 0.06), f_numba(h, 0.06), rtol=1e-13)
