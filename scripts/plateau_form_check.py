"""Recovery check of the ``plateau`` form: does the onset posterior cover the truth, cleanly?

For each seed: simulate a cohort with truth ``plateau:<onset>``, fit the shipped
``plateau`` spec (nutpie, short chains unless told otherwise) and print one JSON line:
divergences, max R-hat, min bulk ESS, the 90% and 95% intervals of
``tau_walking_min``, whether they cover the true onset, and the wall time.

Usage::

    python scripts/plateau_form_check.py --seeds 1 2 3 --n 4000 --chains 2 --draws 500
    python scripts/plateau_form_check.py --seeds 0 --n 11194 --chains 4 --draws 1000
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np


def check(seed: int, n: int, onset: float, chains: int, draws: int, tune: int) -> dict:
    """Fit the plateau spec to one simulated cohort and summarise the onset recovery."""
    from bayes_walk.cohort.simulate import simulate_cohort
    from bayes_walk.inference.fit import fit
    from bayes_walk.spec.model_spec import load_spec

    cohort = simulate_cohort(n=n, seed=seed, truth=f"plateau:{onset:g}", keep_daily=False)
    t0 = time.perf_counter()
    idata = fit(
        load_spec("plateau"),
        cohort,
        chains=chains,
        draws=draws,
        tune=tune,
        seed=seed,
        progress=False,
        posterior_predictive=False,
    )
    wall = time.perf_counter() - t0
    diag = idata.attrs.get("diagnostics", {})
    if isinstance(diag, str):
        diag = json.loads(diag)
    tau = idata.posterior["tau_walking_min"].values.ravel()
    q = np.quantile(tau, [0.025, 0.05, 0.5, 0.95, 0.975])
    div = idata.sample_stats["diverging"].values.astype(bool)
    where = {}
    for name in ("tau_walking_min", "width_walking_min", "delta_walking_min", "sd_municipality"):
        if name in idata.posterior and div.any():
            v = idata.posterior[name].values
            # the posterior percentile of each divergent draw: clustering in a tail points
            # at the parameter whose geometry the sampler struggles with
            where[name] = [round(float(np.mean(v <= x)), 3) for x in v[div]]
    return {
        "seed": seed,
        "n": n,
        "truth_onset": onset,
        "chains": chains,
        "draws": draws,
        "tune": tune,
        "divergences": diag.get("divergences"),
        "max_rhat": diag.get("max_rhat"),
        "worst_rhat_var": diag.get("worst_rhat_var"),
        "min_ess_bulk": diag.get("min_ess_bulk"),
        "tau_median": round(float(q[2]), 1),
        "tau_90": [round(float(q[1]), 1), round(float(q[3]), 1)],
        "tau_95": [round(float(q[0]), 1), round(float(q[4]), 1)],
        "covered_90": bool(q[1] <= onset <= q[3]),
        "covered_95": bool(q[0] <= onset <= q[4]),
        # what the plateau answer reports for changepoint-like fits: P(|tau - onset| <= 10)
        "p_tau_within_10": round(float(np.mean(np.abs(tau - onset) <= 10.0)), 3),
        "divergent_draw_percentiles": where,
        "wall_s": round(wall, 1),
        "load_1min": round(os.getloadavg()[0], 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--n", type=int, default=4000)
    ap.add_argument("--onset", type=float, default=100.0)
    ap.add_argument("--chains", type=int, default=2)
    ap.add_argument("--draws", type=int, default=500)
    ap.add_argument("--tune", type=int, default=500)
    args = ap.parse_args(argv)
    for seed in args.seeds:
        row = check(seed, args.n, args.onset, args.chains, args.draws, args.tune)
        print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
