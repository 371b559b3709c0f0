"""Fixtures of the fault-injection suite: one small cohort and one short fit per session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _cli import bw  # noqa: E402

N = 300  # participants: enough for a fit, small enough to be quick
SHORT = ("--draws", "50", "--tune", "50", "--chains", "1")


@pytest.fixture(scope="session")
def cohort_nc(tmp_path_factory) -> Path:
    """A simulated cohort file (n = 300)."""
    from bayes_walk.cohort.simulate import simulate_cohort
    from bayes_walk.cohort.store import save_cohort

    path = tmp_path_factory.mktemp("cohort") / "cohort.nc"
    save_cohort(simulate_cohort(N, seed=1), path)
    return path


@pytest.fixture(scope="session")
def fit_nc(cohort_nc, tmp_path_factory) -> Path:
    """A short real fit of the linear model (pymc: the quickest backend to start)."""
    path = tmp_path_factory.mktemp("fit") / "fit.nc"
    r = bw("fit", "linear", "--data", cohort_nc, "--out", path, *SHORT, "--sampler", "pymc")
    assert r.code == 0, r.err[-3000:]
    return path
