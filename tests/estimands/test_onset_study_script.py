"""scripts/onset_definitions.py: the noise model and the true onsets it scores against."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def study():
    spec = importlib.util.spec_from_file_location(
        "onset_definitions", ROOT / "scripts" / "onset_definitions.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_gp_paths_are_anchored_and_have_the_asked_sd(study):
    grid = study.fit_like_grid(*study.GRID_RANGE)
    assert 78.0 in grid and grid[0] == pytest.approx(39.7) and grid[-1] == pytest.approx(205.4)
    rng = np.random.default_rng(0)
    e = study.gp_paths(rng, grid, 4000, 0.07, 60.0, 78.0)
    assert np.abs(e[:, grid == 78.0]).max() < 1e-6
    # far from the reference the anchored SD is sd * sqrt(2 - 2 k), k = exp(-d^2 / 2 ell^2)
    i = np.argmin(np.abs(grid - 200.0))
    k = np.exp(-0.5 * ((grid[i] - 78.0) / 60.0) ** 2)
    assert e[:, i].std() == pytest.approx(0.07 * np.sqrt(2 - 2 * k), rel=0.06)


def test_true_onsets_and_cell_rows(study):
    grid = study.fit_like_grid(*study.GRID_RANGE)
    rows = {
        r["definition"]: r
        for r in study.run_cell("plateau:100", 11194, reps=3, draws=60, grid=grid, seed=1)
    }
    # the toolkit's own definition on the sharp truth: 100 - delta / slope (as in summary.md)
    assert rows["min"]["true_onset"] == pytest.approx(96.5, abs=0.1)
    assert rows["slope:0.1"]["true_onset"] == pytest.approx(100.0)
    assert rows["ed:95"]["true_onset"] == pytest.approx(39.7 + 0.95 * (100 - 39.7), abs=0.2)
    for r in rows.values():
        assert r["reps"] == 3 and 0.0 <= r["coverage90"] <= 1.0
    lin = {
        r["definition"]: r
        for r in study.run_cell("linear", 50000, reps=2, draws=40, grid=grid, seed=1)
    }
    assert lin["min"]["true_onset"] is None and lin["min"]["bias"] is None
    md = study.to_markdown(
        list(rows.values()), {"reps": 3, "draws": 60, "seed": 1, "grid": [39.7, 205.4]}
    )
    assert "| 11,194 | plateau:100 | min | 96.5 |" in md
