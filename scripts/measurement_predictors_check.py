"""Which regressors the habit's population needs: regression calibration by predictor set.

For cohorts simulated with a linear truth on the habitual volume
(``exposure_on = "habit_volume"``), fit Poisson GLMs (statsmodels) of the outcome on a
volume variable, the observed intensity, the adjustment covariates and municipality, with
the volume variable being: the observed mean (``observed``), the true habit (``true``), or
the calibrated habit ``E[H | days]`` under a log-normal population whose median depends on
nothing (``rc_none``), the adjustment covariates (``rc_covariates``), the observed intensity
(``rc_intensity``) or both (``rc_both``). The day SD is the simulator's. Reports RR(150 vs
78 min/day) per cohort and on average, and the R^2 of the day means on the predictors.

Usage: python scripts/measurement_predictors_check.py [--seeds 200-204] [--out FILE]
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import pandas as pd

from bayes_walk.atomic import write_text_atomic
from bayes_walk.cohort.sim_population import DAILY_VOLUME_SD
from bayes_walk.cohort.simulate import simulate_cohort
from bayes_walk.cohort.truth import LINEAR_VOLUME_SLOPE
from bayes_walk.model.measurement import daily_statistics

COVARIATES = ["sex", "education", "income", "employment", "smoking", "depression"]


def calibrated(k, ybar, ok, Z):
    """``E[H | days]`` (min/day) under ``log H ~ Normal(a + Z b, s)`` fitted by moments."""
    import statsmodels.api as sm

    A = sm.add_constant(Z[ok]) if Z is not None else np.ones((ok.sum(), 1))
    fit = sm.OLS(ybar[ok], A).fit()
    a = fit.fittedvalues
    sb2 = np.mean((ybar[ok] - a) ** 2 - DAILY_VOLUME_SD**2 / k[ok])
    prec = 1 / sb2 + k[ok] / DAILY_VOLUME_SD**2
    m = (a / sb2 + k[ok] * ybar[ok] / DAILY_VOLUME_SD**2) / prec
    out = np.full(k.size, np.nan)
    out[ok] = np.exp(m + 0.5 / prec + DAILY_VOLUME_SD**2 / 2)
    return out, float(fit.rsquared)


def one_cohort(seed: int, n: int) -> dict:
    import statsmodels.api as sm

    c = simulate_cohort(n=n, seed=seed, truth="linear", exposure_on="habit_volume")
    st = daily_statistics(c, "walking_min")
    k, ybar = st["k"].astype(float), st["mean_log"]
    ok = k > 0
    df = pd.DataFrame({v: c[v].values for v in ["clbp", "age", *COVARIATES, "municipality"]})
    cov = pd.get_dummies(df[COVARIATES].astype(str), drop_first=True).astype(float)
    cov["age"] = df["age"]
    mets = c["walking_mets"].values
    muni = pd.get_dummies(df["municipality"].astype(str), drop_first=True).astype(float)
    both = cov.assign(mets=mets).values
    volume = {"observed": c["walking_min"].values, "true": c["true_habitual_walking_min"].values}
    r2 = {}
    for name, Z in (
        ("rc_none", None),
        ("rc_covariates", cov.values),
        ("rc_intensity", mets[:, None]),
        ("rc_both", both),
    ):
        volume[name], r2[name] = calibrated(k, ybar, ok, Z)
    rr = {}
    for name, x in volume.items():
        X = sm.add_constant(pd.concat([cov.assign(mets=mets), muni], axis=1).assign(x=x)[ok])
        b = sm.GLM(df["clbp"][ok], X, family=sm.families.Poisson()).fit().params["x"]
        rr[name] = float(np.exp(b * (150.0 - 78.0)))
    return {"seed": seed, "rr_150_vs_78": rr, "r2_day_means_on_predictors": r2}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="200-204")
    ap.add_argument("--n", type=int, default=11194)
    ap.add_argument("--out")
    args = ap.parse_args()
    lo, _, hi = args.seeds.partition("-")
    cohorts = [one_cohort(s, args.n) for s in range(int(lo), int(hi or lo) + 1)]
    keys = cohorts[0]["rr_150_vs_78"]
    out = {
        "script": "scripts/measurement_predictors_check.py",
        "n": args.n,
        "true_rr_150_vs_78": float(np.exp(-LINEAR_VOLUME_SLOPE * (150.0 - 78.0))),
        "mean_rr_150_vs_78": {
            k: float(np.mean([c["rr_150_vs_78"][k] for c in cohorts])) for k in keys
        },
        "cohorts": cohorts,
    }
    text = json.dumps(out, indent=1) + "\n"
    if args.out:
        write_text_atomic(args.out, text)
    print(text)


if __name__ == "__main__":
    main()
