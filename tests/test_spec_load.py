"""Shipped specs: all parse, round-trip through dicts, and the package copy matches."""

from __future__ import annotations

from pathlib import Path

import pytest

from bayes_walk.spec import load_spec, shipped_specs, spec_from_dict

ROOT = Path(__file__).resolve().parents[1]


def test_every_shipped_spec_parses_and_round_trips():
    names = shipped_specs()
    assert {"gp", "quartiles", "linear"} <= set(names)
    for name in names:
        spec = load_spec(name)
        assert spec.name == name
        again = spec_from_dict(spec.to_dict())
        assert again == spec


def test_package_copy_matches_repository_models():
    repo = sorted((ROOT / "models").glob("*.toml"))
    pkg = ROOT / "bayes_walk" / "data" / "models"
    assert repo, "no specs in models/"
    for p in repo:
        copy = pkg / p.name
        assert copy.exists(), f"{copy} missing: copy models/*.toml to bayes_walk/data/models/"
        assert copy.read_text() == p.read_text(), f"{copy} differs from {p}"


@pytest.mark.parametrize("name", ["gp"])
def test_spec_from_path(name):
    spec = load_spec(ROOT / "models" / f"{name}.toml")
    assert spec.exposures["walking_min"].form == "hsgp"
    assert spec.hierarchy.intercept_by == "municipality"
    assert spec.sampler.backend == "nutpie"
