"""Spec parsing and validation: every user mistake gets a clear SpecError."""

from __future__ import annotations

import copy

import pytest
from _helpers_model import toy_cohort

from bayes_walk.errors import SpecError
from bayes_walk.spec.model_spec import load_spec, spec_from_dict, validate_spec

BASE = {
    "name": "t",
    "adjust": ["age", "sex"],
    "exposures": {"walking_min": {"form": "hsgp", "reference": 78}},
    "sampler": {"chains": 2, "draws": 10, "tune": 10},
}


def _with(path: str, value):
    d = copy.deepcopy(BASE)
    node = d
    keys = path.split(".")
    for k in keys[:-1]:
        node = node.setdefault(k, {})
    node[keys[-1]] = value
    return d


@pytest.fixture(scope="module")
def cohort():
    return toy_cohort(300)


@pytest.mark.parametrize(
    ("path", "value", "match"),
    [
        ("exposures.walking_min.form", "hsgpp", r"unknown form 'hsgpp' \(did you mean 'hsgp'\?\)"),
        ("exposures.walking_min.knots", [1, 2], r"unknown key 'knots'"),
        ("sampler.chains", 0, r"sampler.chains must be >= 1"),
        ("sampler.draws", 0, r"sampler.draws must be >= 1"),
        ("sampler.backend", "stan", r"sampler.backend must be one of nutpie, pymc, numpyro"),
        ("sampler.target_accept", 1.5, r"target_accept"),
        ("sampler.chians", 2, r"unknown key 'chians' \(did you mean 'chains'\?\)"),
        ("likelihood", "binomial", r"likelihood must be one of"),
        ("adjsut", ["age"], r"unknown key 'adjsut' \(did you mean 'adjust'\?\)"),
        (
            "exposures.walking_min.reference",
            "median",
            r"reference must be a number or a percentile",
        ),
        ("exposures.walking_min.priors", {"amplitud": {"sigma": 1.0}}, r"unknown prior 'amplitud'"),
        (
            "exposures.walking_min.priors",
            {"amplitude": {"dist": "Normal", "mu": 0, "sigma": 1}},
            r"positive",
        ),
        ("exposures.walking_min.priors", {"amplitude": {"sigma": -1.0}}, r"must be > 0"),
        ("exposures.walking_min.m", 1, r"m must be an integer between 3 and 200"),
        ("hierarchy.curve_by", "sex", None),
    ],
)
def test_parse_errors(path, value, match):
    d = _with(path, value)
    if match is None:  # a valid variation
        spec_from_dict(d)
        return
    with pytest.raises(SpecError, match=match):
        spec_from_dict(d)


def test_curve_by_needs_a_form_with_stratum_curves():
    d = _with("exposures.walking_min", {"form": "categorical", "reference": "p10"})
    d["hierarchy"] = {"curve_by": "sex"}
    with pytest.raises(SpecError, match="curve_by needs a form with stratum curves"):
        spec_from_dict(d)


def test_unknown_covariate_names_it_and_lists_available(cohort):
    spec = spec_from_dict(_with("adjust", ["age", "sexx"]))
    with pytest.raises(SpecError) as err:
        validate_spec(spec, cohort)
    msg = str(err.value)
    assert "'sexx' is not in the cohort" in msg and "did you mean 'sex'" in msg
    assert "available:" in msg and "education" in msg


def test_missing_covariate_values_name_ids(cohort):
    bad = cohort.copy()
    vals = bad["sex"].values.copy()
    vals[[3, 7]] = -1
    bad["sex"] = bad["sex"].copy(data=vals)
    with pytest.raises(
        SpecError, match=r"missing for 2 participants \(first ids: P000003, P000007\)"
    ):
        validate_spec(spec_from_dict(BASE), bad)


def test_reference_outside_data_range(cohort):
    spec = spec_from_dict(_with("exposures.walking_min.reference", 5000))
    with pytest.raises(
        SpecError, match=r"reference = 5000 lies outside the data range of walking_min"
    ):
        validate_spec(spec, cohort)


def test_unknown_exposure_and_stratifier(cohort):
    d = _with("exposures", {"walking_mins": {"form": "linear", "reference": 78}})
    with pytest.raises(SpecError, match=r"exposure 'walking_mins' is not in the cohort"):
        validate_spec(spec_from_dict(d), cohort)
    d = _with("hierarchy.intercept_by", "age")
    with pytest.raises(SpecError, match="must be a categorical variable"):
        validate_spec(spec_from_dict(d), cohort)


def test_age65_is_a_derived_stratifier(cohort):
    spec = spec_from_dict(_with("hierarchy.curve_by", "age65"))
    validate_spec(spec, cohort)  # derived from age: no error although no column is named so
    assert spec.hierarchy.curve_by == "age65"
    assert "age65" not in cohort.data_vars
    with pytest.raises(SpecError):
        validate_spec(spec_from_dict(_with("hierarchy.curve_by", "age70")), cohort)


def test_load_spec_errors(tmp_path):
    with pytest.raises(SpecError, match=r"no shipped model 'gpp' \(did you mean 'gp'\?\)"):
        load_spec("gpp")
    p = tmp_path / "bad.toml"
    p.write_text("name = 'x'\n[exposures.walking_min\n")
    with pytest.raises(SpecError, match="not valid TOML"):
        load_spec(p)
    with pytest.raises(SpecError, match="not found"):
        load_spec(tmp_path / "missing.toml")


def test_prior_messages_name_the_path_once():
    with pytest.raises(SpecError) as exc:
        spec_from_dict(_with("priors", {"intercept": {"sigma": -1.0}}))
    msg = str(exc.value)
    assert "priors.intercept" in msg and "priors.priors" not in msg
    with pytest.raises(SpecError) as exc:
        spec_from_dict(_with("exposures.walking_min.priors", {"amplitude": {"sigma": -1.0}}))
    assert "exposures.walking_min.priors.amplitude" in str(exc.value)
    assert "priors.priors" not in str(exc.value)


def test_unsupported_prior_distribution_lists_the_supported_ones():
    d = _with("exposures.walking_min.priors", {"lengthscale": {"dist": "Beta"}})
    with pytest.raises(SpecError) as exc:
        spec_from_dict(d)
    msg = str(exc.value)
    assert "exposures.walking_min.priors.lengthscale" in msg
    assert "'Beta' is not supported" in msg and "must be a positive" not in msg
    # the supported ones of the right kind (lengthscales are positive), and only those
    listed = msg.split("supported for this positive parameter: ")[1].split(", ")
    assert set(listed) == {
        "HalfNormal",
        "Exponential",
        "LogNormal",
        "InverseGamma",
        "Gamma",
        "HalfStudentT",
    }
