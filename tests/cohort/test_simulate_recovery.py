"""The outcome really follows the stored truth on the measured exposures.

A correctly specified log-linear Poisson model (linear terms for both exposures plus the
full adjustment set) fitted to a large `linear`-truth cohort recovers the true slopes, and
the recovered curve matches the stored ``true_logrr_*`` arrays.
"""

import json

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from bayes_walk.checks.frequentist import covariate_design, modified_poisson_curve
from bayes_walk.cohort import schema
from bayes_walk.cohort.simulate import simulate_cohort
from bayes_walk.cohort.truth import LINEAR_INTENSITY_SLOPE, LINEAR_VOLUME_SLOPE


@pytest.fixture(scope="module")
def linear_fit():
    import statsmodels.api as sm

    ds = simulate_cohort(n=150_000, seed=21, truth="linear", keep_daily=False)
    cov = covariate_design(ds, schema.PAPER_ADJUST).to_numpy()
    X = np.column_stack([ds["walking_min"].values, ds["walking_mets"].values, cov])
    X = sm.add_constant(X)
    with threadpool_limits(limits=1, user_api="blas"):  # see frequentist._fit
        res = sm.GLM(ds["clbp"].values.astype(float), X, family=sm.families.Poisson()).fit(
            cov_type="HC0"
        )
    return ds, res


def test_linear_truth_slopes_are_recovered(linear_fit):
    _, res = linear_fit
    b_vol, b_int = res.params[1], res.params[2]
    se_vol, se_int = res.bse[1], res.bse[2]
    assert abs(b_vol - -LINEAR_VOLUME_SLOPE) < 4 * se_vol
    assert abs(b_int - -LINEAR_INTENSITY_SLOPE) < 4 * se_int
    assert se_vol < 0.15 * LINEAR_VOLUME_SLOPE  # the check has power


def test_recovered_curve_matches_the_stored_truth(linear_fit):
    ds, res = linear_fit
    truth = ds["true_logrr_walking_min"]
    grid = truth["truth_walking_min"].values
    fitted = res.params[1] * (grid - 78.0)
    inside = (grid >= 40) & (grid <= 200)
    np.testing.assert_allclose(fitted[inside], truth.values[inside], atol=0.06)


def test_covariate_effects_are_recovered(linear_fit):
    ds, res = linear_fit
    coef = json.loads(ds.attrs["true_coefficients"])
    names = [
        "walking_min",
        "walking_mets",
        *covariate_design(ds.isel(participant=[0]), schema.PAPER_ADJUST).columns,
    ]
    est = dict(zip(names, res.params[1:], strict=True))
    se = dict(zip(names, res.bse[1:], strict=True))
    assert abs(est["depression[yes]"] - coef["depression"][1]) < 4 * se["depression[yes]"]
    assert abs(est["sex[male]"] - coef["sex"][1]) < 4 * se["sex[male]"]
    assert abs(est["age"] - coef["age"]) < 4 * se["age"]


def test_paper_style_spline_curve_follows_the_linear_truth(linear_fit):
    ds, _ = linear_fit
    curve = modified_poisson_curve(ds, "walking_min", at=[50.0, 78.0, 125.0, 175.0], reference=78.0)
    truth = ds["true_logrr_walking_min"].interp(truth_walking_min=curve["x"].to_numpy()).values
    np.testing.assert_allclose(np.log(curve["rr"]), truth, atol=0.07)
    assert (curve["lo"] <= np.exp(truth) + 0.02).all() and (
        np.exp(truth) - 0.02 <= curve["hi"]
    ).all()
