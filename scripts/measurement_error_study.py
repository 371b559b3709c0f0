"""Recovery study of the measurement-error model (issue 16).

For each replicate cohort simulated with the outcome acting on the habitual exposures
(``simulate_cohort(..., exposure_on="habit")``), fit the default ``gp`` spec (the curve on
the observed mean of the valid days) and the same spec with ``measurement = "days"`` on
walking volume (the curve on the latent habit), and compare RR(x vs 78 min/day) at
x = 100, 125, 150 with the truth (``--exposure walking_mets``: the option on intensity
instead, RR(x vs 3.0 MET) at x = 3.25, 3.5): posterior median, 90% interval, coverage, attenuation.
Also records the within-person SD (``day_sd_walking_min``) against the simulator's, the
population's Box-Cox shape (``habit_shape_walking_min``; the simulator's habits are
square-root normal, shape 0.5), and each fit's wall time and diagnostics. ``--fits oracle``
adds the base spec fitted on the true habits (what the curve prior gives without any
measurement error: the bound for the days model).

Writes ``OUT/results.csv`` (one row per replicate, fit and x), ``OUT/summary.json`` and
``OUT/README.md``. The issue's full study is ``--replicates 10 --n 11194`` with 4 chains of
1000 + 1000; ``--exposure-on observed`` runs the "does no harm" check.

Usage: python scripts/measurement_error_study.py --out reports/measurement_error/run
       [--replicates 3] [--n 3000] [--chains 2] [--draws 400] [--tune 400] [--seed0 100]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bayes_walk.atomic import write_text_atomic
from bayes_walk.cohort.sim_population import DAILY_VOLUME_SD
from bayes_walk.cohort.simulate import simulate_cohort
from bayes_walk.spec.model_spec import load_spec, spec_from_dict

# where each exposure's RR is read, and its reference (the gp spec's): volume at the
# paper's contrasts; intensity at about the simulated p75 and p95 (3.25, 3.5 MET)
AT = {"walking_min": (100.0, 125.0, 150.0), "walking_mets": (3.25, 3.5)}
REFERENCE = {"walking_min": 78.0, "walking_mets": 3.0}
PROB = 0.90
DERIVED = ("covered", "error", "log_ratio")  # recomputed from the stored columns


def specs(base: str = "gp", exposure: str = "walking_min"):
    """The naive spec, the same with ``measurement = "days"`` on ``exposure`` and a habit
    population without predictors (``days``: ``habit_covariates = false``, the model of
    the first studies), with them (``days_cov``), and with them and the log-binomial
    likelihood instead of the Poisson working model (``days_bern``); the naive spec with the
    log-binomial likelihood (``naive_bern``, also the ``oracle_bern`` fit on the true habits);
    and ``days_bern`` with both exposures latent (``days_both_bern``)."""
    naive = load_spec(base)
    d = naive.to_dict()
    d["name"] = f"{base}_days"
    d["exposures"][exposure]["measurement"] = "days"
    d["exposures"][exposure]["habit_covariates"] = False
    days = spec_from_dict(d)
    d["exposures"][exposure]["habit_covariates"] = True
    days_cov = spec_from_dict(d)
    d["likelihood"] = "bernoulli_log"
    days_bern = spec_from_dict(d)
    for other in d["exposures"]:
        d["exposures"][other]["measurement"] = "days"
        d["exposures"][other]["habit_covariates"] = True
    d["name"] = f"{base}_days_both"
    days_both = spec_from_dict(d)
    nb = naive.to_dict()
    nb["likelihood"] = "bernoulli_log"
    naive_bern = spec_from_dict(nb)
    return {
        "naive": naive,
        "days": days,
        "days_cov": days_cov,
        "days_bern": days_bern,
        "days_both_bern": days_both,
        "naive_bern": naive_bern,
        "oracle": naive,
        "oracle_bern": naive_bern,
    }


def with_parametrisation(spec, parametrisation: str):
    """``spec`` with every HSGP curve's ``parametrisation`` set (``informed``,
    ``noncentred`` or ``auto``)."""
    d = spec.to_dict()
    for e in d["exposures"].values():
        if e.get("form") == "hsgp":
            e["parametrisation"] = parametrisation
    return spec_from_dict(d)


def oracle_cohort(cohort):
    """The cohort with each exposure the outcome acts on replaced by its true habitual value
    (the simulator's latent): a fit on it is what the curve prior gives with no measurement
    error at all."""
    on = cohort.attrs.get("exposure_on", "observed")
    keys = {
        "habit": ("walking_min", "walking_mets"),
        "habit_volume": ("walking_min",),
        "habit_intensity": ("walking_mets",),
    }[on]
    swap = {k: cohort[f"true_habitual_{k}"] for k in keys}
    return cohort.assign({k: v.assign_attrs(cohort[k].attrs) for k, v in swap.items()})


def with_derived(df: pd.DataFrame) -> pd.DataFrame:
    """Add ``covered`` (90% interval holds the truth), ``error`` (median - truth) and
    ``log_ratio``: the share of the true log RR the median recovers (1 = none lost)."""
    df = df.copy()
    df["covered"] = (df["rr_lo90"] <= df["true_rr"]) & (df["true_rr"] <= df["rr_hi90"])
    df["error"] = df["rr_median"] - df["true_rr"]
    df["log_ratio"] = np.log(df["rr_median"]) / np.log(df["true_rr"])
    return df


def true_logrr(cohort, exposure: str) -> np.ndarray:
    """The simulated truth's log RR of ``exposure`` at ``AT`` versus ``REFERENCE``."""
    t = cohort[f"true_logrr_{exposure}"]
    g = t[f"truth_{exposure}"].values
    f = np.interp(np.asarray(AT[exposure], dtype=float), g, t.values)
    return f - np.interp(REFERENCE[exposure], g, t.values)


def one_fit(spec, cohort, args, seed: int) -> tuple[list[dict], dict]:
    import bayes_walk as bw

    t0 = time.perf_counter()
    extra = {"sampler_kwargs": {"maxdepth": args.maxdepth}} if args.maxdepth else {}
    if args.target_accept is not None:
        extra["target_accept"] = args.target_accept
    fit = bw.fit(
        spec, cohort, chains=args.chains, draws=args.draws, tune=args.tune, seed=seed, **extra
    )
    wall = time.perf_counter() - t0
    e = args.exposure
    tab = fit.rr(e, at=list(AT[e]), reference=REFERENCE[e], prob=PROB)
    diag = fit.diagnostics
    info = {"wall_s": wall, **{k: diag.get(k) for k in ("divergences", "max_rhat", "min_ess_bulk")}}
    ta = args.target_accept if args.target_accept is not None else spec.sampler.target_accept
    info.update(target_accept=float(ta))
    stats = fit.idata.sample_stats
    if "n_steps" in stats:  # nutpie: leapfrog steps per draw, and the adapted step size
        info.update(steps_per_draw=float(stats["n_steps"].mean()))
    if "step_size" in stats:
        info.update(step_size=float(stats["step_size"].mean()))
    post = fit.idata.posterior
    if f"day_sd_{e}" in post:
        q = np.quantile(post[f"day_sd_{e}"].values, [0.05, 0.5, 0.95])
        info.update(day_sd_median=q[1], day_sd_lo=q[0], day_sd_hi=q[2])
    if f"habit_shape_{e}" in post:
        q = np.quantile(post[f"habit_shape_{e}"].values, [0.05, 0.5, 0.95])
        info.update(shape_median=q[1], shape_lo=q[0], shape_hi=q[2])
    return tab.to_dict("records"), info


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--replicates", type=int, default=3)
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--chains", type=int, default=2)
    ap.add_argument("--draws", type=int, default=400)
    ap.add_argument("--tune", type=int, default=400)
    ap.add_argument("--seed0", type=int, default=100)
    ap.add_argument("--truth", default="paper")
    ap.add_argument(
        "--exposure-on",
        default="habit",
        choices=("habit", "habit_volume", "habit_intensity", "observed"),
    )
    ap.add_argument("--base", default="gp", help="spec whose exposure term gets the option")
    ap.add_argument(
        "--exposure",
        default="walking_min",
        choices=tuple(AT),
        help="the exposure that gets measurement = 'days' and whose RR is compared",
    )
    ap.add_argument(
        "--maxdepth",
        type=int,
        default=None,
        help="nutpie's maximum tree depth for every fit (at most 2**maxdepth gradients per "
        "draw; nutpie's default 10 when not given)",
    )
    ap.add_argument(
        "--target-accept",
        type=float,
        default=None,
        help="the step-size adaptation's target acceptance for every fit (default: each "
        "spec's own, 0.85 for the shipped gp-based specs)",
    )
    ap.add_argument(
        "--parametrisation",
        choices=("informed", "noncentred", "auto"),
        default=None,
        help="every HSGP curve's basis-weight parametrisation for every fit (default: each "
        "spec's own)",
    )
    ap.add_argument(
        "--fits",
        default="naive,days",
        help="fits per replicate: naive, days, days_cov (days with habit_covariates), "
        "days_bern (days_cov with likelihood = 'bernoulli_log'), "
        "days_both_bern (days_bern with both exposures latent), naive_bern (the base spec "
        "with likelihood = 'bernoulli_log'), oracle (the base spec on the true habits), "
        "oracle_bern (naive_bern on the true habits)",
    )
    args = ap.parse_args()
    if args.target_accept is not None and not 0 < args.target_accept < 1:
        ap.error(f"--target-accept must lie in (0, 1), got {args.target_accept}")
    kinds = args.fits.split(",")
    known = tuple(specs(args.base, args.exposure))
    unknown = sorted(set(kinds) - set(known))
    if unknown:
        ap.error(f"--fits: unknown fit(s) {', '.join(unknown)}; choose from {', '.join(known)}")
    oracles = sorted(k for k in kinds if k.startswith("oracle"))
    if oracles and args.exposure_on == "observed":
        ap.error(
            f"--fits {','.join(oracles)} needs --exposure-on habit, habit_volume or habit_intensity "
            "(when the outcome acts on the observed means, the naive fit is the oracle)"
        )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    # resume: replicates and fits already in OUT/results.csv are kept, not refitted
    done_csv = out / "results.csv"
    rows = pd.read_csv(done_csv).to_dict("records") if done_csv.exists() else []
    done = {(int(r["replicate"]), r["fit"]) for r in rows}
    fits = specs(args.base, args.exposure)
    if args.parametrisation:
        fits = {k: with_parametrisation(v, args.parametrisation) for k, v in fits.items()}
    for r in range(args.replicates):
        seed = args.seed0 + r
        if all((r, kind) in done for kind in kinds):
            continue
        cohort = simulate_cohort(
            n=args.n, seed=seed, truth=args.truth, exposure_on=args.exposure_on
        )
        truth = true_logrr(cohort, args.exposure)
        for kind in kinds:
            if (r, kind) in done:
                continue
            data = oracle_cohort(cohort) if kind.startswith("oracle") else cohort
            recs, info = one_fit(fits[kind], data, args, seed)
            for rec, tl in zip(recs, truth, strict=True):
                rows.append(
                    {
                        "replicate": r,
                        "seed": seed,
                        "fit": kind,
                        "exposure": args.exposure,
                        "x": rec["x"],
                        "true_rr": float(np.exp(tl)),
                        "rr_median": rec["rr_median"],
                        "rr_lo90": rec["rr_lo"],
                        "rr_hi90": rec["rr_hi"],
                        **info,
                    }
                )
            print(f"replicate {r} {kind}: {info}", flush=True)
        df = pd.DataFrame(rows)
        write_text_atomic(out / "results.csv", df.to_csv(index=False))
    df = with_derived(pd.DataFrame(rows).drop(columns=list(DERIVED), errors="ignore"))
    summary = {
        "settings": {k: v for k, v in vars(args).items() if k != "out"},
        "simulator_day_sd": DAILY_VOLUME_SD,
        "by_fit_and_x": [
            {
                "fit": f,
                "x": x,
                "true_rr": float(g["true_rr"].mean()),
                "mean_median": float(g["rr_median"].mean()),
                "mean_error": float(g["error"].mean()),
                "mean_log_ratio": float(g["log_ratio"].mean()),
                "covered": int(g["covered"].sum()),
                "replicates": len(g),
            }
            for (f, x), g in df.groupby(["fit", "x"])
        ],
        "wall_s": df.groupby("fit")["wall_s"].mean().to_dict(),
    }
    write_text_atomic(out / "results.csv", df.to_csv(index=False))
    write_text_atomic(out / "summary.json", json.dumps(summary, indent=2, default=float) + "\n")
    print(json.dumps(summary, indent=2, default=float))


if __name__ == "__main__":
    main()
