"""The data-informed HSGP parametrisation on a curve read at latent habits
(``measurement = "days"``): its directions come from the observed means, it is taken only
when the spec asks for it, and the model's density is the non-centred model's (plain and
fused)."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from _helpers_model import as_noncentred

from bayes_walk.cohort.simulate import simulate_cohort
from bayes_walk.model.builder import build_model, make_designs
from bayes_walk.model.forms import hsgp
from bayes_walk.model.information import proxy_exposure
from bayes_walk.spec.model_spec import load_spec, spec_from_dict


def _days_spec(parametrisation: str):
    d = load_spec("gp").to_dict()
    d["likelihood"] = "bernoulli_log"
    d["exposures"]["walking_min"]["measurement"] = "days"
    d["exposures"]["walking_min"]["habit_covariates"] = True
    for e in d["exposures"].values():
        e["parametrisation"] = parametrisation
    return spec_from_dict(d)


@pytest.fixture(scope="module")
def cohort():
    return simulate_cohort(n=800, seed=3, keep_daily=True)


def test_a_latent_curve_is_informed_only_when_asked(cohort):
    informed = make_designs(_days_spec("informed"), cohort)["exposures"]
    auto = make_designs(_days_spec("auto"), cohort)["exposures"]
    d = informed["walking_min"]
    assert "measurement" in d and "informed" in d
    B = np.asarray(d["informed"]["B"])
    assert B.shape[0] == d["m"] and B.shape[1] >= 1 and np.isfinite(B).all()
    # the observed intensity's curve as before; the latent curve's ratio is recorded, but
    # "auto" leaves it non-centred whatever its size
    assert "informed" in informed["walking_mets"]
    assert "informed" not in auto["walking_min"] and auto["walking_min"]["information_ratio"] > 0


def test_proxy_exposure_fills_and_clips():
    design = {"interp": {"lo": 10.0, "hi": 200.0, "points": 64}}
    x = np.array([np.nan, 5.0, 50.0, 250.0, 70.0])
    out = proxy_exposure(x, design)
    np.testing.assert_allclose(out, [60.0, 10.0, 50.0, 200.0, 70.0])
    exact = {"mid": 100.0, "L": 2.0, "scale": 40.0}
    out = proxy_exposure(np.array([0.0, 100.0, 300.0]), exact)
    assert out[0] > 20.0 and out[1] == 100.0 and out[2] < 180.0
    assert np.isfinite(hsgp.features(out, {**exact, "m": 5})).all()


def _without_informed(designs):
    out = copy.deepcopy(designs)
    for d in out["exposures"].values():
        d.pop("informed", None)
    return out


def test_same_density_as_the_non_centred_days_model(cohort):
    spec = _days_spec("informed")
    designs = make_designs(spec, cohort)
    inf = build_model(spec, cohort, designs)
    nc = build_model(spec, cohort, _without_informed(designs))
    fused = build_model(spec, cohort, designs, fused=True)
    assert "coef_walking_min_informed__" in inf.model.initial_point()
    assert "z_walking_min" in nc.model.initial_point()
    names = ["coef_walking_min", "coef_walking_mets"]
    values = inf.model.compile_fn(
        inf.model.replace_rvs_by_values([inf.model[v] for v in names]),
        inputs=inf.model.value_vars,
        on_unused_input="ignore",
    )
    lp_inf = inf.model.compile_logp(jacobian=False)
    lp_nc = nc.model.compile_logp(jacobian=False)
    lp_fused = fused.model.compile_logp(jacobian=False, mode="NUMBA")
    rng = np.random.default_rng(7)
    start = inf.model.initial_point()
    for _ in range(3):
        point = {k: v + rng.normal(size=np.shape(v)) * 0.3 for k, v in start.items()}
        curves = dict(zip(("walking_min", "walking_mets"), values(point), strict=True))
        other, log_s = as_noncentred(inf.designs, point, curves)
        # density of the weights = density of z / prod(scales); the day model unchanged
        assert lp_inf(point) == pytest.approx(lp_nc(other) - log_s, abs=1e-6)
        # the fused model (nutpie's) through the same transform: float32 covariates
        assert lp_fused(point) == pytest.approx(lp_inf(point), rel=1e-8)
