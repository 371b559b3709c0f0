"""Posterior predictive checks on hand-made fits with a known truth."""

from __future__ import annotations

import numpy as np
import pytest
from _helpers_checks import hand_made_fit

from bayes_walk.checks.fitdata import PredictiveData
from bayes_walk.checks.ppc import group_midp, per_check_band, ppc_checks
from bayes_walk.errors import BayesWalkError, FitFileError


def test_correct_model_passes_and_reports_every_family():
    res = ppc_checks(hand_made_fit(seed=1))
    assert res.passed, [(c.name, c.p_value) for c in res.failed]
    families = {c.family for c in res.checks}
    assert families == {
        "incidence",
        "calibration",
        "walking_min",
        "walking_mets",
        "sex",
        "age",
        "municipality",
    }
    names = [c.name for c in res.checks]
    assert "age: <65" in names and "sex: female" in names and "municipality: M03" in names
    assert sum(c.family == "calibration" and c.kind == "group" for c in res.checks) == 10
    assert sum(c.family == "walking_min" and c.kind == "group" for c in res.checks) == 5
    assert "share_predicted_counts_above_1" in res.reported
    d = res.to_dict()
    assert set(d) >= {"passed", "band", "checks"}
    assert set(d["checks"][0]) >= {"name", "observed", "p_value", "passed"}


def test_model_without_exposure_term_fails_on_exposure_quintiles():
    res = ppc_checks(hand_made_fit(seed=2, beta=-0.4, model_beta=0.0))
    assert not res.passed
    failed = {c.family for c in res.failed}
    assert "walking_min" in failed
    q1 = next(c for c in res.checks if c.name.startswith("walking_min: quintile 1"))
    # More cases in the lowest-volume quintile than a flat-risk model predicts.
    assert q1.observed > q1.expected and q1.p_value < 1e-4


def test_model_without_municipality_effects_fails_on_municipality():
    res = ppc_checks(hand_made_fit(seed=3, n=8000, muni_sd=0.35, model_muni=False))
    assert "municipality" in {c.family for c in res.failed}


@pytest.mark.parametrize("likelihood", ["poisson", "bernoulli_log"])
def test_midp_is_uniform_when_model_is_the_truth(likelihood):
    # With expected counts equal to the truth (no posterior uncertainty) the mid-p value of
    # a group's case count is (nearly) uniform: the check has the advertised false-alarm rate.
    rng = np.random.default_rng(4)
    p = rng.uniform(0.05, 0.3, size=300)
    mu = p[None, :]
    pvals = []
    for _ in range(600):
        y = (rng.random(300) < p).astype(float)
        if likelihood == "poisson":
            y = rng.poisson(p).astype(float)
        data = PredictiveData(y, mu, None, likelihood, np.arange(300))
        pv, _ = group_midp(data, np.ones((300, 1)))
        pvals.append(pv[0])
    pvals = np.array(pvals)
    # A mid-p value of a discrete count has mean 1/2 and tail rates close to nominal.
    assert abs(pvals.mean() - 0.5) < 0.03
    for alpha in (0.05, 0.1):
        assert np.mean(pvals < alpha) < 2 * alpha
        assert np.mean(pvals > 1 - alpha) < 2 * alpha
    assert np.mean(pvals < 0.5) == pytest.approx(0.5, abs=0.07)


def test_false_alarm_rate_of_the_gate_is_small():
    # 20 correct hand-made fits: with the Bonferroni band at most one may fail by chance.
    fails = sum(
        not ppc_checks(hand_made_fit(n=1500, seed=100 + s, draws=50)).passed for s in range(20)
    )
    assert fails <= 1


def test_bonferroni_band_and_band_validation():
    assert per_check_band((0.005, 0.995), 50, "bonferroni") == pytest.approx((1e-4, 1 - 1e-4))
    assert per_check_band((0.005, 0.995), 50, "none") == (0.005, 0.995)
    idata = hand_made_fit(n=500, draws=20)
    with pytest.raises(BayesWalkError, match="band"):
        ppc_checks(idata, band=(0.6, 0.9))
    res = ppc_checks(idata, band=(0.2, 0.8), adjust="none")
    assert res.checks[0].band == (0.2, 0.8)


def test_missing_expected_counts_is_a_fit_file_error():
    idata = hand_made_fit(n=200, draws=10)
    del idata.posterior_predictive["mu"]
    with pytest.raises(FitFileError, match="posterior_predictive.mu"):
        ppc_checks(idata, source="x.nc")


def _cohort_of(idata):
    import xarray as xr

    cd = idata.constant_data
    return xr.Dataset(
        {
            "walking_min": cd["walking_min"],
            "clbp": idata.observed_data["clbp"],
        }
    )


def test_exposure_missing_from_the_fit_is_taken_from_the_cohort():
    idata = hand_made_fit(seed=2, beta=-0.4, model_beta=0.0)
    cohort = _cohort_of(idata)
    idata.constant_data = idata.constant_data.drop_vars("walking_min")
    alone = ppc_checks(idata)
    assert "walking_min" not in {c.family for c in alone.checks}
    with_cohort = ppc_checks(idata, cohort=cohort)
    assert "walking_min" in {c.family for c in with_cohort.failed}


def test_a_cohort_that_is_not_the_fitted_one_is_refused():
    idata = hand_made_fit(n=300, seed=2, draws=10)
    cohort = _cohort_of(idata)
    flipped = cohort.assign(clbp=1 - cohort["clbp"])
    with pytest.raises(BayesWalkError, match="column 'clbp' differs"):
        ppc_checks(idata, cohort=flipped)
    with pytest.raises(BayesWalkError, match="participants differ"):
        ppc_checks(idata, cohort=cohort.isel(participant=slice(0, 200)))
