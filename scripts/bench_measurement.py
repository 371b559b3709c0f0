"""Wall time of the ``gp`` fit with and without ``measurement = "days"`` on walking volume.

Both fits run on the same simulated cohort (``exposure_on="habit"``) with the same
settings, one after the other in this process; the output records wall time, leapfrog
steps (gradient evaluations) and the load average, since on a shared machine the wall
time alone is not comparable between runs. The issue's target: the measurement-error fit
within 3x the default ``gp`` wall time at n = 11,194.

The days model is the shipped ``gp_habit`` spec as it stands (``--days-fit gp_habit``, its
own sampler settings), the log-binomial one built from ``gp`` (``days_bern``, ``gp``'s
sampler settings) or the Poisson one (``days_cov``); all with the habit's predictors. Several,
comma-separated, are timed in the same rounds (each against the same ``gp`` fit).

Usage: python scripts/bench_measurement.py [--n 11194] [--chains 1] [--draws 300]
       [--tune 300] [--days-fit days_bern[,gp_habit]] [--out reports/measurement_error/bench.json]
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np

from bayes_walk.atomic import write_text_atomic
from bayes_walk.cohort.simulate import simulate_cohort
from bayes_walk.spec.model_spec import load_spec


def main() -> None:
    from measurement_error_study import specs

    import bayes_walk as bw

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=11194)
    ap.add_argument("--chains", type=int, default=1)
    ap.add_argument("--draws", type=int, default=300)
    ap.add_argument("--tune", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--rounds", type=int, default=1, help="rounds, alternating the order")
    ap.add_argument(
        "--days-fit",
        default="days_bern",
        help="the days model(s), comma-separated: gp_habit (the shipped spec), days_bern "
        "(log-binomial, gp's sampler settings), days_cov (Poisson)",
    )
    ap.add_argument("--out")
    a = ap.parse_args()
    built = specs()
    candidates = {"days_cov": built["days_cov"], "days_bern": built["days_bern"]}
    candidates["gp_habit"] = load_spec("gp_habit")
    names = a.days_fit.split(",")
    unknown = sorted(set(names) - set(candidates))
    if unknown:
        ap.error(f"--days-fit: unknown {', '.join(unknown)}; choose from {', '.join(candidates)}")
    cohort = simulate_cohort(n=a.n, seed=a.seed, exposure_on="habit")
    out = {"settings": vars(a), "cpus": os.cpu_count(), "fits": {}}
    # the days model(s) (the habit's predictors on), against the default `gp`
    order = [("naive", built["naive"])] + [(k, candidates[k]) for k in names]
    runs: dict[str, list[dict]] = {k: [] for k, _ in order}
    for r in range(a.rounds):
        for kind, spec in order if r % 2 == 0 else order[::-1]:
            runs[kind].append(one(bw, spec, cohort, a))
            print(kind, runs[kind][-1], flush=True)
    out["fits"] = {k: v[0] for k, v in runs.items()}
    out["runs"] = runs
    out["ratios"] = {k: ratios(runs["naive"], runs[k]) for k in names}
    text = json.dumps(out, indent=2)
    print(text)
    if a.out:
        write_text_atomic(a.out, text + "\n")


def ratios(naive: list[dict], days: list[dict]) -> dict:
    """Wall-time ratios days / naive per round and their median; the same for the lowest
    bulk ESS per second (naive / days: how many times more a days fit's ESS costs).

    The first fit of each model in the process also compiles what later fits reuse
    (numba kernels, PyTensor's cache), and the first round runs naive first: its ratio
    is not comparable with the others', so the median over rounds is the headline.
    """
    per_round = [d["wall_s"] / n["wall_s"] for n, d in zip(naive, days, strict=True)]
    ess = [n["ess_per_s"] / d["ess_per_s"] for n, d in zip(naive, days, strict=True)]
    return {
        "wall_ratio_per_round": per_round,
        "wall_ratio_median": float(np.median(per_round)),
        "ess_per_s_ratio_per_round": ess,
        "ess_per_s_ratio_median": float(np.median(ess)),
    }


def one(bw, spec, cohort, a) -> dict:
    """Fit once; wall time, the fit's own split, steps per draw, load, diagnostics."""
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    fit = bw.fit(spec, cohort, chains=a.chains, draws=a.draws, tune=a.tune, seed=a.seed)
    wall = time.perf_counter() - t0
    ss = fit.idata.sample_stats
    steps = int(ss["n_steps"].sum()) if "n_steps" in ss else None
    diag = json.loads(fit.idata.attrs["diagnostics"])
    return {
        "wall_s": wall,
        # fit's own split: compile + NUTS, then the pointwise log-likelihood
        **{k: diag.get(k) for k in ("seconds_sampling", "seconds_log_likelihood")},
        "leapfrog_steps_in_draws": steps,
        "steps_per_draw": steps / (a.chains * a.draws) if steps else None,
        "load_before": load0,
        "load_after": os.getloadavg()[0],
        "divergences": int(np.asarray(ss["diverging"]).sum()),
        "min_ess_bulk": diag.get("min_ess_bulk"),
        "ess_per_s": diag.get("min_ess_bulk") / wall,
        "max_rhat": diag.get("max_rhat"),
        "target_accept": float(spec.sampler.target_accept),
        "step_size": float(np.mean(ss["step_size"])) if "step_size" in ss else None,
    }


if __name__ == "__main__":
    main()
