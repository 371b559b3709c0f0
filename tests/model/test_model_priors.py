"""Prior predictive check: default prior curves are plausible (RR(200 vs 78) in 0.3..3)."""

from __future__ import annotations

import pytest
from _helpers_model import toy_cohort

from bayes_walk.checks.prior_check import prior_predictive_check
from bayes_walk.spec.model_spec import load_spec, spec_from_dict


@pytest.fixture(scope="module")
def cohort():
    return toy_cohort(500, seed=2)


@pytest.mark.parametrize("name", ["gp", "rcs", "linear", "changepoint", "monotone", "quartiles"])
def test_default_prior_rr_200_vs_78_plausible(cohort, name):
    r = prior_predictive_check(load_spec(name), cohort, draws=800)
    assert r["fraction_in_band"] >= 0.95, r
    lo, med, hi = r["rr_quantiles"]
    assert lo < med < hi


def test_a_wide_prior_fails_the_check(cohort):
    d = load_spec("gp").to_dict()
    d["exposures"]["walking_min"]["priors"] = {"amplitude": {"sigma": 3.0}}
    r = prior_predictive_check(spec_from_dict(d), cohort, draws=800)
    assert r["fraction_in_band"] < 0.8
