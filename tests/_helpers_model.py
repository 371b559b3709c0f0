"""Fixtures for the model/spec/fit tests: a small cohort with a known truth.

``toy_cohort`` follows the cohort contract (ARCHITECTURE "The cohort Dataset") with only
the per-participant variables the models use; it is used where the paper-calibrated
simulator would be needlessly slow (structure and pipeline tests).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from bayes_walk.cohort.schema import paper_levels, set_categorical


def toy_truth(x: np.ndarray) -> np.ndarray:
    """Log-RR of walking minutes vs 78: declines to 100 min/day, flat after."""
    return -0.01 * (np.minimum(x, 100.0) - 78.0)


def toy_cohort(n: int = 600, seed: int = 0, strong: float = 1.0) -> xr.Dataset:
    """A cohort of ``n`` participants with clbp ~ Bernoulli(exp(eta)), known curve."""
    rng = np.random.default_rng(seed)
    ids = [f"P{i:06d}" for i in range(n)]
    ds = xr.Dataset(coords={"participant": ids})
    age = np.clip(rng.normal(55, 15, n), 20, 95)
    levels = paper_levels()
    ds["age"] = ("participant", age)
    for var in ("sex", "education", "income", "employment", "smoking", "depression"):
        lv = levels[var]
        ds = set_categorical(ds, var, [lv[i] for i in rng.integers(0, len(lv), n)], lv)
    munis = [f"M{j:02d}" for j in range(8)]
    ds = set_categorical(ds, "municipality", [munis[i] for i in rng.integers(0, 8, n)], munis)
    wm = np.clip(rng.gamma(9.0, 11.5, n), 10, 400)
    mets = np.clip(3.0 + 0.002 * (wm - 100) + rng.normal(0, 0.18, n), 2.8, 4.8)
    ds["walking_min"] = ("participant", wm)
    ds["walking_mets"] = ("participant", mets)
    ds["followup_years"] = ("participant", rng.uniform(3.5, 5.0, n))
    eta = np.log(0.15) + strong * toy_truth(wm) + 0.005 * (age - 55)
    p = np.minimum(np.exp(eta), 0.99)
    ds["clbp"] = ("participant", (rng.uniform(size=n) < p).astype(np.int8))
    return ds


def assert_same_pointwise(plain, fused, post, mu_step: int) -> None:
    """The fused model's pointwise log-likelihood and ``mu`` equal the plain model's at
    the draws of ``post`` (both store covariates as float32: ~1e-5 relative)."""
    from bayes_walk.inference.pointwise import pointwise_function

    ll0, mu0 = pointwise_function(plain)(post, mu_step=mu_step)
    ll1, mu1 = pointwise_function(fused)(post, mu_step=mu_step)
    draws, n = post.sizes["draw"], len(plain.coords["participant"])
    assert ll1.shape == ll0.shape == (1, draws, n)
    assert mu1.shape == mu0.shape == (1, -(-draws // mu_step), n)
    ok = np.isfinite(ll0)
    assert ok.mean() > 0.9
    np.testing.assert_allclose(ll1[ok], ll0[ok], rtol=2e-5, atol=1e-5)
    np.testing.assert_allclose(mu1, mu0, rtol=2e-5)


def as_noncentred(designs: dict, point: dict, coefs: dict) -> tuple[dict, float]:
    """The non-centred model's point for an informed model's ``point`` whose HSGP weights
    are ``coefs`` (exposure -> weights), and ``sum log s``: the weights' density is the
    non-centred ``z``'s divided by the product of their prior SDs ``s``."""
    from bayes_walk.model.forms import hsgp

    other = {k: v for k, v in point.items() if "informed__" not in k}
    log_s = 0.0
    for e, coef in coefs.items():
        d = designs["exposures"][e]
        amp = np.exp(point[f"amplitude_{e}_log__"])
        ell = np.exp(point[f"lengthscale_{e}_log__"])
        s = hsgp.sqrt_psd(amp, ell, hsgp._omega(d), d["kernel"], xp=np)
        other[f"z_{e}"] = coef / s
        log_s += float(np.log(s).sum())
    return other, log_s
