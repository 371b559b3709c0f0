"""SBC replicates of the measurement-error model draw the days and act on the drawn habit."""

from __future__ import annotations

import numpy as np
import pytest

from bayes_walk.checks.sbc_measurement import MeasurementSBC
from bayes_walk.checks.sbc_spec import spec_sbc
from bayes_walk.cohort.simulate import simulate_cohort
from bayes_walk.model.measurement import daily_statistics
from bayes_walk.spec.model_spec import spec_from_dict

REPS = 300


def _days_spec(walking_mets: dict | None = None, **volume):
    """A linear volume term with measurement = "days" (and ``volume``'s extra keys), plus
    an observed linear intensity term when given."""
    exposures = {
        "walking_min": {"form": "linear", "reference": 78, "measurement": "days", **volume}
    }
    if walking_mets is not None:
        exposures["walking_mets"] = walking_mets
    return spec_from_dict({"name": "sbc_days_test", "exposures": exposures})


@pytest.fixture(scope="module")
def setup_and_reps():
    cohort = simulate_cohort(n=250, seed=3, exposure_on="habit")
    # a strong, nearly fixed slope so that the outcome visibly follows the habit it acts on
    spec = _days_spec(priors={"slope": {"dist": "Normal", "mu": -3.0, "sigma": 0.01}})
    setup = spec_sbc(spec, cohort)
    reps = setup.simulate(REPS, seed=7)
    return cohort, setup, reps


def test_setup_is_the_measurement_kind_with_its_quantities(setup_and_reps):
    cohort, setup, _ = setup_and_reps
    assert isinstance(setup, MeasurementSBC)
    k = daily_statistics(cohort, "walking_min")["k"]
    names = setup.quantities
    for p in ("habit_mu", "habit_sd", "day_sd"):
        assert f"{p}_walking_min" in names
    assert f"habit walking_min ({k[k > 0].min()} days)" in names
    assert f"habit walking_min ({k.max()} days)" in names


def test_day_statistics_follow_the_day_model(setup_and_reps):
    cohort, setup, reps = setup_and_reps
    k = daily_statistics(cohort, "walking_min")["k"].astype(float)
    sw = np.array([r.truth["day_sd_walking_min"] for r in reps])
    # within-person sum of squares: sw^2 * chi2(sum(k - 1)) per replicate
    df = np.maximum(k - 1, 0).sum()
    ratio = np.array([r.data["days_ss_walking_min"].sum() for r in reps]) / (sw**2 * df)
    assert abs(ratio.mean() - 1) < 4 * np.sqrt(2 / df) / np.sqrt(REPS)
    # the mean log day of each watched participant scatters around its habit by sw / sqrt(k)
    for label, (_, j) in setup._watch.items():
        h = np.log([r.truth[label] for r in reps]) - sw**2 / 2
        ybar = np.array([r.data["days_mean_walking_min"][j] for r in reps])
        zscore = (ybar - h) / (sw / np.sqrt(k[j]))
        assert abs(zscore.mean()) < 4 / np.sqrt(REPS)
        assert 0.85 < zscore.std() < 1.15
    # participants without a valid day carry no statistics
    none = k == 0
    if none.any():
        assert all(np.all(r.data["days_mean_walking_min"][none] == 0) for r in reps)


def test_outcome_acts_on_the_drawn_habit_not_the_observed_days(setup_and_reps):
    cohort, setup, reps = setup_and_reps
    habits = setup.last_habits["walking_min"]
    observed = np.asarray(cohort["walking_min"].values)
    y = np.array([r.data["clbp_obs"] for r in reps], dtype=float)

    def corr(a, b):
        a = a - a.mean(axis=1, keepdims=True)
        b = b - b.mean(axis=1, keepdims=True)
        with np.errstate(invalid="ignore"):  # a replicate with one outcome for all
            return (a * b).sum(1) / np.sqrt((a**2).sum(1) * (b**2).sum(1))

    # slope -3 on the p1..p99 scale: the outcome falls with the drawn habit ...
    with_drawn = corr(y, np.log(habits))
    with_observed = corr(y, np.broadcast_to(np.log(observed), y.shape))
    ok = y.std(axis=1) > 0  # replicates whose prior intercept gives one outcome to all
    with_drawn, with_observed = with_drawn[ok], with_observed[ok]
    assert np.median(with_drawn) < -0.1
    # ... and not with the cohort's observed mean (the prior draws habits independent of it)
    assert np.median(with_drawn) < np.median(with_observed) - 0.05


def test_habit_covariates_replicates_draw_habits_around_the_predictors():
    """With habit_covariates the replicate's habits centre on habit_mu + X_habit @ beta:
    the simulated day means follow the standardised intensity with the drawn slope."""
    cohort = simulate_cohort(n=300, seed=4, exposure_on="habit")
    spec = _days_spec(walking_mets={"form": "linear", "reference": 3.0})
    setup = spec_sbc(spec, cohort)
    label = "habit_beta_walking_min[walking_mets]"
    assert label in setup.quantities
    reps = setup.simulate(40, seed=2)
    beta = np.array([r.truth[label] for r in reps])
    x = setup._data("X_habit_walking_min")[:, -1]
    k = daily_statistics(cohort, "walking_min")["k"]
    slopes = np.array(
        [np.polyfit(x[k > 0], r.data["days_mean_walking_min"][k > 0], 1)[0] for r in reps]
    )
    assert np.corrcoef(beta, slopes)[0, 1] > 0.9
