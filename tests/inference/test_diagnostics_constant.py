"""Fit diagnostics: a quantity that is constant in every draw (a curve at its own
reference) neither sets the smallest ESS nor the worst R-hat."""

from __future__ import annotations

import arviz as az
import numpy as np

from bayes_walk.inference.diagnostics import compute_diagnostics


def _antithetic(rng, chains=4, draws=1500):
    # x_t = -0.5 x_(t-1) + e_t: bulk ESS above the number of draws, as NUTS often gives
    x = np.zeros((chains, draws))
    for t in range(1, draws):
        x[:, t] = -0.5 * x[:, t - 1] + rng.normal(size=chains)
    return x


def test_constant_quantity_does_not_set_the_smallest_ess():
    rng = np.random.default_rng(1)
    varying = _antithetic(rng)
    curve = np.stack([varying, np.zeros_like(varying)], axis=-1)  # 2nd point: the reference
    idata = az.from_dict(posterior={"a": _antithetic(rng), "logrr_x": curve})
    assert float(az.ess(np.zeros((4, 1500)))) == 6000  # what ArviZ gives a constant
    diag = compute_diagnostics(idata)
    assert diag["min_ess_bulk"] > 6000
    assert diag["min_ess_tail"] != 6000
    assert np.isfinite(diag["max_rhat"])
