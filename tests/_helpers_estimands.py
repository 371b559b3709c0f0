"""Hand-made fits for the estimand, summary, plateau and report tests.

Curves are exact functions on a known grid, so the right answers are known exactly.
"""

from __future__ import annotations

import json
import math

import arviz as az
import numpy as np
import xarray as xr

GRID_MIN = np.unique(
    np.concatenate([np.linspace(20.0, 200.0, 100), [40, 60, 78, 100, 125, 150, 175]])
)
GRID_METS = np.unique(np.concatenate([np.linspace(2.7, 3.7, 100), [3.0, 3.1, 3.2, 3.3]]))


def plateau_curve(x: np.ndarray, onset: float = 100.0, slope: float = 0.01, ref: float = 78.0):
    """log RR declining linearly with ``slope`` per unit up to ``onset``, flat after."""
    return -slope * (np.minimum(x, onset) - min(ref, onset))


def linear_curve(x: np.ndarray, slope: float = 0.004, ref: float = 78.0):
    return -slope * (x - ref)


def curve_array(values_per_draw: np.ndarray, grid: np.ndarray, exposure: str, reference: float):
    """(chain, draw, grid) DataArray from an array of shape (chain, draw, grid)."""
    c, d, _ = values_per_draw.shape
    return xr.DataArray(
        values_per_draw,
        dims=("chain", "draw", f"{exposure}_grid"),
        coords={"chain": np.arange(c), "draw": np.arange(d), f"{exposure}_grid": grid},
        attrs={"reference": reference, "form": "hsgp"},
    )


def replicate(curve: np.ndarray, chains: int = 2, draws: int = 50) -> np.ndarray:
    """The same curve in every draw, shape (chain, draw, grid)."""
    return np.broadcast_to(curve, (chains, draws, curve.size)).copy()


def make_idata(
    min_curve: np.ndarray | None = None,
    mets_curve: np.ndarray | None = None,
    *,
    chains: int = 2,
    draws: int = 50,
    cat: bool = False,
    spec_name: str = "handmade",
    extra_posterior: dict | None = None,
    n: int = 400,
    seed: int = 1,
) -> az.InferenceData:
    """InferenceData in the fit.nc layout with the given per-draw curves."""
    rng = np.random.default_rng(seed)
    post = {}
    if min_curve is None:
        min_curve = replicate(plateau_curve(GRID_MIN), chains, draws)
    post["logrr_walking_min"] = curve_array(min_curve, GRID_MIN, "walking_min", 78.0)
    if mets_curve is not None:
        post["logrr_walking_mets"] = curve_array(mets_curve, GRID_METS, "walking_mets", 3.0)
    post["intercept"] = xr.DataArray(
        rng.normal(-1.9, 0.02, size=(chains, draws)),
        dims=("chain", "draw"),
        coords={"chain": np.arange(chains), "draw": np.arange(draws)},
    )
    categories = {}
    if cat:
        labels = ["<78", "78-100", "101-124", ">=125"]
        logs = np.stack(
            [np.zeros((chains, draws))]
            + [
                rng.normal(m, 0.05, size=(chains, draws))
                for m in (math.log(0.87), math.log(0.77), math.log(0.76))
            ],
            axis=-1,
        )
        post["logrr_walking_min_cat"] = xr.DataArray(
            logs,
            dims=("chain", "draw", "walking_min_category"),
            coords={
                "chain": np.arange(chains),
                "draw": np.arange(draws),
                "walking_min_category": labels,
            },
        )
        categories["walking_min"] = {
            "labels": labels,
            "cuts": [78.0, 100.0, 124.0],
            "n": [100, 100, 100, 100],
            "cases": [20, 17, 15, 15],
        }
    for k, v in (extra_posterior or {}).items():
        post[k] = v
    designs = {"walking_min": {"form": "hsgp", "reference": 78.0}}
    if mets_curve is not None:
        designs["walking_mets"] = {"form": "hsgp", "reference": 3.0}
    posterior = xr.Dataset(post)
    diverging = xr.DataArray(
        np.zeros((chains, draws), dtype=bool),
        dims=("chain", "draw"),
        coords={"chain": np.arange(chains), "draw": np.arange(draws)},
    )
    idata = az.InferenceData(posterior=posterior, sample_stats=xr.Dataset({"diverging": diverging}))
    wm = rng.uniform(25, 195, size=n)
    const = xr.Dataset(
        {
            "walking_min": ("participant", wm),
            "walking_mets": ("participant", rng.uniform(2.8, 3.6, n)),
        },
        coords={"participant": [f"p{i}" for i in range(n)]},
    )
    idata.add_groups(constant_data=const)
    idata.attrs.update(
        {
            "spec_name": spec_name,
            "spec": json.dumps(
                {"name": spec_name, "exposures": {"walking_min": {"form": "hsgp", "reference": 78}}}
            ),
            # what bayes_walk.results.load_fit requires of a fit file
            "designs": json.dumps({"exposures": designs}),
            "bayes_walk_version": "0.1.0",
            "n_participants": n,
            "sampler": "handmade",
            "categories": json.dumps(categories),
        }
    )
    return idata
