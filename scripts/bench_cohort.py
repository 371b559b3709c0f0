"""Benchmark cohorts: the project's simulator when present, else a private stand-in.

The stand-in is only used until ``bayes_walk.cohort.simulate`` exists; it produces the
contract layout (participants only) with the paper's marginal shapes, a volume curve
that falls to about 100 min/day and then levels off, and 40 municipalities.
"""

from __future__ import annotations

import json

import numpy as np
import xarray as xr


def make_cohort(n: int, seed: int = 0, truth: str = "paper") -> tuple[xr.Dataset, str]:
    """A simulated cohort of ``n`` participants and the name of the generator used."""
    try:
        from bayes_walk.cohort.simulate import simulate_cohort
    except ImportError:
        return _private_cohort(n, seed), "bench_cohort (private stand-in)"
    return (
        simulate_cohort(n=n, seed=seed, truth=truth, keep_daily=False),
        "bayes_walk.cohort.simulate",
    )


def _true_volume(x: np.ndarray) -> np.ndarray:
    # Falls about 25% from 40 to ~100 min/day and is flat after: the paper's shape.
    g = -0.30 * (1.0 - np.exp(-np.clip(x - 40.0, 0.0, None) / 22.0))
    return g - (-0.30 * (1.0 - np.exp(-(78.0 - 40.0) / 22.0)))


def _true_mets(x: np.ndarray) -> np.ndarray:
    return -0.125 * np.tanh((x - 3.0) / 0.15)


def _private_cohort(n: int, seed: int) -> xr.Dataset:
    from bayes_walk.cohort.schema import paper_levels, set_categorical

    rng = np.random.default_rng(seed)
    levels = paper_levels()
    age = np.clip(rng.normal(55.3, 15.1, n), 20, 95)
    female = rng.random(n) < 0.586

    def draw(name: str, probs: list[float]) -> np.ndarray:
        return rng.choice(len(levels[name]), size=n, p=np.asarray(probs) / np.sum(probs))

    education = draw("education", [0.15, 0.10, 0.22, 0.13, 0.20, 0.20])
    income = draw("income", [0.12, 0.20, 0.30, 0.20, 0.18])
    employment = (rng.random(n) < 0.25 + 0.5 * (age > 67)).astype(int)
    smoking = draw("smoking", [0.50, 0.35, 0.15])
    depression = (rng.random(n) < 0.12).astype(int)
    n_mun = 40
    mun_w = rng.dirichlet(np.full(n_mun, 2.0))
    municipality = rng.choice(n_mun, size=n, p=mun_w)
    mun_eff = rng.normal(0.0, 0.12, n_mun)

    # Quartiles of the paper: volume 78/100/124 min, intensity 3.00/3.11/3.26 MET.
    z = rng.normal(size=n)
    walking_min = np.exp(np.log(100.0) + 0.34 * z - 0.002 * (age - 55))
    walking_mets = 3.11 + 0.19 * (0.3 * z + np.sqrt(1 - 0.09) * rng.normal(size=n))
    walking_mets -= 0.004 * (age - 55)

    eta = (
        np.log(0.16)
        + 0.006 * (age - 55)
        - 0.15 * (~female)
        - 0.05 * education / 5
        - 0.08 * income / 4
        + 0.10 * employment
        + 0.10 * (smoking == 2)
        + 0.35 * depression
        + mun_eff[municipality]
        + _true_volume(walking_min)
        + _true_mets(walking_mets)
    )
    clbp = (rng.random(n) < np.minimum(np.exp(eta), 0.95)).astype(np.int8)
    ids = [f"P{i:07d}" for i in range(n)]
    ds = xr.Dataset(
        {
            "walking_min": ("participant", walking_min),
            "walking_mets": ("participant", walking_mets),
            "valid_days": ("participant", rng.integers(4, 8, n).astype(np.int16)),
            "clbp": ("participant", clbp),
            "age": ("participant", age),
        },
        coords={"participant": ids},
    )
    ds = set_categorical(ds, "sex", np.where(female, "female", "male"), levels["sex"])
    for name, codes in [
        ("education", education),
        ("income", income),
        ("employment", employment),
        ("smoking", smoking),
        ("depression", depression),
    ]:
        ds = set_categorical(ds, name, np.asarray(levels[name])[codes], levels[name])
    mun_levels = [f"M{k:02d}" for k in range(n_mun)]
    ds = set_categorical(ds, "municipality", np.asarray(mun_levels)[municipality], mun_levels)
    ds.attrs.update(
        source="bench_cohort private stand-in",
        truth="paper",
        inclusion_flow=json.dumps([["simulated", n]]),
    )
    return ds


def save(ds: xr.Dataset, path: str) -> None:
    """Write the cohort NetCDF (the project's store when present, so others read it too)."""
    try:
        from bayes_walk.cohort.store import save_cohort
    except ImportError:
        from bayes_walk.atomic import write_atomic

        write_atomic(path, lambda p: ds.to_netcdf(p, engine="h5netcdf"))
        return
    save_cohort(ds, path)
