"""The ``plateau`` form: a flexible curve up to an explicit onset ``tau``, flat after it.

Structure on prior draws (flat beyond the onset, continuous, monotone, zero at the
reference, onset inside its range, prediction equal to the stored curve), the knot
interpolation against the exact per-participant curve, equal log density and gradient
under the plain and fused strategies, spec-time checks, and (slow) recovery of a true
onset at 100 min/day by a real NUTS fit.
"""

from __future__ import annotations

import numpy as np
import pytest
from _helpers_model import assert_same_pointwise, toy_cohort

from bayes_walk.errors import SpecError
from bayes_walk.model.builder import build_model
from bayes_walk.model.forms import get_form
from bayes_walk.model.forms.plateau import curve
from bayes_walk.spec.model_spec import load_spec, spec_from_dict

E = "walking_min"


def _spec(base="plateau", light=True, **options):
    """The shipped spec, lighter (linear intensity, age only) unless ``light=False``."""
    d = load_spec(base).to_dict()
    if light:
        d["adjust"] = ["age"]
        d["exposures"]["walking_mets"] = {"form": "linear", "reference": 3.0, "priors": {}}
    d["exposures"][E].update(options)
    return spec_from_dict(d)


def _prior(built, draws=200):
    import pymc as pm

    with built.model:
        return pm.sample_prior_predictive(draws=draws, random_seed=3).prior


@pytest.fixture(scope="module")
def prior_fit():
    built = build_model(_spec(), toy_cohort(n=600, seed=1))
    return built, _prior(built)


def test_prior_curves_are_flat_beyond_the_onset_and_zero_at_the_reference(prior_fit):
    built, prior = prior_fit
    d = built.designs["exposures"][E]
    grid = built.grids[E]
    c = prior[f"logrr_{E}"].values.reshape(-1, grid.size)
    tau = prior[f"tau_{E}"].values.ravel()
    tau_u = prior[f"tau_{E}_scaled"].values.ravel()
    width_u = prior[f"width_{E}_scaled"].values.ravel()
    delta = prior[f"delta_{E}"].values.ravel()
    np.testing.assert_allclose(prior[f"width_{E}"].values.ravel(), width_u * d["scale"])
    x = toy_cohort(n=600, seed=1)[E].values
    assert (d["tau_low"], d["tau_high"]) == pytest.approx(tuple(np.percentile(x, [5, 95])))
    assert np.all((tau >= d["tau_low"]) & (tau <= d["tau_high"]))
    np.testing.assert_array_equal(c[:, grid == 78.0], 0.0)
    flat_draws = 0
    for i in range(c.shape[0]):
        beyond = grid >= tau[i] + 8 * width_u[i] * d["scale"]
        if beyond.sum() >= 2:
            flat_draws += 1
            # 1 - v <= width * softplus(-8) / tau there, and |h'| <= K = 3
            bound = abs(delta[i]) * 3 * width_u[i] * 3.4e-4 / tau_u[i]
            assert np.ptp(c[i, beyond]) <= bound + 1e-12, i
        # monotone = true: the curve moves one way, the way of delta, everywhere
        steps = np.diff(c[i]) * np.sign(delta[i])
        assert np.all(steps >= -1e-12), i  # f = delta * h with h non-decreasing
    assert flat_draws > 100


def test_prior_curves_are_continuous_and_prediction_matches_the_stored_curve(prior_fit):
    built, prior = prior_fit
    d = built.designs["exposures"][E]
    form = get_form("plateau")
    grid = built.grids[E]
    pred = form.predict(grid, prior, d, E)
    np.testing.assert_allclose(pred.values, prior[f"logrr_{E}"].values, rtol=1e-9, atol=1e-12)
    fine = np.linspace(d["p1"] - 20, d["p99"] + 60, 4001)
    f = form.predict(fine, prior, d, E).values.reshape(-1, fine.size)
    delta = prior[f"delta_{E}"].values.reshape(-1, 1)
    tau_u = prior[f"tau_{E}_scaled"].values.reshape(-1, 1)
    du = (fine[1] - fine[0]) / d["scale"]
    # |f'(u)| <= |delta| K / tau (range units): no jump anywhere, also below p1
    lipschitz = np.abs(delta) * 3 / tau_u * du
    assert np.all(np.abs(np.diff(f, axis=1)) <= lipschitz * 1.001 + 1e-12)
    # and the slope itself changes continuously (no kink at the onset or at p1)
    slope = np.diff(f, axis=1) / du
    width = prior[f"width_{E}_scaled"].values.reshape(-1, 1)
    curv = np.abs(delta) * (3 / tau_u) * (6 / tau_u + 1 / width)
    assert np.all(np.abs(np.diff(slope, axis=1)) <= curv * du * 1.01 + 1e-9)


def test_curve_is_the_soft_minimum_of_the_exposure_and_the_onset():
    u = np.linspace(-0.2, 1.2, 1401)
    linear = [np.zeros(1), np.array([1 / 3]), np.array([2 / 3]), np.ones(1)]
    h = curve(u, 0.5, 1e-4, linear)  # a nearly sharp transition, straight shape
    np.testing.assert_allclose(h, np.minimum(u, 0.5) / 0.5, atol=2e-3)
    wide = curve(u, 0.5, 0.05, linear)
    assert np.all(wide <= np.minimum(u, 0.5) / 0.5 + 1e-12)  # a soft min lies below
    assert wide[-1] == pytest.approx(1.0, abs=1e-6)


def test_knot_curve_matches_the_exact_curve_per_participant():
    cohort = toy_cohort(n=500, seed=2)
    knots = build_model(_spec(), cohort)
    exact = build_model(_spec(interp_points=0), cohort)
    assert [type(p).__name__ for p in knots.pieces[E]] == ["KnotCurve"]
    assert [type(p).__name__ for p in exact.pieces[E]] == ["Vector"]
    lp0, lp1 = knots.model.compile_logp(), exact.model.compile_logp()
    rng = np.random.default_rng(0)
    ip = knots.model.initial_point()
    for _ in range(3):
        point = {k: x + rng.normal(0, 0.3, np.shape(x)) for k, x in ip.items()}
        assert lp0(point) == pytest.approx(lp1(point), rel=1e-6)


@pytest.mark.parametrize(
    "spec",
    [
        _spec(light=False),  # the shipped spec: knots, width a parameter, HSGP intensity
        _spec(monotone=False, width=0.02, interp_points=0),  # free shape, exact vector
    ],
    ids=["shipped", "free_fixed_width_exact"],
)
def test_plain_and_fused_strategies_agree(spec):
    cohort = toy_cohort(n=800, seed=4)
    plain = build_model(spec, cohort)
    fused = build_model(spec, cohort, plain.designs, fused=True)
    assert fused.likelihood.name == "fused"
    assert [v.name for v in fused.model.free_RVs] == [v.name for v in plain.model.free_RVs]
    lp0, lp1 = plain.model.compile_logp(), fused.model.compile_logp(mode="NUMBA")
    d0, d1 = plain.model.compile_dlogp(), fused.model.compile_dlogp(mode="NUMBA")
    rng = np.random.default_rng(5)
    ip = plain.model.initial_point()
    for _ in range(3):
        point = {k: x + rng.normal(0, 0.3, np.shape(x)) for k, x in ip.items()}
        assert lp1(point) == pytest.approx(lp0(point), rel=1e-8)
        g0, g1 = d0(point), d1(point)
        np.testing.assert_allclose(g1, g0, rtol=1e-5, atol=1e-4 * np.abs(g0).max())


def test_free_shape_prior_curves_are_still_flat_beyond_the_onset():
    built = build_model(_spec(monotone=False, width=0.02), toy_cohort(n=400, seed=3))
    prior = _prior(built, draws=100)
    grid = built.grids[E]
    d = built.designs["exposures"][E]
    c = prior[f"logrr_{E}"].values.reshape(-1, grid.size)
    tau = prior[f"tau_{E}"].values.ravel()
    assert f"width_{E}" not in prior
    for i in range(c.shape[0]):
        beyond = grid >= tau[i] + 8 * 0.02 * d["scale"]
        if beyond.sum() >= 2:
            assert np.ptp(c[i, beyond]) < 1e-2 * max(abs(c[i]).max(), 1e-9), i


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"width": 0}, "width must be a number > 0"),
        ({"monotone": "yes"}, "monotone must be true or false"),
        ({"degree": 0}, "degree must be an integer"),
        ({"tau_range": ["p5"]}, "tau_range"),
        ({"interp_points": 10}, "interp_points"),
    ],
)
def test_bad_options_are_refused_when_the_spec_is_read(options, message):
    with pytest.raises(SpecError, match=message):
        _spec(**options)


def test_an_onset_range_reaching_p1_is_refused():
    with pytest.raises(SpecError, match="must start above the data's p1"):
        build_model(_spec(tau_range=["p1", "p95"]), toy_cohort(n=300, seed=1))


@pytest.mark.slow
def test_a_true_onset_at_100_is_recovered_cleanly():
    from bayes_walk.cohort.simulate import simulate_cohort
    from bayes_walk.inference.fit import fit

    cohort = simulate_cohort(n=4000, seed=0, truth="plateau:100", keep_daily=False)
    idata = fit(
        load_spec("plateau"),
        cohort,
        chains=2,
        draws=500,
        tune=500,
        seed=0,
        progress=False,
        posterior_predictive=False,
    )
    assert int(idata.sample_stats["diverging"].sum()) == 0
    tau = idata.posterior[f"tau_{E}"].values.ravel()
    lo, hi = np.quantile(tau, [0.025, 0.975])
    assert lo <= 100.0 <= hi


def test_fused_pointwise_log_likelihood_matches_the_plain_path():
    """LOO (and so model averaging) reads the pointwise log-likelihood of a fit."""

    cohort = toy_cohort(n=400, seed=6)
    spec = _spec()
    plain = build_model(spec, cohort)
    fused = build_model(spec, cohort, plain.designs, fused=True)
    names = [v.name for v in plain.model.free_RVs]
    post = _prior(plain, draws=12)[names]
    assert_same_pointwise(plain, fused, post, 5)
