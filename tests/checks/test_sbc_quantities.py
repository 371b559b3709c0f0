"""SBC quantities found in every shipped spec (build only, no sampling)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def cohort():
    from bayes_walk.cohort.simulate import simulate_cohort

    return simulate_cohort(n=400, seed=0, keep_daily=False)


EXPECTED = {
    "gp": {"amplitude walking_min", "lengthscale walking_min", "log RR walking_min 125 vs 78"},
    "linear": {"slope walking_min", "log RR walking_min 125 vs 78"},
    "quartiles": {"log RR walking_min top category"},
    "changepoint": {"tau walking_min", "log RR walking_min 125 vs 78"},
    "monotone": {"total walking_min", "log RR walking_min 125 vs 78"},
    "plateau": {"tau walking_min", "delta walking_min", "log RR walking_min 125 vs 78"},
    "joint": {"log RR joint top cell"},
    "gp_sex": {"amplitude walking_min", "log RR walking_min 125 vs 78"},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shipped_spec_has_its_key_quantities(name, cohort):
    from bayes_walk.checks.sbc_spec import default_quantities
    from bayes_walk.model.builder import build_model
    from bayes_walk.spec.model_spec import load_spec, shipped_specs

    if name not in shipped_specs():
        pytest.skip(f"spec {name} not shipped")
    built = build_model(load_spec(name), cohort)
    q = default_quantities(built)
    assert "intercept" in q
    assert EXPECTED[name] <= set(q), sorted(q)
