"""Structure tier for every form: shipped specs build, shape rules hold in prior draws."""

from __future__ import annotations

import arviz as az
import numpy as np
import pytest
from _helpers_model import toy_cohort

from bayes_walk.model.builder import build_model
from bayes_walk.model.forms import get_form
from bayes_walk.results import LoadedFit
from bayes_walk.spec.model_spec import load_spec, shipped_specs


@pytest.fixture(scope="module")
def cohort():
    return toy_cohort(400, seed=11)


def _prior(built, names, draws=300):
    import pymc as pm

    with built.model:
        return pm.sample_prior_predictive(draws=draws, var_names=names, random_seed=2).prior


@pytest.fixture(scope="module")
def daily_cohort():
    """A simulated cohort with its daily series, for specs with ``measurement = "days"``."""
    from bayes_walk.cohort.simulate import simulate_cohort

    return simulate_cohort(n=400, seed=11)


@pytest.mark.parametrize("name", shipped_specs())
def test_every_shipped_spec_builds_with_curves(cohort, daily_cohort, name):
    from bayes_walk.model.measurement import uses_days

    spec = load_spec(name)
    built = build_model(spec, daily_cohort if uses_days(spec) else cohort)
    for exposure in spec.exposures:
        dims = built.model.named_vars_to_dims[f"logrr_{exposure}"]
        assert dims[-1] == f"{exposure}_grid"


def test_monotone_prior_draws_non_increasing(cohort):
    built = build_model(load_spec("monotone"), cohort)
    prior = _prior(built, ["logrr_walking_min", "logrr_walking_mets", "coef_walking_min"])
    for e in ("walking_min", "walking_mets"):
        c = prior[f"logrr_{e}"].values
        assert np.all(np.diff(c, axis=-1) <= 1e-12)
        assert np.std(c) > 0.01
    # prediction beyond the grid stays non-increasing and flat outside the data
    d = built.designs["exposures"]["walking_min"]
    x = np.linspace(d["lower"] - 50, d["upper"] + 50, 300)
    pred = get_form("monotone").predict(x, prior, d, "walking_min").values
    assert np.all(np.diff(pred, axis=-1) <= 1e-12)
    assert np.allclose(pred[..., 0], pred[..., 1]) and np.allclose(pred[..., -1], pred[..., -2])


def test_changepoint_flat_after_tau(cohort):
    built = build_model(load_spec("changepoint"), cohort)
    prior = _prior(built, ["logrr_walking_min", "tau_walking_min", "slope_walking_min"])
    g = built.grids["walking_min"]
    c = prior["logrr_walking_min"].values.reshape(-1, g.size)
    tau = prior["tau_walking_min"].values.ravel()
    slope = prior["slope_walking_min"].values.ravel()
    d = built.designs["exposures"]["walking_min"]
    assert tau.min() >= d["tau_low"] - 1e-9 and tau.max() <= d["tau_high"] + 1e-9
    for i in range(c.shape[0]):
        after = g >= tau[i]
        if after.sum() > 1:
            assert np.ptp(c[i, after]) < 1e-12
        before = g < tau[i]
        if before.sum() > 1:  # strictly linear before tau with the draw's slope
            dif = np.diff(c[i, before]) / np.diff(g[before]) * d["scale"]
            np.testing.assert_allclose(dif, slope[i], rtol=1e-8, atol=1e-10)
    assert np.all(c[:, g == 78.0] == 0.0)


def test_rcs_linear_beyond_outer_knots(cohort):
    built = build_model(load_spec("rcs"), cohort)
    prior = _prior(built, ["logrr_walking_min"])
    d = built.designs["exposures"]["walking_min"]
    g = built.grids["walking_min"]
    c = prior["logrr_walking_min"].values.reshape(-1, g.size)
    beyond = g >= d["knots"][-1]
    slopes = np.diff(c[:, beyond], axis=-1) / np.diff(g[beyond])
    assert np.ptp(slopes, axis=-1).max() < 1e-9
    ref = d["reference"]
    assert ref == pytest.approx(np.percentile(cohort["walking_min"].values, 10))
    assert np.all(np.abs(c[:, np.isclose(g, ref)]) < 1e-12)


def test_joint_table_and_curves(cohort):
    built = build_model(load_spec("joint"), cohort)
    prior = _prior(built, ["logrr_joint", "logrr_walking_min", "logrr_walking_mets"])
    lj = prior["logrr_joint"]
    assert lj.dims[-2:] == ("walking_min_category", "walking_mets_category")
    assert lj.shape[-2:] == (4, 4)
    assert np.all(lj.values[..., 0, 0] == 0.0)
    # the volume curve is column 0 of the table (intensity at its reference category)
    d = built.designs["exposures"]["walking_min"]
    g = built.grids["walking_min"]
    top = g >= d["cuts"][2]
    np.testing.assert_allclose(
        prior["logrr_walking_min"].values[..., top],
        lj.values[..., 3, 0][..., None] * np.ones(top.sum()),
    )
    pred = get_form("joint").predict(g, prior, d, "walking_min")
    np.testing.assert_allclose(pred.values, prior["logrr_walking_min"].values)
    dm = built.designs["exposures"]["walking_mets"]
    gm = built.grids["walking_mets"]
    pred = get_form("joint").predict(gm, prior, dm, "walking_mets")
    np.testing.assert_allclose(pred.values, prior["logrr_walking_mets"].values)


@pytest.mark.parametrize("name", ["rcs", "changepoint", "monotone", "gp_age65"])
def test_predict_reproduces_grid_curve(cohort, name):
    built = build_model(load_spec(name), cohort)
    prior = _prior(
        built,
        [v.name for v in built.model.free_RVs]
        + [d.name for d in built.model.deterministics if d.name != "mu"],
        draws=50,
    )
    lf = LoadedFit(path=None, idata=None, spec=built.spec, designs=built.designs)
    lf.idata = az.InferenceData(posterior=prior)
    for e in built.spec.exposures:
        pred = lf.predict_curve(e, built.grids[e])
        stored = prior[f"logrr_{e}"]
        np.testing.assert_allclose(
            pred.values, stored.transpose(*pred.dims[:-1], f"{e}_grid").values, atol=1e-10
        )
