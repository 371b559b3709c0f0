"""Cost per effective draw of two sampler set-ups of the log-binomial days model (issue 16).

On each linear-truth cohort (n = 11,194, outcome on the habitual volume), fit the days
model as shipped (non-centred HSGP weights, ``target_accept`` 0.85) and with every HSGP
curve ``parametrisation = "informed"`` at ``target_accept`` 0.65, one after the other in
this process, and record per fit: wall time, leapfrog steps per draw, divergences, worst
R-hat, the lowest bulk ESS (and its variable) and the bulk ESS of the estimands, log
RR(x vs 78 min/day) at x = 100, 125, 150. Wall time at equal draws is what issue 16's
speed target counts; ESS per second of the estimands is what a statistician pays.

Usage: python scripts/measurement_ess_check.py --seeds 200,201,202 --out FILE.json
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

AT = (100.0, 125.0, 150.0)


def setups():
    """(label, spec, target_accept) of the two set-ups compared."""
    from measurement_error_study import specs, with_parametrisation

    days = specs()["days_bern"]
    return (
        ("noncentred_085", days, 0.85),
        ("informed_065", with_parametrisation(days, "informed"), 0.65),
    )


def estimand_ess(idata) -> dict[str, float]:
    """Bulk ESS of ``logrr_walking_min`` at the grid points nearest ``AT``."""
    import arviz as az

    lr = idata.posterior["logrr_walking_min"]
    grid = lr["walking_min_grid"].values
    out = {}
    for x in AT:
        j = int(np.argmin(np.abs(grid - x)))
        draws = az.convert_to_dataset(lr.isel(walking_min_grid=j).values)
        out[f"{x:g}"] = float(az.ess(draws, method="bulk")["x"])
    return out


def main() -> None:
    import bayes_walk as bw
    from bayes_walk.atomic import write_text_atomic
    from bayes_walk.cohort.simulate import simulate_cohort

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="200,201,202")
    ap.add_argument("--chains", type=int, default=4)
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--tune", type=int, default=800)
    ap.add_argument("--out")
    a = ap.parse_args()
    try:
        seeds = [int(s) for s in a.seeds.split(",")]
    except ValueError:
        ap.error(f"--seeds must be comma-separated integers, got {a.seeds!r}")
    rows = []
    for seed in seeds:
        cohort = simulate_cohort(n=11194, seed=seed, truth="linear", exposure_on="habit_volume")
        for label, spec, ta in setups():
            t0 = time.perf_counter()
            fit = bw.fit(
                spec,
                cohort,
                chains=a.chains,
                draws=a.draws,
                tune=a.tune,
                seed=seed,
                target_accept=ta,
                progress=False,
            )
            wall = time.perf_counter() - t0
            d = fit.diagnostics
            row = {
                "seed": seed,
                "fit": label,
                "wall": wall,
                "steps": float(fit.idata.sample_stats["n_steps"].mean()),
                "div": d["divergences"],
                "rhat": d["max_rhat"],
                "min_ess": d["min_ess_bulk"],
                "min_ess_var": d.get("min_ess_bulk_var"),
                "ess_rr": estimand_ess(fit.idata),
            }
            print(json.dumps(row), flush=True)
            rows.append(row)
    text = json.dumps({"settings": vars(a) | {"out": None}, "fits": rows}, indent=1)
    if a.out:
        write_text_atomic(a.out, text + "\n")


if __name__ == "__main__":
    main()
