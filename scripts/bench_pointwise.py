"""Time the pointwise log-likelihood and ``mu`` of the default ``gp`` model.

Builds the plain (and with ``--fused`` the fused) strategy of the shipped ``gp`` spec on
a simulated cohort, makes a fake posterior (chains x draws around the initial point) and
times ``pointwise_function(built)(posterior, mu_step)``: the first call (with compilation)
and a second one. Figures go to docs/performance.md.

Usage: python scripts/bench_pointwise.py [--n 11194] [--draws 1000] [--chains 4] [--fused]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np


def fake_posterior(built, chains: int, draws: int, seed: int = 0):
    import xarray as xr

    rng = np.random.default_rng(seed)
    ip = built.model.initial_point()
    dims = built.model.named_vars_to_dims
    out = {}
    for rv in built.model.free_RVs:
        value = built.model.rvs_to_values[rv]
        v = np.asarray(ip[value.name])
        # untransformed scale: evaluate the value-to-variable map only roughly: a small
        # jitter around a plausible value is enough for timing
        base = np.abs(v) + 0.1 if value.name != rv.name else v
        arr = base + rng.normal(0, 0.05, (chains, draws, *v.shape))
        d = ("chain", "draw", *dims.get(rv.name, ()))
        coords = {k: built.coords[k] for k in d[2:]}
        out[rv.name] = xr.DataArray(arr, dims=d, coords=coords)
    ds = xr.Dataset(out)
    return ds.assign_coords(chain=np.arange(chains), draw=np.arange(draws))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=11_194)
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--chains", type=int, default=4)
    ap.add_argument("--mu-step", type=int, default=8)
    ap.add_argument("--fused", action="store_true", help="also time the fused strategy")
    args = ap.parse_args()
    from bayes_walk.cohort.simulate import simulate_cohort
    from bayes_walk.inference.pointwise import pointwise_function
    from bayes_walk.model.builder import build_model
    from bayes_walk.spec.model_spec import load_spec

    cohort = simulate_cohort(n=args.n, seed=0, keep_daily=False)
    spec = load_spec("gp")
    out: dict = {"n": args.n, "draws": args.chains * args.draws}
    for label, fused in (("plain", False), ("fused", True)):
        if fused and not args.fused:
            continue
        built = build_model(spec, cohort, fused=fused)
        post = fake_posterior(built, args.chains, args.draws)
        t0 = time.perf_counter()
        fn = pointwise_function(built)
        ll, mu = fn(post, mu_step=args.mu_step)
        t1 = time.perf_counter()
        ll, mu = fn(post, mu_step=args.mu_step)
        t2 = time.perf_counter()
        out[label] = {
            "first_call_s": round(t1 - t0, 2),
            "second_call_s": round(t2 - t1, 2),
            "finite": float(np.isfinite(ll).mean()),
        }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
