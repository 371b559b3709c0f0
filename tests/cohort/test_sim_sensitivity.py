"""The simulator's sensitivity-analysis variables: plausible, and leaving the rest alone."""

import numpy as np
import pytest

from bayes_walk.cohort import sim_sensitivity
from bayes_walk.cohort.schema import levels_of
from bayes_walk.cohort.simulate import simulate_cohort

NEW = ("bmi", "clbp_severe", "baseline_pain", "pain_4wk", "self_rated_health",
       "chronic_disease", "running_min", "cycling_min")  # fmt: skip


@pytest.fixture(scope="module")
def cohort():
    return simulate_cohort(n=11194, seed=0, keep_daily=False)


def test_new_variables_do_not_move_the_old_ones(monkeypatch):
    a = simulate_cohort(n=800, seed=4, keep_daily=False)
    monkeypatch.setattr(sim_sensitivity, "STREAM", sim_sensitivity.STREAM + 1)
    b = simulate_cohort(n=800, seed=4, keep_daily=False)
    old = [v for v in a.data_vars if v not in NEW]
    assert "clbp" in old and "walking_min" in old
    for v in old:
        np.testing.assert_array_equal(a[v].values, b[v].values)
    assert not np.array_equal(a["bmi"].values, b["bmi"].values, equal_nan=True)


def test_prevalences_missingness_and_associations(cohort):
    y = cohort["clbp"].values
    sev = cohort["clbp_severe"].values
    assert set(np.unique(sev)) == {0, 1} and (sev <= y).all()  # severe cases are cases
    assert 0.25 < sev[y == 1].mean() < 0.45
    for name, lo, hi in [
        ("baseline_pain", 0.2, 0.45),
        ("pain_4wk", 0.12, 0.35),
        ("self_rated_health", 0.1, 0.3),
        ("chronic_disease", 0.15, 0.35),
    ]:
        x = cohort[name].values
        ok = x >= 0
        assert levels_of(cohort, name)[0] in ("no", "good")
        assert lo < (x[ok] > 0).mean() < hi, name
        assert 0.005 < (~ok).mean() < 0.05, name
        rr = y[ok][x[ok] > 0].mean() / y[ok][x[ok] == 0].mean()
        assert rr > 1.15, (name, rr)  # each marks a higher risk of CLBP
    bmi = cohort["bmi"].values
    assert 25.5 < np.nanmean(bmi) < 28.5 and 0.005 < np.isnan(bmi).mean() < 0.03
    wm = cohort["walking_min"].values
    ok = np.isfinite(bmi)
    assert np.corrcoef(bmi[ok], wm[ok])[0, 1] < -0.05


def test_running_and_cycling_come_from_the_activity_records():
    c = simulate_cohort(n=300, seed=2)
    secs = c["activity_seconds"].sel(activity="running").where(c["valid_day"])
    expect = (secs.sum("day") / 60.0 / c["valid_day"].sum("day")).values
    np.testing.assert_allclose(c["running_min"].values, expect)
    assert (c["running_min"].values > 0).mean() > 0.03
    assert (c["cycling_min"].values > 0).mean() > 0.05
