"""The small SBC configuration on the shipped model code (real NUTS via nutpie).

Reduced model: one HSGP volume curve, no covariates, 300 participants of a simulated
cohort; 100 replicates reuse one compiled model. A deliberately broken variant simulates
with a different lengthscale prior than the fitted model assumes and must fail.
"""

from __future__ import annotations

import math

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def small_setup():
    from bayes_walk.checks.sbc_spec import spec_sbc
    from bayes_walk.cohort.simulate import simulate_cohort
    from bayes_walk.spec.model_spec import spec_from_dict

    cohort = simulate_cohort(n=300, seed=0, keep_daily=False)
    spec = spec_from_dict(
        {"name": "small", "exposures": {"walking_min": {"form": "hsgp", "reference": 78}}}
    )
    setup = spec_sbc(spec, cohort, draws=300, tune=300, chains=2)
    setup.compiled()
    return spec, cohort, setup


def test_small_sbc_passes(small_setup):
    from bayes_walk.checks.sbc import run_sbc

    _, _, setup = small_setup
    assert setup.quantities == (
        "intercept",
        "log RR walking_min 125 vs 78",
        "amplitude walking_min",
        "lengthscale walking_min",
    )
    res = run_sbc(setup, replicates=100, seed=1, progress=False)
    table = res.uniformity()
    assert res.passed, table.to_string()
    assert (abs(table["mean_fractional_rank"] - 0.5) < 0.1).all()


def test_sbc_fails_when_the_model_prior_differs_from_the_simulation_prior(small_setup):
    from bayes_walk.checks.sbc import run_sbc
    from bayes_walk.checks.sbc_spec import spec_sbc, with_priors

    spec, cohort, setup = small_setup
    # Curves simulated far wigglier (lengthscale ~0.12 of the range) than the fitted
    # prior expects (~0.4): the posterior lengthscale sits above the truth.
    wiggly = with_priors(
        spec,
        exposure_priors={"walking_min": {"lengthscale": {"mu": math.log(0.12), "sigma": 0.15}}},
    )
    broken = spec_sbc(spec, cohort, simulate_spec=wiggly, draws=300, tune=300, reuse=setup)
    res = run_sbc(broken, replicates=40, seed=2, progress=False)
    table = res.uniformity().set_index("quantity")
    assert not res.passed
    assert not table.loc["lengthscale walking_min", "passed"]
    assert table.loc["lengthscale walking_min", "mean_fractional_rank"] < 0.3


def test_target_accept_reaches_the_sampler(small_setup, monkeypatch):
    """``target_accept`` is handed to nutpie; without it nutpie's own default applies."""
    import dataclasses

    import nutpie

    seen: dict = {}
    real = nutpie.sample

    def spy(*args, **kwargs):
        seen.clear()
        seen.update(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(nutpie, "sample", spy)
    _, _, setup = small_setup
    rep = setup.simulate(1, seed=3)[0]
    dataclasses.replace(setup, target_accept=0.95).posterior(rep.data, seed=1)
    assert seen["target_accept"] == 0.95
    setup.posterior(rep.data, seed=1)
    assert "target_accept" not in seen
