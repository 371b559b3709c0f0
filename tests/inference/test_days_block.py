"""The fused day-model op: the same density, habits and gradients as the graph it replaces."""

from __future__ import annotations

import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest
from _helpers_model import assert_same_pointwise

from bayes_walk.inference.fast.days import DaysBlock
from bayes_walk.model import habit_population as population
from bayes_walk.model import measurement

# lam = 0 and 1e-9: the log-normal limit; 0.03: |lam * d| below the series threshold for
# most participants; +-0.7: the direct formula
LAMS = [0.0, 1e-9, 0.03, 0.7, -0.7]


def _data(rng, n=300):
    k = rng.integers(0, 8, n).astype(np.float64)  # some participants without a valid day
    ybar = np.where(k > 0, rng.normal(4.4, 0.5, n), 0.0)
    return k, ybar


def _graph(z, a, sb, sw, lam, k, ybar):
    """The graph formula of model/measurement.py (per-participant part, no truncation)."""
    has = pt.gt(k, 0)
    k1 = pt.maximum(k, 1.0)
    marg_sd = pt.sqrt(sb**2 + sw**2 / k1)
    marg = -0.5 * ((ybar - a) / marg_sd) ** 2 - pt.log(marg_sd) - 0.5 * np.log(2 * np.pi)
    log_h = measurement._log_habit(pt, a, sb, sw, k, ybar, z)
    corr = population.log_correction(pt, log_h, a, sb, lam) + population.log_truncation(pt, sb, lam)
    return pt.sum(pt.switch(has, marg, 0.0)) + pt.sum(corr), log_h


def _functions(k, ybar, vector_a, mode):
    z = pt.dvector("z")
    a = pt.dvector("a") if vector_a else pt.dscalar("a")
    sb, sw, lam = pt.dscalar("sb"), pt.dscalar("sw"), pt.dscalar("lam")
    c = pt.dvector("c")  # weights of the habits in the cost: their gradient reaches the op
    a1 = a if vector_a else pt.reshape(a, (1,))
    s_op, h_op = DaysBlock()(z, a1, sb, sw, lam, k, ybar)
    s_ref, h_ref = _graph(z, a, sb, sw, lam, k, ybar)
    wrt = [z, a, sb, sw, lam]
    outs = []
    for s, h in ((s_op, h_op), (s_ref, h_ref)):
        cost = s + pt.dot(c, h)
        outs.append([s, h, *pt.grad(cost, wrt), *pt.grad(s, wrt)])
    fn = pytensor.function([z, a, sb, sw, lam, c], outs[0] + outs[1], mode=mode)
    return fn, len(outs[0])


@pytest.mark.parametrize("mode", ["NUMBA", "FAST_COMPILE"])
@pytest.mark.parametrize("vector_a", [False, True])
def test_op_equals_the_graph(vector_a, mode):
    rng = np.random.default_rng(3)
    k, ybar = _data(rng)
    n = k.shape[0]
    fn, m = _functions(k, ybar, vector_a, mode)  # lam is an input: one compile for all
    for lam in LAMS:
        a = rng.normal(4.4, 0.1, n) if vector_a else np.float64(4.4)
        out = fn(rng.normal(size=n), a, 0.31, 0.36, lam, rng.normal(size=n))
        ours, ref = out[:m], out[m:]
        # at |lam| < 1e-8 the graph shifts lam by 2e-8 (habit_population._expm1_ratio), a
        # relative error of ~1e-8 in its own correction; the op uses the series there
        rtol, atol = (1e-7, 1e-6) if abs(lam) < 1e-8 else (1e-9, 1e-9)
        if abs(lam) < 1e-8:
            # the graph's derivative in lam cancels catastrophically there; the limit at
            # lam = 0 is sum(d - d**3 / (2 sb**2)) with d = h - a (h does not depend on lam)
            d = ours[1] - a
            limit = np.sum(d - d**3 / (2 * 0.31**2))
            for j in (6, 11):  # dcost/dlam, dS/dlam
                assert ours[j] == pytest.approx(limit, rel=1e-6)
                ref[j] = ours[j]
        names = ["S", "h"] + [f"d{v}/{w}" for v in ("cost", "S") for w in "z a sb sw lam".split()]
        for name, x, y in zip(names, ours, ref, strict=True):
            np.testing.assert_allclose(x, y, rtol=rtol, atol=atol, err_msg=f"{name} at {lam}")


def test_gradient_matches_finite_differences():
    rng = np.random.default_rng(4)
    k, ybar = _data(rng, n=50)
    z = pt.dvector("z")
    a, sb, sw, lam = (pt.dscalar(s) for s in ("a", "sb", "sw", "lam"))
    s, h = DaysBlock()(z, pt.reshape(a, (1,)), sb, sw, lam, k, ybar)
    cost = s + pt.sum(pt.sin(h))
    wrt = [z, a, sb, sw, lam]
    f = pytensor.function(wrt, cost, mode="NUMBA")
    g = pytensor.function(wrt, pt.grad(cost, wrt), mode="NUMBA")
    x0 = [rng.normal(size=50), 4.3, 0.3, 0.35, 0.4]
    grads = g(*x0)
    eps = 1e-6
    for j in range(1, 5):  # the scalars; z is covered by the comparison with the graph
        up, dn = list(x0), list(x0)
        up[j] += eps
        dn[j] -= eps
        fd = (f(*up) - f(*dn)) / (2 * eps)
        assert grads[j] == pytest.approx(fd, rel=1e-5, abs=1e-5), j


def test_fused_days_model_has_the_plain_models_density_and_gradient():
    from pymc.model.transform.optimization import freeze_dims_and_data

    from bayes_walk.cohort.simulate import simulate_cohort
    from bayes_walk.model.builder import build_model

    cohort = simulate_cohort(n=400, seed=2, keep_daily=True)
    spec = _days_spec()
    results = []
    for fused in (False, True):
        model = freeze_dims_and_data(build_model(spec, cohort, fused=fused).model)
        point = model.initial_point()
        rng = np.random.default_rng(0)
        point = {k: v + 0.3 * rng.standard_normal(np.shape(v)) for k, v in sorted(point.items())}
        values = model.value_vars
        logp = model.logp()
        fn = pytensor.function(values, [logp, *pt.grad(logp, values)], mode="NUMBA")
        out = fn(*[point[v.name] for v in values])
        results.append(dict(zip(["logp"] + [v.name for v in values], out, strict=True)))
    plain, fused = results
    assert set(plain) == set(fused)
    assert fused["logp"] == pytest.approx(plain["logp"], rel=1e-8)
    for name in set(plain) - {"logp"}:
        if name.startswith(("habit_", "day_sd_")):  # the day model's parameters: the op
            # (habit_z also carries the outcome's gradient, float32 in the fused kernel)
            tol = 1e-6 * np.abs(plain[name]).max()
            np.testing.assert_allclose(fused[name], plain[name], rtol=1e-7, atol=tol, err_msg=name)
        else:  # the outcome's: the fused kernel stores covariates as float32 (test_fused.py)
            g0 = plain[name]
            tol = 1e-4 * np.abs(g0).max()
            np.testing.assert_allclose(fused[name], g0, rtol=1e-5, atol=tol, err_msg=name)


def _days_spec():
    from bayes_walk.spec.model_spec import load_spec, spec_from_dict

    d = load_spec("gp").to_dict()
    d["exposures"]["walking_min"]["measurement"] = "days"
    return spec_from_dict(d)


def test_jax_forward_equals_numba():
    pytest.importorskip("jax")
    rng = np.random.default_rng(8)
    k, ybar = _data(rng)
    z = pt.dvector("z")
    a, sb, sw, lam = (pt.dscalar(s) for s in ("a", "sb", "sw", "lam"))
    outs = DaysBlock()(z, pt.reshape(a, (1,)), sb, sw, lam, k, ybar)
    fns = [pytensor.function([z, a, sb, sw, lam], outs, mode=m) for m in ("NUMBA", "JAX")]
    for lam_value in LAMS:
        args = (rng.normal(size=k.shape[0]), 4.4, 0.31, 0.36, lam_value)
        (s0, h0), (s1, h1) = (f(*args) for f in fns)
        assert float(s1) == pytest.approx(float(s0), rel=1e-10)
        np.testing.assert_allclose(h1, h0, rtol=1e-12)


def test_fused_pointwise_log_likelihood_matches_the_plain_model():
    import pymc as pm

    from bayes_walk.cohort.simulate import simulate_cohort
    from bayes_walk.model.builder import build_model

    cohort = simulate_cohort(n=300, seed=6, keep_daily=True)
    spec = _days_spec()
    plain = build_model(spec, cohort)
    fused = build_model(spec, cohort, plain.designs, fused=True)
    with plain.model:
        prior = pm.sample_prior_predictive(draws=8, random_seed=1).prior
    assert_same_pointwise(plain, fused, prior[[v.name for v in plain.model.free_RVs]], 4)
