"""Default priors of the linear-in-coefficient forms let a paper-sized cohort speak.

The posterior median curve of ``rcs`` must lie within 0.03 log-RR of the unpenalised
maximum-likelihood fit (statsmodels) of the same basis and design; the knot
parametrisation must span exactly the curves of the raw restricted cubic spline; and the
prior must keep RR(200 vs 78 min/day) mostly within 0.3..3.
"""

from __future__ import annotations

import numpy as np
import pytest

from bayes_walk.cohort.simulate import simulate_cohort
from bayes_walk.model.builder import data_arrays, make_designs
from bayes_walk.model.forms import get_form, rcs
from bayes_walk.model.forms.base import scaled
from bayes_walk.spec.model_spec import load_spec


@pytest.fixture(scope="module")
def paper_cohort():
    return simulate_cohort(n=11194, seed=11, truth="paper", keep_daily=False)


def test_knot_basis_spans_the_raw_restricted_cubic_spline(paper_cohort):
    d = make_designs(load_spec("rcs"), paper_cohort)["exposures"]["walking_min"]
    x = np.linspace(d["p1"], d["p99"], 50)
    t = scaled(np.asarray(d["knots"]), d)
    raw = rcs._raw_basis(scaled(x, d), t)
    new = rcs.features(x, d)
    # same column space: each raw column is an exact combination of the new ones
    coef, *_ = np.linalg.lstsq(new, raw, rcond=None)
    assert np.allclose(new @ coef, raw, atol=1e-10)


def test_prior_keeps_rr_200_vs_78_mostly_plausible(paper_cohort):
    spec = load_spec("rcs")
    d = make_designs(spec, paper_cohort)["exposures"]["walking_min"]
    sigma = spec.exposure_priors("walking_min")["coef"]["sigma"]
    F = rcs.features(np.array([200.0]), d) - rcs.features(np.array([78.0]), d)
    coef = np.random.default_rng(0).normal(0.0, sigma, size=(20000, F.shape[1]))
    rr = np.exp(coef @ F[0])
    share = np.mean((rr > 0.3) & (rr < 3.0))
    assert 0.7 < share < 1.0


@pytest.mark.slow
def test_rcs_posterior_median_matches_the_unpenalised_fit(paper_cohort):
    import statsmodels.api as sm

    from bayes_walk.inference.fit import fit

    spec = load_spec("rcs")
    designs = make_designs(spec, paper_cohort)
    arrays = data_arrays(spec, paper_cohort, designs)
    names = list(spec.exposures)
    X = np.hstack(
        [np.ones((paper_cohort.sizes["participant"], 1)), arrays["X_covariates"]]
        + [arrays[f"F_{e}"] for e in names]
    )
    y = np.asarray(paper_cohort["clbp"].values, dtype=np.float64)
    mle = sm.GLM(y, X, family=sm.families.Poisson()).fit().params
    idata = fit(spec, paper_cohort, chains=2, draws=400, tune=400, seed=3, progress=False)
    start = 1 + arrays["X_covariates"].shape[1]
    for e in names:
        d = designs["exposures"][e]
        k = len(d["basis"])
        form = get_form(d["form"])
        grid = idata.posterior[f"logrr_{e}"][f"{e}_grid"].values
        F = form.features(grid, d) - form.features(np.array([d["reference"]]), d)
        ml_curve = F @ mle[start : start + k]
        start += k
        post = idata.posterior[f"logrr_{e}"].median(("chain", "draw")).values
        assert np.max(np.abs(post - ml_curve)) < 0.03, e
