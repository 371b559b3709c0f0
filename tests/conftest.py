"""Test-wide settings: headless figures, and no test writes outside its tmp_path; the
fixtures shared across test folders."""

import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def risk_sim(tmp_path_factory):
    """A small real fit with a stored ``mu`` (rcs, n = 2,000, one chain of 300 draws) and
    its simulated cohort: ``(cohort, cohort_path, fit_path)``. Shared by the absolute-risk
    tests of the risk and summary commands and of the report."""
    import bayes_walk as bw

    d = tmp_path_factory.mktemp("risk")
    cohort = bw.simulate(n=2000, seed=5)
    bw.save_cohort(cohort, d / "cohort.nc")
    fit = bw.fit("rcs", str(d / "cohort.nc"), chains=1, draws=300, tune=300, seed=1)
    fit.save(d / "fit.nc")
    return cohort, d / "cohort.nc", d / "fit.nc"
