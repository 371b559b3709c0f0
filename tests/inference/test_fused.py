"""The fused likelihood (Poisson and log-binomial): its numba kernel agrees with the numpy
reference and with finite differences, and the fused sampling model has the same log
density and gradient as the ordinary model for every form it takes."""

from __future__ import annotations

import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest
from _helpers_model import assert_same_pointwise, toy_cohort
from scipy.special import gammaln

from bayes_walk.errors import SpecError
from bayes_walk.inference.fast.likelihood import LogLinearLikelihood, kernel_source
from bayes_walk.model.builder import build_model
from bayes_walk.spec.model_spec import load_spec, spec_from_dict


def _inputs(rng, n=400, p=2, ql=2, qk=2, rest=True, likelihood="poisson"):
    k = 50
    if likelihood == "poisson":
        y = rng.poisson(0.4, n).astype(np.float32)
    else:
        y = (rng.random(n) < 0.3).astype(np.float32)
    X = rng.normal(size=(n, p)).astype(np.float32)
    LI = np.zeros((n, ql), dtype=np.uint16)
    for j in range(ql):
        LI[:, j] = j * k + rng.integers(0, k - 1, n)
    LW = rng.random((n, ql)).astype(np.float32)
    KI = (ql * k + rng.integers(0, 7, (n, qk))).astype(np.uint16)
    size = ql * k + 7
    values = {
        "a": np.array(-1.2),
        "rest": rng.normal(0, 0.2, n) if rest else np.zeros(0),
        "beta": rng.normal(0, 0.3, p),
        "V": rng.normal(0, 0.3, size),
    }
    return (y, X, LI, LW, KI), values


def _function(data, has_rest, mode, likelihood="poisson"):
    y, X, LI, LW, KI = data
    a, rest, beta, V = pt.dscalar("a"), pt.dvector("rest"), pt.dvector("beta"), pt.dvector("V")
    op = LogLinearLikelihood(X.shape[1], LI.shape[1], KI.shape[1], has_rest, likelihood)
    logp = op(y, a, rest, X, beta, V, LI, LW, KI)[0]
    wrt = [a, rest, beta, V] if has_rest else [a, beta, V]
    return pytensor.function([a, rest, beta, V], [logp, *pt.grad(logp, wrt)], mode=mode)


def _reference(data, v, likelihood="poisson"):
    """The density written out independently of the op: scipy's Poisson, or the plain
    model's log-binomial formula (log p = -softplus(-K eta) / K - EPS)."""
    from scipy.stats import poisson

    from bayes_walk.model.likelihoods.plain import LOG_BINOMIAL_EPS, LOG_BINOMIAL_K

    y, X, LI, LW, KI = (np.asarray(d, dtype=np.float64) for d in data)
    LI, KI = LI.astype(int), KI.astype(int)
    V = v["V"]
    eta = v["a"] + X @ v["beta"] + (v["rest"] if v["rest"].size else 0.0)
    eta = eta + (V[LI] * (1 - LW) + V[LI + 1] * LW).sum(1) + V[KI].sum(1)
    if likelihood == "poisson":  # the kernel leaves out -log y!
        return float(np.sum(poisson.logpmf(y, np.exp(eta)) + gammaln(y + 1)))
    logp = -np.logaddexp(0.0, -LOG_BINOMIAL_K * eta) / LOG_BINOMIAL_K - LOG_BINOMIAL_EPS
    return float(np.sum(np.where(y > 0, logp, np.log(-np.expm1(logp)))))


LIKELIHOODS = ["poisson", "bernoulli_log"]


@pytest.mark.parametrize("likelihood", LIKELIHOODS)
@pytest.mark.parametrize("has_rest", [True, False])
@pytest.mark.parametrize("shape", [(2, 2, 2), (0, 1, 0), (3, 0, 1)])
def test_numba_kernel_matches_numpy_and_the_formula(has_rest, shape, likelihood):
    rng = np.random.default_rng(1)
    data, v = _inputs(
        rng, p=shape[0], ql=shape[1], qk=shape[2], rest=has_rest, likelihood=likelihood
    )
    args = [v["a"], v["rest"], v["beta"], v["V"]]
    fast = _function(data, has_rest, "NUMBA", likelihood)(*args)
    slow = _function(data, has_rest, "FAST_COMPILE", likelihood)(*args)
    assert fast[0] == pytest.approx(_reference(data, v, likelihood), rel=1e-12)
    for f, s in zip(fast, slow, strict=True):
        np.testing.assert_allclose(f, s, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("likelihood", LIKELIHOODS)
def test_gradient_matches_finite_differences(likelihood):
    rng = np.random.default_rng(2)
    data, v = _inputs(rng, n=200, likelihood=likelihood)
    out = _function(data, True, "NUMBA", likelihood)(v["a"], v["rest"], v["beta"], v["V"])
    eps = 1e-6

    def ref(values):
        return _reference(data, values, likelihood)

    for name, pos, grad in (("beta", 1, out[3]), ("V", 7, out[4]), ("rest", 3, out[2])):
        up, down = dict(v), dict(v)
        up[name] = v[name].copy()
        down[name] = v[name].copy()
        up[name][pos] += eps
        down[name][pos] -= eps
        fd = (ref(up) - ref(down)) / (2 * eps)
        assert grad[pos] == pytest.approx(fd, rel=1e-5, abs=1e-6), name
    fd = (ref(dict(v, a=v["a"] + eps)) - ref(dict(v, a=v["a"] - eps))) / (2 * eps)
    assert out[1] == pytest.approx(fd, rel=1e-5)


def test_log_binomial_kernel_near_and_above_risk_one():
    """Where exp(eta) reaches 1 the log-binomial density is the smooth capped one (risk at
    most 1 - 1e-6), finite with a finite gradient, and the two branches of the softplus
    agree with the formula on both sides of eta = 0."""
    rng = np.random.default_rng(4)
    data, v = _inputs(rng, n=300, p=1, ql=1, qk=1, rest=True, likelihood="bernoulli_log")
    v["rest"] = np.linspace(-0.5, 1.5, 300)  # eta from about -1.7 to +0.3
    args = [v["a"] + 1.2, v["rest"], v["beta"], v["V"]]
    out = _function(data, True, "NUMBA", "bernoulli_log")(*args)
    assert np.isfinite(out[0]) and all(np.isfinite(g).all() for g in out[1:])
    assert out[0] == pytest.approx(_reference(data, dict(v, a=v["a"] + 1.2), "bernoulli_log"))


def test_mismatched_shapes_raise_instead_of_reading_out_of_bounds():
    rng = np.random.default_rng(3)
    data, v = _inputs(rng)
    y, X, LI, LW, KI = data
    short = (y, X, LI[:, :1], LW[:, :1], KI)  # the op expects two interpolated pieces
    a, rest, beta, V = pt.dscalar("a"), pt.dvector("rest"), pt.dvector("beta"), pt.dvector("V")
    logp = LogLinearLikelihood(2, 2, 2, True)(*short[:1], a, rest, X, beta, V, *short[2:])[0]
    f = pytensor.function([a, rest, beta, V], logp, mode="NUMBA")
    with pytest.raises(ValueError, match="shapes do not match"):
        f(v["a"], v["rest"], v["beta"], v["V"])


def test_kernel_source_is_unrolled_per_piece():
    src = kernel_source(1, 2, 1, False)
    assert "LI[i, 1]" in src and "LI[i, 2]" not in src and "rest[i]" not in src
    assert "for j" not in src  # no loop over pieces inside the row loop


def _spec(name, **changes):
    d = load_spec(name).to_dict()
    d.update(changes)
    return spec_from_dict(d)


@pytest.mark.parametrize(
    "spec",
    [
        load_spec("gp"),
        load_spec("gp_sex"),  # stratum deviation curves through the same knots
        load_spec("rcs"),  # dense features: columns of the kernel's X
        _spec("gp", offset="followup_years"),
        _spec("gp", adjust=["age"]),  # no categorical covariates
        load_spec("joint"),  # a pair form: cell dummies become one pattern lookup
        load_spec("changepoint"),  # not linear in tau: a per-participant vector
        load_spec("quartiles"),  # categorical form plus a linear term (dense columns)
        _spec("gp", likelihood="bernoulli_log"),
        _spec("changepoint", likelihood="bernoulli_log"),  # with a rest vector
    ],
    ids=[
        "gp",
        "gp_sex",
        "rcs",
        "gp_offset",
        "gp_age_only",
        "joint",
        "changepoint",
        "quartiles",
        "gp_log_binomial",
        "changepoint_log_binomial",
    ],
)
def test_fused_model_has_the_same_log_density_and_gradient(spec):
    cohort = toy_cohort(n=800, seed=4)
    plain = build_model(spec, cohort)
    fused = build_model(spec, cohort, plain.designs, fused=True)
    assert plain.likelihood.name == "plain" and fused.likelihood.name == "fused" and fused.fused
    assert [v.name for v in fused.model.free_RVs] == [v.name for v in plain.model.free_RVs]
    assert {d.name for d in fused.model.deterministics} == {
        d.name for d in plain.model.deterministics
    } - {"mu"}
    # the fused model through its numba kernel, as nutpie runs it
    lp0, lp1 = plain.model.compile_logp(), fused.model.compile_logp(mode="NUMBA")
    d0, d1 = plain.model.compile_dlogp(), fused.model.compile_dlogp(mode="NUMBA")
    rng = np.random.default_rng(5)
    ip = plain.model.initial_point()
    for _ in range(3):
        point = {k: x + rng.normal(0, 0.3, np.shape(x)) for k, x in ip.items()}
        # both store covariates and weights as float32: agreement to ~1e-7 relative
        assert lp1(point) == pytest.approx(lp0(point), rel=1e-8)
        g0, g1 = d0(point), d1(point)
        np.testing.assert_allclose(g1, g0, rtol=1e-5, atol=1e-4 * np.abs(g0).max())


def test_fused_model_refuses_a_likelihood_without_a_kernel():
    import dataclasses

    cohort = toy_cohort(n=200, seed=5)
    spec = dataclasses.replace(load_spec("gp"), likelihood="negative_binomial")
    with pytest.raises(SpecError, match="no fused kernel"):
        build_model(spec, cohort, fused=True)


@pytest.mark.parametrize(
    "name,likelihood",
    [
        ("gp_sex", "poisson"),
        ("linear", "poisson"),
        ("changepoint", "poisson"),
        ("joint", "poisson"),
        ("gp", "bernoulli_log"),
        ("changepoint", "bernoulli_log"),
    ],
)
def test_fused_pointwise_log_likelihood_and_mu_match_the_generic_path(name, likelihood):
    import pymc as pm

    cohort = toy_cohort(n=500, seed=6)
    spec = _spec(name, likelihood=likelihood)
    plain = build_model(spec, cohort)
    fused = build_model(spec, cohort, plain.designs, fused=True)
    with plain.model:
        prior = pm.sample_prior_predictive(draws=12, random_seed=1).prior
    names = [v.name for v in plain.model.free_RVs]
    post = prior[names]
    assert_same_pointwise(plain, fused, post, 5)


def test_a_fused_model_refuses_new_data():
    cohort = toy_cohort(n=200, seed=7)
    fused = build_model(load_spec("gp"), cohort, fused=True)
    with pytest.raises(SpecError, match="cannot take another data set"):
        fused.set_data(toy_cohort(n=200, seed=8))


def test_the_default_model_reaches_the_kernel_as_before():
    """The gp model's pieces lay out as one dense column (age), two interpolated curves
    and two lookups (covariate patterns, municipality): the kernel whose speed
    docs/performance.md records."""
    from bayes_walk.model.pieces import Dense, KnotCurve, Lookup, Vector

    cohort = toy_cohort(n=300, seed=9)
    fused = build_model(load_spec("gp"), cohort, fused=True)
    kinds = {k: [type(p) for p in v] for k, v in fused.pieces.items()}
    assert kinds == {
        "intercept": [Vector],
        "covariates": [Dense],
        "walking_min": [KnotCurve],
        "walking_mets": [KnotCurve],
        "municipality": [Lookup],
    }
    arr = fused.likelihood.arrays
    assert arr["X"].shape == (300, 1)
    assert arr["lerp_index"].shape == (300, 2) and arr["lookup_index"].shape == (300, 2)
    assert isinstance(fused.likelihood.parameters["rest"], np.ndarray)  # no rest vector
