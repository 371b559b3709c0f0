"""How much dilution the measurement-error model's log-normal population model leaves.

Regression calibration recovers a slope exactly when each participant's habit is
replaced by its conditional mean given the days, ``E[X | days]``; then the slope of the
true habit X on that mean is 1. The model computes the conditional mean under a log-normal
population of habits, while the simulator draws square-root-normal habits. This script
simulates cohorts (``exposure_on = "habit_volume"``), sets the model's parameters to their
moment estimates (what the posterior settles on at large n), and prints
``lambda = cov(X, Xhat) / var(Xhat)`` for the model's conditional mean and for the
observed mean (the naive model's exposure). A lambda below 1 is the share of a linear
effect the calibration keeps. ``lambda_log_normal`` is the log-normal population the model
had first; ``lambda_box_cox`` the Box-Cox population it has now
(``model/habit_population.py``), its location, SD and shape set to their maximum-likelihood
values from the day means (the marginal over the habit on a grid), and ``E[X | days]``
computed on the same grid.

Usage: python scripts/measurement_population_check.py [--n 30000] [--cohorts 5]
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from bayes_walk.cohort.simulate import simulate_cohort
from bayes_walk.model import habit_population as population
from bayes_walk.model.measurement import conditional, daily_statistics

GRID = np.linspace(0.5, 7.0, 800)  # log habit (1.6 to 1,100 min/day)


def box_cox_mean(k, ybar, sw2) -> tuple[np.ndarray, float]:
    """``E[habit | days]`` under the ML Box-Cox population, and the ML shape ``kappa``."""
    from scipy import optimize, stats

    like = stats.norm.pdf(ybar[:, None], GRID[None, :], np.sqrt(sw2 / k)[:, None])

    def prior(v):
        a, sd, kappa = v[0], np.exp(v[1]), v[2]
        lam = population.exponent(kappa, sd)
        logp = stats.norm.logpdf(GRID, a, sd) + population.log_correction(np, GRID, a, sd, lam)
        return np.exp(logp)

    def nll(v):
        if abs(v[2]) >= 0.6:
            return np.inf
        return -np.log(like @ prior(v) + 1e-300).sum()

    start = [float(ybar.mean()), np.log(ybar.std()), 0.0]
    v = optimize.minimize(nll, start, method="Nelder-Mead", options={"xatol": 1e-4}).x
    post = like * prior(v)
    mean = (post @ np.exp(GRID + sw2 / 2)) / post.sum(axis=1)
    return mean, float(v[2])


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
    box_cox, kappa = box_cox_mean(k, ybar, sw2)

    def lam(xhat: np.ndarray) -> float:
        return float(np.cov(x, xhat)[0, 1] / np.var(xhat, ddof=1))

    return {
        "seed": seed,
        "day_sd": float(np.sqrt(sw2)),
        "habit_sd": float(np.sqrt(sb2)),
        "lambda_log_normal": lam(model),
        "lambda_box_cox": lam(box_cox),
        "kappa_box_cox": kappa,
        "lambda_observed_mean": lam(observed),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=30_000)
    ap.add_argument("--cohorts", type=int, default=5)
    a = ap.parse_args()
    rows = [factors(s, a.n) for s in range(a.cohorts)]
    mean = {
        k: float(np.mean([r[k] for r in rows]))
        for k in ("lambda_log_normal", "lambda_box_cox", "lambda_observed_mean")
    }
    print(json.dumps({"n": a.n, "cohorts": rows, "mean": mean}, indent=1))


if __name__ == "__main__":
    main()
