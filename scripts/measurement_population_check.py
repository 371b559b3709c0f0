"""How much dilution the measurement-error model's log-normal population model leaves.

Regression calibration recovers a slope exactly when each participant's habit is
replaced by its conditional mean given the days, ``E[X | days]``; then the slope of the
true habit X on that mean is 1. The model computes the conditional mean under a log-normal
population of habits, while the simulator draws square-root-normal habits. This script
simulates cohorts (``exposure_on = "habit_volume"``), sets the model's parameters to their
moment estimates (what the posterior settles on at large n), and prints
``lambda = cov(X, Xhat) / var(Xhat)`` for the model's conditional mean and for the
observed mean (the naive model's exposure). A lambda below 1 is the share of a linear
effect the calibration keeps.

Usage: python scripts/measurement_population_check.py [--n 30000] [--cohorts 5]
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from bayes_walk.cohort.simulate import simulate_cohort
from bayes_walk.model.measurement import conditional, daily_statistics


def factors(seed: int, n: int) -> dict[str, float]:
    c = simulate_cohort(n=n, seed=seed, exposure_on="habit_volume")
    st = daily_statistics(c, "walking_min")
    has = st["k"] > 0
    x = np.asarray(c["true_habitual_walking_min"].values)[has]
    observed = np.asarray(c["walking_min"].values)[has]
    k, ybar, ss = st["k"][has].astype(float), st["mean_log"][has], st["ss"][has]
    sw2 = ss.sum() / np.maximum(k - 1, 0).sum()
    sb2 = ybar.var() - np.mean(sw2 / k)
    m, prec = conditional(ybar.mean(), np.sqrt(sb2), np.sqrt(sw2), k, ybar)
    model = np.exp(m + 0.5 / prec + sw2 / 2)  # E[habit | days] under the log-normal model

    def lam(xhat: np.ndarray) -> float:
        return float(np.cov(x, xhat)[0, 1] / np.var(xhat, ddof=1))

    return {
        "seed": seed,
        "day_sd": float(np.sqrt(sw2)),
        "habit_sd": float(np.sqrt(sb2)),
        "lambda_model": lam(model),
        "lambda_observed_mean": lam(observed),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=30_000)
    ap.add_argument("--cohorts", type=int, default=5)
    a = ap.parse_args()
    rows = [factors(s, a.n) for s in range(a.cohorts)]
    mean = {
        k: float(np.mean([r[k] for r in rows])) for k in ("lambda_model", "lambda_observed_mean")
    }
    print(json.dumps({"n": a.n, "cohorts": rows, "mean": mean}, indent=1))


if __name__ == "__main__":
    main()
