"""Analysis variants: filters, outcome swap, extra adjustment."""

import json

import numpy as np
import pytest

from bayes_walk.cohort.simulate import simulate_cohort
from bayes_walk.errors import SpecError
from bayes_walk.spec.model_spec import load_spec
from bayes_walk.sweep.sweepfile import Variant
from bayes_walk.sweep.variants import apply_variant, spec_for_variant


@pytest.fixture(scope="module")
def cohort():
    c = simulate_cohort(n=400, seed=3, keep_daily=False)
    pain = np.zeros(c.sizes["participant"])
    pain[:50] = 1.0
    pain[50:60] = np.nan
    c["pain"] = ("participant", pain)
    return c


def test_main_variant_keeps_everyone(cohort):
    out = apply_variant(cohort, Variant("main"))
    assert out.sizes["participant"] == cohort.sizes["participant"]


def test_min_valid_days_and_exclude(cohort):
    v = Variant("x", min_valid_days=4, exclude=(("age", ">=", 70.0), ("sex", "==", "male")))
    out = apply_variant(cohort, v)
    vd, age = cohort["valid_days"].values, cohort["age"].values
    from bayes_walk.cohort.schema import levels_of

    male = cohort["sex"].values == levels_of(cohort, "sex").index("male")
    expect = (vd >= 4) & ~(age >= 70) & ~male
    assert out.sizes["participant"] == int(expect.sum()) > 0
    assert (out["valid_days"].values >= 4).all() and (out["age"].values < 70).all()
    flow = json.loads(out.attrs["inclusion_flow"])
    assert flow[-1] == ["x: excluding sex == male", int(expect.sum())]


def test_exclude_if_drops_present_and_missing(cohort):
    out = apply_variant(cohort, Variant("no pain", exclude_if=("pain",)))
    assert out.sizes["participant"] == cohort.sizes["participant"] - 60
    assert (out["pain"].values == 0).all()


def test_errors_name_variant_and_variable(cohort):
    with pytest.raises(SpecError, match="variant 'v': variable 'bmii' is not in the cohort"):
        apply_variant(cohort, Variant("v", exclude=(("bmii", ">", 30.0),)))
    with pytest.raises(SpecError, match="no level 'martian'"):
        apply_variant(cohort, Variant("v", exclude=(("sex", "==", "martian"),)))
    with pytest.raises(SpecError, match="no participant is left"):
        apply_variant(cohort, Variant("v", exclude=(("age", ">", 0.0),)))


def test_spec_for_variant():
    spec = load_spec("linear")
    s2 = spec_for_variant(spec, Variant("v", outcome="clbp_severe", adjust_extra=("bmi", "age")))
    assert s2.outcome == "clbp_severe"
    assert s2.adjust == (*spec.adjust, "bmi")
    assert spec_for_variant(spec, Variant("main")) is spec
