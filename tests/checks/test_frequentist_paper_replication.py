"""THE calibration test: the paper's own analysis on simulated `paper` cohorts.

Modified Poisson with the full adjustment set and the other exposure as a linear term, on
cohorts of 11,194 for several seeds; the seed-averaged multi-adjusted quartile RRs must be
within 0.03 of the published ones (Haddadj et al. 2025, Table 2).
"""

import numpy as np
import pytest

from bayes_walk.checks.frequentist import modified_poisson
from bayes_walk.cohort import schema
from bayes_walk.cohort.quartiles import quartile_cuts
from bayes_walk.cohort.simulate import simulate_cohort

SEEDS = range(20)
PAPER_N = 11194


@pytest.fixture(scope="module")
def replicated():
    rrs = {"walking_min": [], "walking_mets": []}
    cuts = {"walking_min": [], "walking_mets": []}
    incidence = []
    for seed in SEEDS:
        ds = simulate_cohort(n=PAPER_N, seed=seed, keep_daily=False)
        incidence.append(float(ds["clbp"].mean()))
        for exposure in rrs:
            table = modified_poisson(ds, exposure, other="linear")
            assert table.attrs["n"] == PAPER_N
            rrs[exposure].append(table["rr"].to_numpy()[1:])
            cuts[exposure].append(quartile_cuts(ds[exposure].values))
    return (
        {k: np.mean(v, axis=0) for k, v in rrs.items()},
        {k: np.mean(v, axis=0) for k, v in cuts.items()},
        np.array(incidence),
    )


@pytest.mark.parametrize("exposure", ["walking_min", "walking_mets"])
def test_seed_averaged_quartile_rrs_match_the_published_table(replicated, exposure):
    rrs, _, _ = replicated
    published = [row["rr"] for row in schema.reference()["multi_adjusted_rr"][exposure][1:]]
    np.testing.assert_allclose(rrs[exposure], published, atol=0.03)


def test_cuts_and_incidence_match_the_paper(replicated):
    _, cuts, incidence = replicated
    np.testing.assert_allclose(cuts["walking_min"], [78, 100, 124], atol=3)
    np.testing.assert_allclose(cuts["walking_mets"], [3.00, 3.11, 3.26], atol=0.03)
    assert np.all(np.abs(incidence - 0.148) < 0.01)
