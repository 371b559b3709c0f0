"""Structure tier: models build with named dims, curves are 0 at the reference."""

from __future__ import annotations

import numpy as np
import pytest
from _helpers_model import toy_cohort

from bayes_walk.model.builder import build_model
from bayes_walk.spec.model_spec import load_spec, spec_from_dict

ADJ = ["age", "sex", "education", "income", "employment", "smoking", "depression"]


@pytest.fixture(scope="module")
def cohort():
    return toy_cohort(400, seed=3)


def _prior(built, names, draws=200):
    import pymc as pm

    with built.model:
        return pm.sample_prior_predictive(draws=draws, var_names=names, random_seed=1).prior


def _spec(exposures, **extra):
    return spec_from_dict({"name": "t", "adjust": ADJ, "exposures": exposures, **extra})


def test_gp_dims_coords_and_grid(cohort):
    built = build_model(load_spec("gp"), cohort)
    m = built.model
    assert m.named_vars_to_dims["logrr_walking_min"] == ("walking_min_grid",)
    assert m.named_vars_to_dims["beta"] == ("covariate",)
    assert m.named_vars_to_dims["z_municipality"] == ("municipality",)
    assert m.named_vars_to_dims["clbp"] == ("participant",)
    assert "sex[male]" in built.coords["covariate"] and "age" in built.coords["covariate"]
    g = built.grids["walking_min"]
    x = cohort["walking_min"].values
    assert g[0] == pytest.approx(np.percentile(x, 1)) and g[-1] == pytest.approx(
        np.percentile(x, 99)
    )
    assert 78.0 in g and 100.0 in g and 125.0 in g
    d = built.designs["exposures"]["walking_min"]
    assert d["L"] > d["half_width"] and d["m"] == len(built.coords["walking_min_basis"])


@pytest.mark.parametrize("form", ["hsgp", "linear", "categorical"])
def test_curve_is_zero_at_reference(cohort, form):
    ref = 78.0 if form != "categorical" else "p10"
    built = build_model(_spec({"walking_min": {"form": form, "reference": ref}}), cohort)
    prior = _prior(built, ["logrr_walking_min"])
    g = built.grids["walking_min"]
    curve = prior["logrr_walking_min"].values
    if form == "categorical":
        ref_val = built.designs["exposures"]["walking_min"]["reference"]
        assert np.all(curve[..., g <= ref_val] == 0.0)
    else:
        assert np.all(curve[..., g == 78.0] == 0.0)
    assert np.std(curve) > 0


def test_categorical_reference_category_first_and_zero(cohort):
    built = build_model(load_spec("quartiles"), cohort)
    prior = _prior(built, ["logrr_walking_min_cat"])
    cat = prior["logrr_walking_min_cat"]
    assert cat.dims[-1] == "walking_min_category"
    assert list(cat["walking_min_category"].values)[0].startswith("<")
    assert np.all(cat.values[..., 0] == 0.0) and np.all(cat.values[..., 1:] != 0.0)


def test_stratum_curves_have_stratum_dim(cohort):
    spec = _spec(
        {"walking_min": {"form": "hsgp", "reference": 78}}, hierarchy={"curve_by": "age65"}
    )
    built = build_model(spec, cohort)
    assert built.model.named_vars_to_dims["logrr_walking_min"] == ("stratum", "walking_min_grid")
    assert built.coords["stratum"] == ["<65", ">=65"]
    prior = _prior(built, ["logrr_walking_min"])
    c = prior["logrr_walking_min"].values
    assert not np.allclose(c[..., 0, :], c[..., 1, :])


def test_set_data_swaps_outcome(cohort):
    built = build_model(load_spec("linear"), cohort)
    other = cohort.copy()
    other["clbp"] = other["clbp"].copy(data=1 - other["clbp"].values)
    built.set_data(other)
    assert np.array_equal(built.model["clbp_obs"].get_value(), other["clbp"].values)
    # the designs (scaling fixed from the training data) do not change
    assert built.designs == build_model(load_spec("linear"), cohort).designs


def test_log_binomial_keeps_p_below_one_and_offset(cohort):
    spec = _spec({"walking_min": {"form": "linear", "reference": 78}}, likelihood="bernoulli_log")
    built = build_model(spec, cohort)
    prior = _prior(built, ["mu"], draws=100)
    assert float(prior["mu"].max()) < 1.0 and float(prior["mu"].min()) > 0.0
    spec = _spec({"walking_min": {"form": "linear", "reference": 78}}, offset="followup_years")
    built = build_model(spec, cohort)
    np.testing.assert_allclose(
        built.model["log_offset"].get_value(), np.log(cohort["followup_years"].values)
    )
