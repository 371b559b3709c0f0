"""measurement = "days" on walking intensity: days weighted by their walking time."""

from __future__ import annotations

import numpy as np
import pytest
from _helpers_measurement import box_cox_logpdf, shape_value

from bayes_walk.cohort.simulate import simulate_cohort
from bayes_walk.errors import SpecError
from bayes_walk.model import measurement
from bayes_walk.spec.model_spec import load_spec, spec_from_dict


def _spec(*exposures: str):
    d = load_spec("gp").to_dict()
    for e in exposures:
        d["exposures"][e]["measurement"] = "days"
    return spec_from_dict(d)


@pytest.fixture(scope="module")
def cohort():
    return simulate_cohort(n=400, seed=6, exposure_on="habit")


def _used_days(cohort):
    """Log MET, walking time and use of each (participant, day), from the daily series."""
    mets = cohort["daily_walking_mets"].values
    t = cohort["daily_walking_min"].values
    used = cohort["valid_day"].values & np.isfinite(mets) & np.isfinite(t) & (t > 0)
    return np.log(np.where(used, mets, 1.0)), np.where(used, t, 0.0), used


def test_statistics_are_the_time_weighted_ones(cohort):
    st = measurement.daily_statistics(cohort, "walking_mets")
    y, t, used = _used_days(cohort)
    for i in range(0, cohort.sizes["participant"], 23):
        w = t[i][used[i]] / t[i][used[i]].mean()
        yi = y[i][used[i]]
        assert st["k"][i] == yi.size == w.sum().round()
        if yi.size == 0:
            continue
        mean = (w * yi).sum() / w.sum()
        assert st["mean_log"][i] == pytest.approx(mean, rel=1e-12)
        assert st["ss"][i] == pytest.approx((w * (yi - mean) ** 2).sum(), abs=1e-12)
    # the weighted mean of the log days is the log of a time-weighted (geometric) mean
    # MET, within the day-to-day spread of the arithmetic one the cohort holds
    has = st["k"] > 0
    gap = np.exp(st["mean_log"][has]) - cohort["walking_mets"].values[has]
    assert np.all(gap <= 1e-12) and np.abs(gap).max() < 0.02


def test_unweighted_days_do_not_change_volume(cohort):
    st = measurement.daily_statistics(cohort, "walking_min")
    days = cohort["daily_walking_min"].values
    valid = cohort["valid_day"].values
    i = int(np.argmax(valid.sum(axis=1)))
    y = np.log(np.maximum(days[i][valid[i]], measurement.FLOOR_MIN))
    assert st["mean_log"][i] == pytest.approx(y.mean(), rel=1e-12)


@pytest.mark.parametrize("kappa", [0.0, -0.25])
def test_weighted_day_density_is_the_direct_one(cohort, kappa):
    """Potential + N(0, 1) of z = the direct density of days ``N(h, sw / sqrt(w))`` and
    habits (Box-Cox population, Jacobian of h = m + s z) up to the constant
    ``-(k-1)/2 log 2 pi - log(k)/2 + sum(log w)/2`` per participant."""
    from scipy import stats

    from bayes_walk.model.builder import build_model

    m = build_model(_spec("walking_mets"), cohort).model
    (pot,) = [p for p in m.potentials if p.name == "days_walking_mets"]
    (pot_value,) = m.replace_rvs_by_values([pot])
    pot_fn = m.compile_fn(pot_value, inputs=m.value_vars, on_unused_input="ignore")
    mu, sb, sw = 1.14, 0.055, 0.026
    lam = kappa / sb
    rng = np.random.default_rng(2)
    z = rng.standard_normal(cohort.sizes["participant"])
    ip = m.initial_point()
    ip.update(
        habit_mu_walking_mets=mu,
        habit_sd_walking_mets_log__=np.log(sb),
        habit_shape_walking_mets_interval__=shape_value(kappa),
        day_sd_walking_mets_log__=np.log(sw),
    )
    st = measurement.daily_statistics(cohort, "walking_mets")
    k, ybar = st["k"], st["mean_log"]
    y, t, used = _used_days(cohort)
    t_mean = np.where(k > 0, t.sum(axis=1) / np.maximum(k, 1), 1.0)
    w = np.where(used, t / t_mean[:, None], 1.0)
    prec = 1 / sb**2 + k / sw**2
    has = k > 0
    const = (
        -0.5 * (k[has] - 1).sum() * np.log(2 * np.pi)
        - 0.5 * np.log(k[has]).sum()
        + 0.5 * np.where(used, np.log(w), 0.0).sum()
    )

    def gap(zz):
        h = (mu / sb**2 + k * ybar / sw**2) / prec + zz / np.sqrt(prec)
        direct = box_cox_logpdf(h, mu, sb * np.exp(lam * mu), lam).sum()
        direct += np.where(used, stats.norm.logpdf(y, h[:, None], sw / np.sqrt(w)), 0.0).sum()
        direct -= 0.5 * np.log(prec).sum()
        ours = float(pot_fn(dict(ip, habit_z_walking_mets=zz))) + stats.norm.logpdf(zz).sum()
        return direct - ours - const

    assert gap(z) == pytest.approx(0.0, abs=1e-6)
    assert gap(rng.standard_normal(z.size)) == pytest.approx(0.0, abs=1e-6)


def test_both_exposures_plain_and_fused_agree(cohort):
    """Two latent exposures in one model; the fused (numba) model equals the graph."""
    from bayes_walk.model.builder import build_model

    spec = _spec("walking_min", "walking_mets")
    plain, fused = build_model(spec, cohort), build_model(spec, cohort, fused=True)
    for e in ("walking_min", "walking_mets"):
        assert plain.model.named_vars_to_dims[f"habit_z_{e}"] == ("participant",)
        assert built_design(plain, e)["weights"] == measurement.DAY_WEIGHTS.get(e)
    ip = plain.model.initial_point()
    rng = np.random.default_rng(0)
    point = {k: v + 0.1 * rng.standard_normal(np.shape(v)) for k, v in ip.items()}
    assert plain.model.compile_logp()(point) == pytest.approx(
        fused.model.compile_logp()(point), rel=1e-9
    )
    ga = plain.model.compile_dlogp()(point)
    gb = fused.model.compile_dlogp()(point)
    np.testing.assert_allclose(ga, gb, rtol=1e-5, atol=1e-4 * np.abs(ga).max())


def built_design(built, e):
    return built.designs["exposures"][e]["measurement"]


def test_intensity_needs_the_daily_walking_time(cohort):
    from bayes_walk.model.builder import build_model

    with pytest.raises(SpecError, match="walking_mets.*no daily_walking_min"):
        build_model(_spec("walking_mets"), cohort.drop_vars("daily_walking_min"))


def test_simulator_can_act_on_the_habitual_intensity_alone():
    from bayes_walk.cohort.sim_population import exposures_for_outcome

    values = {
        f"{kind}_walking_{e}": np.full(3, float(i))
        for i, (kind, e) in enumerate(
            (k, e) for k in ("observed", "habitual") for e in ("min", "mets")
        )
    }
    vol, mets = exposures_for_outcome(values, "habit_intensity")
    assert vol is values["observed_walking_min"] and mets is values["habitual_walking_mets"]
    a = simulate_cohort(n=300, seed=9, exposure_on="habit_volume")
    b = simulate_cohort(n=300, seed=9, exposure_on="habit_intensity")
    np.testing.assert_array_equal(a["walking_mets"].values, b["walking_mets"].values)
    assert b.attrs["exposure_on"] == "habit_intensity"
    assert not np.array_equal(a["clbp"].values, b["clbp"].values)
