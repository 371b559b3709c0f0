"""Shipped specs: all parse, round-trip through dicts, and the package copy matches."""

from __future__ import annotations

from pathlib import Path

import pytest

from bayes_walk.spec.model_spec import load_spec, shipped_specs, spec_from_dict

ROOT = Path(__file__).resolve().parents[2]


def test_every_shipped_spec_parses_and_round_trips():
    names = shipped_specs()
    assert {"gp", "quartiles", "linear"} <= set(names)
    for name in names:
        spec = load_spec(name)
        assert spec.name == name
        again = spec_from_dict(spec.to_dict())
        assert again == spec


def test_shipped_specs_have_one_copy():
    repo = sorted(p.name for p in (ROOT / "models").glob("*.toml"))
    pkg = ROOT / "bayes_walk" / "data" / "models"
    assert repo, "no specs in models/"
    # the package path is a link to models/, not a second copy that could drift
    assert pkg.is_symlink() and pkg.resolve() == (ROOT / "models").resolve()
    assert shipped_specs() == [n[: -len(".toml")] for n in repo]


@pytest.mark.parametrize("name", ["gp"])
def test_spec_from_path(name):
    spec = load_spec(ROOT / "models" / f"{name}.toml")
    assert spec.exposures["walking_min"].form == "hsgp"
    assert spec.hierarchy.intercept_by == "municipality"
    assert spec.sampler.backend == "nutpie"


def test_target_accept_default_is_the_shipped_one():
    import tomllib

    minimal = {"name": "mine", "exposures": {"walking_min": {"form": "linear", "reference": 78}}}
    assert spec_from_dict(minimal).sampler.target_accept == 0.85
    for name in shipped_specs():
        raw = tomllib.loads((ROOT / "models" / f"{name}.toml").read_text())
        spec = load_spec(name)
        if "target_accept" in raw.get("sampler", {}):
            # shipped specs may only ask for more care than the default, never less
            assert spec.sampler.target_accept >= 0.85, name
        else:
            assert spec.sampler.target_accept == 0.85, name
