"""Hand-made fits (InferenceData) with a known truth for the checks' tests.

``hand_made_fit`` simulates a cohort whose true risk is
``exp(b0 + beta * z(walking_min) + muni effect)`` and builds a fit in the fit.nc layout
whose posterior-predictive expected counts come from a *chosen* model: the true one
(``model_beta == beta``) or a wrong one (e.g. ``model_beta = 0``: no exposure term). The
"posterior" is the model's risk times a small draw-level multiplicative noise, as a real
posterior around well-estimated parameters would be.
"""

from __future__ import annotations

import json

import numpy as np


def hand_made_fit(
    n: int = 4000,
    *,
    seed: int = 0,
    beta: float = -0.4,
    model_beta: float | None = None,
    likelihood: str = "poisson",
    draws: int = 200,
    chains: int = 2,
    noise: float = 0.03,
    municipalities: int = 8,
    cohort_hash: str = "abc123",
    spec_name: str = "handmade",
    muni_sd: float = 0.15,
    model_muni: bool = True,
):
    import arviz as az

    rng = np.random.default_rng(seed)
    walking_min = rng.gamma(6.0, 17.0, size=n)
    walking_mets = 3.0 + 0.2 * rng.standard_normal(n)
    age = np.clip(rng.normal(55.3, 15.1, size=n), 20, 95)
    sex = rng.integers(0, 2, size=n).astype(np.int16)
    muni = rng.integers(0, municipalities, size=n).astype(np.int16)
    muni_eff = rng.normal(0.0, muni_sd, size=municipalities)
    z = (walking_min - walking_min.mean()) / walking_min.std()
    b0 = np.log(0.15)

    def risk(b, with_muni=True):
        eta = b0 + b * z + (muni_eff[muni] if with_muni else 0.0)
        return np.exp(eta)

    p_true = np.minimum(risk(beta), 0.99)
    y = (rng.random(n) < p_true).astype(np.int8)
    mb = beta if model_beta is None else model_beta
    p_model = risk(mb, model_muni)
    # Match the overall incidence as an intercept would.
    p_model *= y.mean() / p_model.mean()
    eps = rng.normal(0.0, noise, size=(chains, draws, 1))
    mu = p_model[None, None, :] * np.exp(eps)
    if likelihood != "poisson":
        mu = np.minimum(mu, 0.999)
    mu = mu.astype(np.float32)
    y_rep = (rng.poisson(mu) if likelihood == "poisson" else (rng.random(mu.shape) < mu)).astype(
        np.int8
    )
    loglik = (
        y * np.log(mu) - mu
        if likelihood == "poisson"
        else np.where(y == 1, np.log(mu), np.log1p(-mu))
    ).astype(np.float32)
    participant = np.array([f"P{i:05d}" for i in range(n)])
    dims = {
        "clbp": ["participant"],
        "mu": ["participant"],
        "walking_min": ["participant"],
        "walking_mets": ["participant"],
        "age": ["participant"],
        "sex": ["participant"],
        "municipality": ["participant"],
    }
    spec = {
        "name": spec_name,
        "likelihood": likelihood,
        "exposures": {
            "walking_min": {"form": "linear", "reference": 78},
            "walking_mets": {"form": "linear", "reference": 3.0},
        },
    }
    idata = az.from_dict(
        posterior={"intercept": b0 + eps[..., 0], "beta": np.full((chains, draws), mb)},
        posterior_predictive={"clbp": y_rep, "mu": mu},
        log_likelihood={"clbp": loglik},
        observed_data={"clbp": y},
        constant_data={
            "walking_min": walking_min,
            "walking_mets": walking_mets,
            "age": age,
            "sex": sex,
            "municipality": muni,
        },
        coords={"participant": participant},
        dims=dims,
        attrs={
            "spec": json.dumps(spec),
            "spec_name": spec_name,
            "cohort_hash": cohort_hash,
            # what bayes_walk.results.load_fit requires of a fit file (no stored curves)
            "designs": json.dumps({"exposures": {}}),
            "bayes_walk_version": "0.1.0",
        },
    )
    idata.constant_data["sex"].attrs["levels"] = json.dumps(["female", "male"])
    idata.constant_data["municipality"].attrs["levels"] = json.dumps(
        [f"M{j:02d}" for j in range(municipalities)]
    )
    return idata
