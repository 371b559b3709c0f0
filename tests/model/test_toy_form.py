"""A new form is one class plus a TOML spec: a toy quadratic form registered here is read
from a spec file, built with both likelihood strategies, sampled, and predicted."""

from __future__ import annotations

import numpy as np
import pytest
from _helpers_model import toy_cohort

from bayes_walk.errors import SpecError
from bayes_walk.model.forms import Form, register_form, unregister_form
from bayes_walk.model.forms.base import linear_term, percentile_value, scaling
from bayes_walk.spec.model_spec import load_spec

TOML = """
name = "toy"
outcome = "clbp"
adjust = ["age", "sex"]

[exposures.walking_min]
form = "toy_quadratic"
reference = 78
centre = "p50"

[hierarchy]
intercept_by = "municipality"
"""


@pytest.fixture
def quadratic():
    @register_form
    class Quadratic(Form):
        """log-RR = a u + b u^2 with u the exposure around a centre, in range units."""

        name = "toy_quadratic"
        options = {"centre": "p50"}
        default_priors = {"coef": {"dist": "Normal", "mu": 0.0, "sigma": 0.5}}

        def check_options(self, options, where):
            if not str(options.get("centre", "p50")).startswith("p"):
                raise SpecError(f"{where}.centre must be a percentile like 'p50'")

        def design(self, x, reference, options, priors=None):
            centre = percentile_value(options.get("centre", "p50"), x, "centre")
            return {
                **scaling(x),
                "reference": float(reference),
                "centre": centre,
                "basis": ["u", "u2"],
            }

        def features(self, x, design):
            u = (np.asarray(x, dtype=np.float64) - design["centre"]) / design["scale"]
            return np.column_stack([u, u**2])

        def pieces(self, ctx):
            from bayes_walk.spec.priors import make_rv

            e = ctx.exposure
            coef = make_rv(f"quad_{e}", ctx.priors["coef"], dims=(ctx.basis_dim,))
            return linear_term(ctx, coef, None, self.features)

    yield Quadratic
    unregister_form("toy_quadratic")


def _sample(built, seed):
    import nutpie

    compiled = nutpie.compile_pymc_model(built.model)
    return nutpie.sample(
        compiled, draws=100, tune=100, chains=1, seed=seed, progress_bar=False
    ).posterior


def test_a_toy_form_is_one_class_and_a_spec(quadratic, tmp_path):
    from bayes_walk.inference.pointwise import pointwise_function
    from bayes_walk.model.builder import build_model
    from bayes_walk.model.forms import get_form

    path = tmp_path / "toy.toml"
    path.write_text(TOML, encoding="utf-8")
    spec = load_spec(path)
    assert spec.exposures["walking_min"].options == {"centre": "p50"}
    cohort = toy_cohort(n=500, seed=11)
    plain = build_model(spec, cohort)
    fused = build_model(spec, cohort, plain.designs, fused=True)
    assert plain.model.named_vars_to_dims["logrr_walking_min"] == ("walking_min_grid",)
    assert {d.name for d in fused.model.deterministics} == {
        d.name for d in plain.model.deterministics
    } - {"mu"}
    for built, seed in ((plain, 1), (fused, 2)):
        post = _sample(built, seed)
        curve = post["logrr_walking_min"]
        g = built.grids["walking_min"]
        assert curve.sizes["draw"] == 100 and np.all(curve.values[..., g == 78.0] == 0.0)
        assert float(curve.std()) > 0
        # the generic prediction of a linear form reproduces the stored curve
        pred = get_form("toy_quadratic").predict(
            g, post, built.designs["exposures"]["walking_min"], "walking_min"
        )
        np.testing.assert_allclose(pred.values, curve.values, rtol=1e-6, atol=1e-9)
    # both strategies' pointwise log-likelihoods agree on the same draws
    names = [v.name for v in plain.model.free_RVs]
    ll0, mu0 = pointwise_function(plain)(post[names], mu_step=10)
    ll1, mu1 = pointwise_function(fused)(post[names], mu_step=10)
    assert ll0.shape == (1, 100, 500) and np.isfinite(ll0).all()
    np.testing.assert_allclose(ll1, ll0, rtol=2e-5, atol=1e-5)
    np.testing.assert_allclose(mu1, mu0, rtol=2e-5)


def test_the_toy_form_contract_is_enforced_at_spec_time(quadratic, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(TOML.replace('centre = "p50"', "centre = 3"), encoding="utf-8")
    with pytest.raises(SpecError, match="centre must be a percentile"):
        load_spec(bad)
    strat = tmp_path / "strat.toml"
    strat.write_text(TOML + 'curve_by = "sex"\n', encoding="utf-8")
    with pytest.raises(SpecError, match="curve_by needs a form with stratum curves"):
        load_spec(strat)


def test_a_form_name_cannot_be_taken_twice(quadratic):
    class Other(Form):
        name = "toy_quadratic"

    with pytest.raises(SpecError, match="already registered"):
        register_form(Other)
