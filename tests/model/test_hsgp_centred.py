"""The HSGP ``centred = k`` option: the k lowest-frequency coefficients are sampled
centred, the rest non-centred; the prior of the curve is the same (only the geometry
the sampler sees changes), and the option is validated and stored."""

from __future__ import annotations

import numpy as np
import pytest
from _helpers_model import toy_cohort

from bayes_walk.errors import SpecError
from bayes_walk.model.builder import build_model, make_designs
from bayes_walk.spec.model_spec import load_spec, spec_from_dict


def _spec(k):
    d = load_spec("gp").to_dict()
    d["exposures"]["walking_min"]["centred"] = k
    return spec_from_dict(d)


def _walking_min_rvs(built):
    return [v.name for v in built.model.free_RVs if v.name.endswith("walking_min")]


def test_free_variables_per_setting():
    cohort = toy_cohort(300)
    m = make_designs(_spec(0), cohort)["exposures"]["walking_min"]["m"]
    names = {k: _walking_min_rvs(build_model(_spec(k), cohort)) for k in (0, 5, 1000)}
    assert "centred_coef_walking_min" not in names[0] and "z_walking_min" in names[0]
    assert {"centred_coef_walking_min", "z_walking_min"} <= set(names[5])
    assert "z_walking_min" not in names[1000]  # more than m: every coefficient centred
    built = build_model(_spec(5), cohort)
    sizes = {v.name: v.type.shape for v in built.model.free_RVs}
    assert sizes["centred_coef_walking_min"] == (5,) and sizes["z_walking_min"] == (m - 5,)
    assert make_designs(_spec(5), cohort)["exposures"]["walking_min"]["centred"] == 5


def test_prior_of_the_curve_is_unchanged():
    import pymc as pm

    cohort = toy_cohort(300)
    sd = {}
    for k in (0, 6, 1000):
        built = build_model(_spec(k), cohort)
        with built.model:
            prior = pm.sample_prior_predictive(
                draws=20000, var_names=["coef_walking_min"], random_seed=2
            ).prior
        # the median |coef|: the high frequencies' prior is heavy-tailed (a lognormal
        # lengthscale in exp(-l^2 w^2 / 4)), so their SD estimates are noisy
        sd[k] = np.median(np.abs(prior["coef_walking_min"].values), axis=(0, 1))
    for k in (6, 1000):
        np.testing.assert_allclose(sd[k], sd[0], rtol=0.06)
    assert sd[0][0] > 2 * sd[0][-1]  # and it is a real spectrum, not a constant


def test_logp_at_the_same_curve_differs_by_the_jacobian_only():
    """At the same coefficients, centred and non-centred log densities differ by
    sum(log sd_j) over the centred ones: the change of variables, nothing else."""
    from bayes_walk.model.forms import hsgp

    cohort = toy_cohort(300)
    b0, b1 = build_model(_spec(0), cohort), build_model(_spec(4), cohort)
    p0 = b0.model.initial_point()
    rng = np.random.default_rng(0)
    z = rng.standard_normal(p0["z_walking_min"].shape)
    p0["z_walking_min"] = z
    amp = float(np.exp(p0["amplitude_walking_min_log__"]))
    ell = float(np.exp(p0["lengthscale_walking_min_log__"]))
    d = make_designs(_spec(0), cohort)["exposures"]["walking_min"]
    sd = hsgp._sqrt_psd(amp, ell, hsgp._omega(d), d["kernel"]).eval()
    p1 = {k: v for k, v in p0.items() if k != "z_walking_min"}
    p1["centred_coef_walking_min"] = z[:4] * sd[:4]
    p1["z_walking_min"] = z[4:]
    l0 = b0.model.compile_logp()(p0)
    l1 = b1.model.compile_logp()(p1)
    assert l1 == pytest.approx(l0 - np.log(sd[:4]).sum(), abs=1e-6)


@pytest.mark.parametrize("bad", [-1, 2.5, True, "all"])
def test_bad_values_are_refused(bad):
    with pytest.raises(SpecError, match="centred must be an integer >= 0"):
        _spec(bad)
