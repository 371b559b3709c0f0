"""measurement = "days": the latent habitual exposure and the simulator's habit option."""

from __future__ import annotations

import numpy as np
import pytest
from _helpers_measurement import box_cox_logpdf, shape_value

from bayes_walk.cohort.sim_population import DAILY_VOLUME_SD
from bayes_walk.cohort.simulate import simulate_cohort
from bayes_walk.errors import SpecError
from bayes_walk.model import measurement
from bayes_walk.spec.model_spec import load_spec, spec_from_dict


def _spec(form: str = "hsgp", exposure: str = "walking_min", **extra):
    d = load_spec("gp").to_dict()
    e = d["exposures"][exposure]
    if form != "hsgp":
        e = {"form": form, "reference": e["reference"]}
    d["exposures"][exposure] = {**e, "measurement": "days", **extra}
    return spec_from_dict(d)


@pytest.fixture(scope="module")
def cohort():
    return simulate_cohort(n=400, seed=5, exposure_on="habit")


def test_sufficient_statistics_match_the_daily_series(cohort):
    st = measurement.daily_statistics(cohort, "walking_min")
    days = cohort["daily_walking_min"].values
    valid = cohort["valid_day"].values
    for i in range(0, cohort.sizes["participant"], 37):
        y = np.log(np.maximum(days[i][valid[i]], measurement.FLOOR_MIN))
        assert st["k"][i] == y.size == int(cohort["valid_days"].values[i])
        assert st["mean_log"][i] == pytest.approx(y.mean(), rel=1e-12)
        assert st["ss"][i] == pytest.approx(((y - y.mean()) ** 2).sum(), abs=1e-10)


def test_floor_applies_to_days_without_walking(cohort):
    c = cohort.copy(deep=True)
    c["daily_walking_min"][0, 0] = 0.0
    c["valid_day"][0, 0] = True
    st = measurement.daily_statistics(c, "walking_min")
    y = np.log(np.maximum(c["daily_walking_min"].values[0][c["valid_day"].values[0]], 1.0))
    assert np.isfinite(st["mean_log"][0]) and st["mean_log"][0] == pytest.approx(y.mean())


@pytest.mark.parametrize("form", ["hsgp", "rcs", "changepoint", "monotone", "plateau"])
def test_model_has_n_latent_values_and_no_day_array(cohort, form):
    from bayes_walk.model.builder import build_model

    built = build_model(_spec(form), cohort)
    m = built.model
    n = cohort.sizes["participant"]
    z = m["habit_z_walking_min"]
    assert m.named_vars_to_dims["habit_z_walking_min"] == ("participant",)
    assert int(z.shape[0].eval()) == n
    assert "days_walking_min" in {p.name for p in m.potentials}
    for name in built.data_names:
        assert "day" not in m.named_vars_to_dims.get(name, ())
    assert built.designs["exposures"]["walking_min"]["measurement"]["kind"] == "days"
    # the naive spec has none of it
    naive = build_model(load_spec("gp"), cohort).model
    assert "habit_z_walking_min" not in naive.named_vars


@pytest.mark.parametrize(
    "form,likelihood",
    [
        ("hsgp", "poisson"),
        ("changepoint", "poisson"),
        ("plateau", "poisson"),
        ("hsgp", "bernoulli_log"),
    ],
)
def test_plain_and_fused_agree(cohort, form, likelihood):
    from bayes_walk.model.builder import build_model

    spec = spec_from_dict({**_spec(form).to_dict(), "likelihood": likelihood})
    plain, fused = build_model(spec, cohort), build_model(spec, cohort, fused=True)
    ip = plain.model.initial_point()
    rng = np.random.default_rng(0)
    point = {k: v + 0.1 * rng.standard_normal(np.shape(v)) for k, v in ip.items()}
    lp_a = plain.model.compile_logp()(point)
    lp_b = fused.model.compile_logp()(point)
    assert lp_a == pytest.approx(lp_b, rel=1e-9)
    ga = plain.model.compile_dlogp()(point)
    gb = fused.model.compile_dlogp()(point)
    # as tests/inference/test_fused.py: float32 design storage differs in the last bits
    np.testing.assert_allclose(ga, gb, rtol=1e-5, atol=1e-4 * np.abs(ga).max())


@pytest.mark.parametrize("lam,with_beta", [(0.0, False), (0.45, True), (-0.6, True)])
def test_day_density_is_the_direct_one(cohort, lam, with_beta):
    """The Potential (marginal of the mean, chi-square of SS, the population's departure
    from log-normal) plus the N(0,1) of z equals the direct density of the days and habits
    (Jacobian of h = m + s z included), for log-normal and Box-Cox populations with
    covariates."""
    from scipy import stats

    from bayes_walk.model.builder import build_model
    from bayes_walk.model.covariates import centred_covariates

    spec = _spec(habit_covariates=with_beta)
    built = build_model(spec, cohort)
    m = built.model
    assert ("habit_beta_walking_min" in m.named_vars) is with_beta
    (pot_value,) = m.replace_rvs_by_values([m.potentials[0]])
    pot = m.compile_fn(pot_value, inputs=m.value_vars, on_unused_input="ignore")
    mu, sb, sw = 4.4, 0.4, 0.33
    # the predictors: the centred covariates, then the other exposure (observed intensity)
    # standardised; independent of habit_predictors
    X = centred_covariates(cohort, built.designs["covariates"])
    mets = cohort["walking_mets"].values
    X = np.column_stack([X, (mets - mets.mean()) / mets.std()])
    if with_beta:
        # the model holds X as stored (float32): use its values so the sums agree to rounding
        np.testing.assert_allclose(m["X_habit_walking_min"].get_value(), X, atol=1e-6)
        X = np.asarray(m["X_habit_walking_min"].get_value(), dtype=np.float64)
        assert m.named_vars_to_dims["habit_beta_walking_min"] == ("habit_predictor_walking_min",)
        labels = list(m.coords["habit_predictor_walking_min"])
        assert labels[-1] == "walking_mets" and len(labels) == X.shape[1]
    rng = np.random.default_rng(1)
    beta = 0.2 * rng.standard_normal(X.shape[1]) if with_beta else np.zeros(X.shape[1])
    a = mu + X @ beta
    g_sd = sb * np.exp(lam * a)  # one log-scale SD at the median: this SD on the Box-Cox scale
    sbi = sb
    z = rng.standard_normal(cohort.sizes["participant"])
    ip = m.initial_point()
    ip.update(
        habit_mu_walking_min=mu,
        habit_sd_walking_min_log__=np.log(sb),
        habit_shape_walking_min_interval__=shape_value(lam * sb),  # kappa = lambda * sd
        **({"habit_beta_walking_min": beta} if with_beta else {}),
        day_sd_walking_min_log__=np.log(sw),
        habit_z_walking_min=z,
    )
    st = measurement.daily_statistics(cohort, "walking_min")
    k, ybar = st["k"], st["mean_log"]
    prec = 1 / sbi**2 + k / sw**2
    days = cohort["daily_walking_min"].values
    valid = cohort["valid_day"].values
    y = np.log(np.maximum(np.where(valid, days, 1.0), 1.0))
    # the Potential drops constants: -(k_i - 1)/2 log(2 pi) - log(k_i)/2 per participant
    has = k > 0
    const = -0.5 * (k[has] - 1).sum() * np.log(2 * np.pi) - 0.5 * np.log(k[has]).sum()

    def gap(zz):
        h = (a / sbi**2 + k * ybar / sw**2) / prec + zz / np.sqrt(prec)
        direct = box_cox_logpdf(h, a, g_sd, lam).sum()
        direct += np.where(valid, stats.norm.logpdf(y, h[:, None], sw), 0.0).sum()
        direct -= 0.5 * np.log(prec).sum()  # density of z: times |dh/dz| = prec**-0.5
        ours = float(pot(dict(ip, habit_z_walking_min=zz))) + stats.norm.logpdf(zz).sum()
        return direct - ours - const

    assert gap(z) == pytest.approx(0.0, abs=1e-6)
    # the same at another z: the factorisation is exact
    assert gap(rng.standard_normal(z.size)) == pytest.approx(0.0, abs=1e-6)


def test_stored_habit_is_the_graph_habit(cohort):
    """``habit_draws`` (numpy, what the fit stores) equals ``latent_habit``'s graph."""
    import pymc as pm
    import xarray as xr

    name = "walking_min"
    design = {"measurement": measurement.measurement_design(cohort, name, covariates=True)}
    design["measurement"]["predictors"] = {"labels": ["a", "b", "c"], "others": {}}
    n = cohort.sizes["participant"]
    rng = np.random.default_rng(4)
    X = rng.standard_normal((n, 3))
    coords = {"participant": np.arange(n), "habit_predictor_walking_min": ["a", "b", "c"]}
    with pm.Model(coords=coords) as m:
        data = {k: pm.Data(k, a, dims=dims) for k, (a, dims) in
                measurement.measurement_data(cohort, name).items()}  # fmt: skip
        data["X_habit_walking_min"] = pm.Data(
            "X_habit_walking_min", X, dims=("participant", "habit_predictor_walking_min")
        )
        log_h, shift = measurement.latent_habit(name, design, data)
        habit = pm.math.exp(log_h + shift)
    f = m.compile_fn(
        m.replace_rvs_by_values([habit])[0], inputs=m.value_vars, on_unused_input="ignore"
    )
    draws = [(4.3, 0.5, 0.3, 0.2), (4.6, 0.3, 0.5, -0.4)]
    zs = rng.standard_normal((len(draws), n))
    betas = 0.3 * rng.standard_normal((len(draws), 3))
    graph = np.stack([
        f({"habit_mu_walking_min": mu, "habit_sd_walking_min_log__": np.log(sb),
           "day_sd_walking_min_log__": np.log(sw), "habit_z_walking_min": z,
           "habit_shape_walking_min_interval__": shape_value(lam),
           "habit_beta_walking_min": b})
        for (mu, sb, sw, lam), z, b in zip(draws, zs, betas, strict=True)
    ])  # fmt: skip
    post = xr.Dataset(
        {
            "habit_mu_walking_min": (("chain", "draw"), [[d[0] for d in draws]]),
            "habit_sd_walking_min": (("chain", "draw"), [[d[1] for d in draws]]),
            "day_sd_walking_min": (("chain", "draw"), [[d[2] for d in draws]]),
            "habit_shape_walking_min": (("chain", "draw"), [[d[3] for d in draws]]),
            "habit_beta_walking_min": (
                ("chain", "draw", "habit_predictor_walking_min"),
                betas[None],
            ),
            "habit_z_walking_min": (("chain", "draw", "participant"), zs[None]),
        },
        coords={"habit_predictor_walking_min": ["a", "b", "c"]},
    )
    with pytest.raises(ValueError, match="pass covariates"):
        measurement.habit_draws(post, cohort, name)
    ours = measurement.habit_draws(post, cohort, name, X)
    assert ours.shape == (1, 2, n)
    assert np.allclose(ours[0], graph, rtol=1e-10)


def test_participants_only_cohort_is_refused(cohort):
    from bayes_walk.model.builder import build_model

    bare = cohort.drop_vars(
        ["activity_seconds", "valid_day", "daily_walking_min", "daily_walking_mets"]
    )
    with pytest.raises(SpecError, match="measurement = 'days'.*daily_walking_min|valid_day"):
        build_model(_spec(), bare)
    build_model(load_spec("gp"), bare)  # the naive spec still builds


def test_spec_rules():
    with pytest.raises(SpecError, match="measurement must be one of"):
        _spec(measurement="weekly")
    spec = _spec()
    assert spec.exposures["walking_min"].measurement == "days"
    assert spec_from_dict(spec.to_dict()) == spec
    assert "measurement" not in load_spec("gp").to_dict()["exposures"]["walking_min"]
    # on by default with "days"; off written out, and read back
    assert spec.exposures["walking_min"].habit_covariates
    assert "habit_covariates" not in spec.to_dict()["exposures"]["walking_min"]
    without = _spec(habit_covariates=False)
    assert not without.exposures["walking_min"].habit_covariates
    assert without.to_dict()["exposures"]["walking_min"]["habit_covariates"] is False
    assert spec_from_dict(without.to_dict()) == without
    assert not load_spec("gp").exposures["walking_min"].habit_covariates
    with pytest.raises(SpecError, match="habit_covariates must be true or false"):
        _spec(habit_covariates="yes")
    d = load_spec("gp").to_dict()
    d["exposures"]["walking_min"]["habit_covariates"] = True
    with pytest.raises(SpecError, match='habit_covariates needs measurement = "days"'):
        spec_from_dict(d)


@pytest.mark.parametrize("fused", [False, True])
def test_habit_covariates_option_moves_the_population_median(cohort, fused):
    from bayes_walk.model.builder import build_model

    built = build_model(_spec(habit_covariates=True), cohort, fused=fused)
    m = built.model
    assert m.named_vars_to_dims["habit_beta_walking_min"] == ("habit_predictor_walking_min",)
    assert built.designs["exposures"]["walking_min"]["measurement"]["covariates"] is True
    # the adjustment covariates' columns, then the other exposure, which is observed
    labels = list(m.coords["habit_predictor_walking_min"])
    assert labels == [*built.designs["covariates"]["columns"], "walking_mets"]
    # the population median moves the habits: a different beta, a different density
    (pot,) = m.replace_rvs_by_values([m.potentials[0]])
    f = m.compile_fn(pot, inputs=m.value_vars, on_unused_input="ignore")
    ip = m.initial_point()
    beta = np.zeros(m["habit_beta_walking_min"].shape.eval())
    beta[0] = 0.3
    assert float(f(ip)) != pytest.approx(float(f(dict(ip, habit_beta_walking_min=beta))))
    off = build_model(_spec(habit_covariates=False), cohort).model
    assert "habit_beta_walking_min" not in off.named_vars
    # a latent other exposure is not a predictor (its observed mean is modelled itself)
    d = _spec(habit_covariates=True).to_dict()
    d["exposures"]["walking_mets"]["measurement"] = "days"
    both = build_model(spec_from_dict(d), cohort, fused=fused).model
    assert "walking_mets" not in list(both.coords["habit_predictor_walking_min"])


def test_unsupported_exposure_and_form(cohort):
    from bayes_walk.model.builder import build_model

    d = load_spec("linear").to_dict()
    d["exposures"]["running_min"] = {"form": "linear", "reference": 0.0, "measurement": "days"}
    with pytest.raises(SpecError, match="running_min.*walking_min, walking_mets only"):
        build_model(spec_from_dict(d), cohort)
    with pytest.raises(SpecError, match="categorical"):
        build_model(_spec("categorical"), cohort)


def test_habit_option_keeps_the_people_and_changes_only_the_outcome():
    a = simulate_cohort(n=300, seed=9)
    b = simulate_cohort(n=300, seed=9, exposure_on="habit")
    np.testing.assert_array_equal(a["walking_min"].values, b["walking_min"].values)
    np.testing.assert_array_equal(a["age"].values, b["age"].values)
    assert "true_habitual_walking_min" not in a and "exposure_on" not in a.attrs
    assert b.attrs["exposure_on"] == "habit"
    hab = b["true_habitual_walking_min"].values
    # the habit is what the observed mean estimates (no bias), with day noise
    assert abs(np.median(b["walking_min"].values / hab) - 1.0) < 0.05
    assert not np.array_equal(a["clbp"].values, b["clbp"].values)


def test_habit_reliability_in_the_published_range():
    ds = simulate_cohort(n=3000, seed=0, exposure_on="habit")
    full = ds["valid_days"].values == 7
    r = np.corrcoef(ds["walking_min"].values[full], ds["true_habitual_walking_min"].values[full])
    assert 0.67 <= r[0, 1] ** 2 <= 0.86  # ICC of a week of wear: 0.67-0.82 (Keadle 2017)


@pytest.mark.slow
def test_recovery_naive_attenuated_days_covers():
    """gp on the observed mean vs gp with measurement = "days" (n = 3000, 2 x 400 + 400)."""
    import bayes_walk as bw

    cohort = simulate_cohort(n=3000, seed=11, exposure_on="habit")
    t = cohort["true_logrr_walking_min"]
    g = t["truth_walking_min"].values
    truth = float(np.interp(150, g, t.values) - np.interp(78, g, t.values))
    out = {}
    for kind, spec in (("naive", load_spec("gp")), ("days", _spec())):
        fit = bw.fit(spec, cohort, chains=2, draws=400, tune=400, seed=3)
        out[kind] = fit.rr("walking_min", at=[150], reference=78, prob=0.9).iloc[0]
        if kind == "days":
            days_fit = fit
    print({k: v.to_dict() for k, v in out.items()}, "truth", np.exp(truth))
    naive, days = out["naive"], out["days"]
    # attenuated toward 1: the naive estimate recovers less of the true log RR
    assert abs(np.log(naive["rr_median"])) < abs(truth)
    assert days["rr_lo"] <= np.exp(truth) <= days["rr_hi"]
    sd = days_fit.idata.posterior["day_sd_walking_min"].values
    lo, hi = np.quantile(sd, [0.005, 0.995])
    assert lo <= DAILY_VOLUME_SD <= hi
    curve = days_fit.idata.posterior["logrr_walking_min"]
    assert curve.attrs["exposure_scale"] == "habitual"
    _check_latent_habit_and_risks(days_fit, cohort)


def _check_latent_habit_and_risks(fit, cohort):
    """The habit is stored at the posterior predictive's draws (not the n habit_z draws),
    tracks the true habit better than the observed mean, and g-computation moves each
    participant from it."""
    from bayes_walk.answers.risk import RiskData

    idata = fit.idata
    assert "habit_z_walking_min" not in idata.posterior
    habit = idata.posterior_predictive["habit_walking_min"]
    assert habit.dims == ("chain", "draw", "participant")
    assert (habit["draw"].values == idata.posterior_predictive["mu"]["draw"].values).all()
    true = np.log(cohort["true_habitual_walking_min"].values)
    obs = np.log(cohort["walking_min"].values)
    post = np.log(habit.values).mean(axis=(0, 1))
    # shrinkage toward the population: closer to the truth than the mean of the days
    rmse = {k: float(np.sqrt(np.mean((v - true) ** 2))) for k, v in (("obs", obs), ("post", post))}
    assert rmse["post"] < 0.9 * rmse["obs"], rmse
    data = RiskData(fit, "walking_min")
    assert data.x_obs.shape == habit.shape
    # the interpolated per-draw curve equals the form's exact prediction at those values
    i = np.arange(0, data.n_participants, 97)
    exact = np.stack(
        [data._curve(data.x_obs[0, k, i])[0, k] for k in range(3)]
    )  # fmt: skip
    assert np.allclose(data.f_obs[0, :3, i].T, exact, atol=1e-5)
    # at everyone's own habit the standardised risk is the observed risk
    assert np.allclose(data.risk_with(data.f_obs), data.observed())
    risks = fit.absolute_risk("walking_min", at=[60, 150])
    assert (risks["risk_median"].diff().dropna() < 0).all()  # the true curve declines
    paf = fit.attributable_fraction("walking_min", threshold=100)
    assert paf["share_below"].iloc[0] == pytest.approx(float((data.x_obs < 100).mean()))
    assert 0 < paf["paf_median"].iloc[0] < 0.5


def test_set_data_swaps_the_day_statistics(cohort):
    from bayes_walk.model.builder import build_model

    built = build_model(_spec(), cohort)
    other = simulate_cohort(n=400, seed=6, exposure_on="habit")
    built.set_data(other)
    st = measurement.daily_statistics(other, "walking_min")
    np.testing.assert_array_equal(built.model["days_mean_walking_min"].get_value(), st["mean_log"])
    bare = other.drop_vars(["valid_day", "daily_walking_min"])
    with pytest.raises(SpecError, match="measurement = 'days'"):
        built.set_data(bare)


def test_stratum_curves_read_the_habit_too(cohort):
    from bayes_walk.model.builder import build_model

    d = load_spec("gp_sex").to_dict()
    d["exposures"]["walking_min"]["measurement"] = "days"
    spec = spec_from_dict(d)
    plain, fused = build_model(spec, cohort), build_model(spec, cohort, fused=True)
    assert "habit_z_walking_min" in plain.model.named_vars
    point = plain.model.initial_point()
    # varying over strata: deviations are centred over them, so a constant would cancel
    z0 = point["stratum_z_walking_min"]
    point["stratum_z_walking_min"] = np.linspace(-0.5, 0.5, z0.size).reshape(z0.shape)
    point["habit_z_walking_min"] = np.linspace(-2, 2, cohort.sizes["participant"])
    lp_a = plain.model.compile_logp()(point)
    assert lp_a == pytest.approx(fused.model.compile_logp()(point), rel=1e-9)
    # the outcome reads the habit: beyond z's own N(0, 1), the density moves with z
    from scipy import stats

    other = dict(point, habit_z_walking_min=-point["habit_z_walking_min"])
    f = plain.model.compile_logp()
    rest = [f(p) - stats.norm.logpdf(p["habit_z_walking_min"]).sum() for p in (point, other)]
    assert abs(rest[0] - rest[1]) > 1e-3


def test_nutpie_uses_the_diagonal_mass_matrix_with_latent_habits(cohort):
    from bayes_walk.inference.samplers.nutpie import has_participant_parameters
    from bayes_walk.model.builder import build_model

    assert has_participant_parameters(build_model(_spec(), cohort).model)
    assert not has_participant_parameters(build_model(load_spec("gp"), cohort).model)


def test_poisson_with_a_latent_exposure_on_a_binary_outcome_is_flagged(cohort):
    """The Poisson working model is biased once the exposure is latent (docs/models.md):
    a days spec with it on the 0/1 outcome warns at build and names the remedy; the
    log-binomial likelihood, an offset (a rate outcome) or no latent exposure do not."""
    from bayes_walk.model.builder import build_model

    assert set(np.unique(cohort["clbp"].values)) <= {0, 1}
    note = measurement.likelihood_warning(_spec(), cohort)
    assert "bernoulli_log" in note and "'clbp'" in note
    bern = spec_from_dict({**_spec().to_dict(), "likelihood": "bernoulli_log"})
    assert measurement.likelihood_warning(bern, cohort) is None
    assert measurement.likelihood_warning(load_spec("gp"), cohort) is None
    rate = spec_from_dict({**_spec().to_dict(), "offset": "followup_years"})
    assert measurement.likelihood_warning(rate, cohort) is None
    counts = cohort.assign(clbp=cohort["clbp"] * 2)
    assert measurement.likelihood_warning(_spec(), counts) is None
    with pytest.warns(UserWarning, match="likelihood = 'bernoulli_log'"):
        build_model(_spec(), cohort)


def test_prior_draws_of_a_days_model_leave_the_day_model_out_quietly(cohort):
    """The day model is the density of observed data (a Potential), which a prior draw
    leaves out: no PyMC warning about ignored Potentials reaches the user, and the prior
    RR is that of the same spec without the option."""
    import warnings

    from bayes_walk.checks.prior_check import prior_predictive_check

    bern = spec_from_dict({**_spec().to_dict(), "likelihood": "bernoulli_log"})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        latent = prior_predictive_check(bern, cohort, draws=400, seed=3)
    assert not [w for w in caught if "Potentials" in str(w.message)]
    observed = prior_predictive_check(load_spec("gp"), cohort, draws=400, seed=3)
    assert latent["fraction_in_band"] > 0.9
    assert np.allclose(latent["rr_quantiles"], observed["rr_quantiles"], rtol=0.15)


@pytest.mark.parametrize("covariates", [True, False])
def test_priors_in_force_list_the_day_model_priors_the_model_is_built_with(cohort, covariates):
    from bayes_walk.model.builder import build_model
    from bayes_walk.spec.in_force import priors_in_force

    spec = _spec(habit_covariates=covariates)
    listed = priors_in_force(spec)["exposures"]["walking_min"]
    model = build_model(spec, cohort).model
    day_terms = [t for t in listed if t.startswith(("habit_", "day_"))]
    expected = ["habit_mu", "habit_sd", "habit_shape", "day_sd"] + (
        ["habit_beta"] if covariates else []
    )
    assert sorted(day_terms) == sorted(expected)
    for term in day_terms:
        rv = model[f"{term}_walking_min"]
        assert type(rv.owner.op).__name__.startswith(listed[term]["dist"]), term
    assert "habit_mu" not in priors_in_force(load_spec("gp"))["exposures"]["walking_min"]
