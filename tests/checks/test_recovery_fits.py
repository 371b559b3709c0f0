"""Recovery tier (slow): real NUTS on simulated cohorts with known truth, reduced settings.

The full-settings study (4 chains x 1000 draws, every check and every shipped spec) is
scripts/recovery.py with results in reports/recovery/.
"""

from __future__ import annotations

import pytest

from bayes_walk.checks.recovery import (
    band_coverage,
    monotone_share,
    quartile_agreement,
    tau_interval,
)
from bayes_walk.cohort.simulate import simulate_cohort
from bayes_walk.inference.fit import fit
from bayes_walk.spec.model_spec import load_spec

SETTINGS = {
    "chains": 2,
    "draws": 300,
    "tune": 300,
    "progress": False,
    "posterior_predictive": False,
}


@pytest.mark.slow
def test_quartiles_match_modified_poisson():
    cohort = simulate_cohort(11194, seed=3)
    idata = fit(load_spec("quartiles"), cohort, **SETTINGS)
    res = quartile_agreement(idata, cohort, "walking_min")
    assert res["max_abs_diff"] <= 0.04, res


@pytest.mark.slow
def test_changepoint_tau_covers_plateau_onset():
    cohort = simulate_cohort(11194, seed=4, truth="plateau:100")
    idata = fit(load_spec("changepoint"), cohort, **SETTINGS)
    tau = tau_interval(idata)
    assert tau["lo"] <= 100.0 <= tau["hi"], tau


@pytest.mark.slow
def test_monotone_draws_non_increasing_and_cover_truth():
    cohort = simulate_cohort(11194, seed=5)
    idata = fit(load_spec("monotone"), cohort, **SETTINGS)
    assert monotone_share(idata, "walking_min") == 1.0
    assert monotone_share(idata, "walking_mets") == 1.0
    assert band_coverage(idata, cohort, "walking_min")["coverage"] >= 0.9
