"""Calibrate the simulator to Haddadj et al. 2025 and check the calibration.

Stages (run all by default):

1. ``marginals``: volume and pace constants of ``bayes_walk.cohort.sim_population`` so
   that the measured exposures' quartiles are 78/100/124 min/day and 3.00/3.11/3.26 MET
   (least squares on a 100,000-participant cohort with common random numbers).
2. ``curves``: parameters of the ``paper`` truth so that the paper's two modified-Poisson
   quartile models (other exposure linear, full adjustment set), fitted to the EXPECTED
   outcome of a 400,000-participant cohort (so without Bernoulli noise), give the
   published multi-adjusted RRs. Nelder-Mead on the squared log-RR differences.
3. ``check``: the real analysis (``bayes_walk.checks.frequentist.modified_poisson``) on simulated
   cohorts of 11,194 for seeds 0..K-1; prints mean RRs, cuts and incidence.

The printed constants are then frozen by hand in ``sim_population.py`` / ``truth.py``.

Usage: ``python scripts/calibrate_simulator.py [marginals|curves|check] [--seeds K]``
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.optimize import minimize

from bayes_walk.checks.frequentist import covariate_design, modified_poisson
from bayes_walk.cohort import schema, sim_population, simulate, truth
from bayes_walk.cohort.quartiles import categorize, quartile_cuts

PUBLISHED = {
    "walking_min": np.array([0.87, 0.77, 0.76]),
    "walking_mets": np.array([0.85, 0.82, 0.82]),
}
VOL_CUTS = np.array([78.0, 100.0, 124.0])
INT_CUTS = np.array([3.00, 3.11, 3.26])


def _reset() -> None:
    simulate._reference_population.cache_clear()


def stage_marginals(n: int = 60_000) -> None:
    names = ["VOLUME_SQRT_MEAN", "VOLUME_SQRT_SD", "PACE_MEAN", "PACE_SD", "PACE_GAP"]
    start = np.array([getattr(sim_population, k) for k in names], dtype=float)

    def loss(theta: np.ndarray) -> float:
        for k, v in zip(names, theta, strict=True):
            setattr(sim_population, k, float(v))
        ds = simulate.simulate_cohort(n, seed=12345, keep_daily=False)
        cv = quartile_cuts(ds["walking_min"].values)
        ci = quartile_cuts(ds["walking_mets"].values)
        return float(np.sum(((cv - VOL_CUTS) / 1.0) ** 2) + np.sum(((ci - INT_CUTS) / 0.01) ** 2))

    res = minimize(loss, start, method="Nelder-Mead", options={"xatol": 1e-3, "fatol": 1e-3})
    loss(res.x)
    ds = simulate.simulate_cohort(n, seed=12345, keep_daily=False)
    print("marginals:", dict(zip(names, np.round(res.x, 4).tolist(), strict=True)))
    print("  volume cuts", quartile_cuts(ds["walking_min"].values).round(2))
    print("  intensity cuts", quartile_cuts(ds["walking_mets"].values).round(3))
    print(
        "  corr(walking_min, walking_mets)",
        round(float(np.corrcoef(ds["walking_min"], ds["walking_mets"])[0, 1]), 3),
    )


def _newton_poisson(X: np.ndarray, y: np.ndarray, iters: int = 25) -> np.ndarray:
    beta = np.zeros(X.shape[1])
    beta[0] = np.log(y.mean())
    for _ in range(iters):
        mu = np.exp(X @ beta)
        step = np.linalg.solve(X.T @ (X * mu[:, None]), X.T @ (y - mu))
        beta += step
        if np.max(np.abs(step)) < 1e-10:
            break
    return beta


def _design(ds, exposure: str) -> np.ndarray:
    other = "walking_mets" if exposure == "walking_min" else "walking_min"
    x = ds[exposure].values
    codes = np.asarray(categorize(x, quartile_cuts(x)).codes)
    dummies = np.column_stack([(codes == j).astype(float) for j in (1, 2, 3)])
    cov = covariate_design(ds, schema.PAPER_ADJUST).to_numpy()
    return np.column_stack([np.ones(x.size), dummies, ds[other].values, cov])


def stage_curves(n: int = 250_000) -> None:
    ds = simulate.simulate_cohort(n, seed=777, keep_daily=False)
    extra = {name: ds[name].values for name in simulate.CATEGORICALS}
    extra["age"] = ds["age"].values
    cov_lp = simulate._covariate_lp(extra)
    wm, mets = ds["walking_min"].values, ds["walking_mets"].values
    designs = {e: _design(ds, e) for e in PUBLISHED}
    s_int = truth.PAPER_INTENSITY["s"]

    def curves(theta):
        a, c, w, bi, ki = theta
        vol = truth.Curve("paper", "logistic", 78.0, {"a": a, "c": c, "w": w})
        inten = truth.Curve("paper", "soft_hinge", 3.0, {"b": bi, "k": ki, "s": s_int})
        return vol, inten

    def rrs(theta):
        vol, inten = curves(theta)
        y = np.exp(-2.0 + vol.logrr(wm) + inten.logrr(mets) + cov_lp)
        return {e: np.exp(_newton_poisson(X, y)[1:4]) for e, X in designs.items()}

    evals = [0]

    def loss(theta):
        if theta[0] <= 0 or theta[2] <= 0.5 or theta[3] <= 0:
            return 1e6
        got = rrs(theta)
        val = float(sum(np.sum((np.log(got[e]) - np.log(PUBLISHED[e])) ** 2) for e in got))
        evals[0] += 1
        if evals[0] % 25 == 0:
            print(f"  eval {evals[0]}: loss {val:.2e} at {np.round(theta, 4)}", flush=True)
        return val

    pv, pi = truth.PAPER_VOLUME, truth.PAPER_INTENSITY
    start = np.array([pv["a"], pv["c"], pv["w"], pi["b"], pi["k"]])
    t0 = time.time()
    res = minimize(
        loss, start, method="Nelder-Mead", options={"xatol": 1e-3, "fatol": 1e-7, "maxiter": 400}
    )
    a, c, w, bi, ki = res.x
    print(f"curves ({time.time() - t0:.0f} s, {evals[0]} evaluations, loss {res.fun:.2e}):")
    print(f"  PAPER_VOLUME = {{'a': {a:.4f}, 'c': {c:.2f}, 'w': {w:.3f}}}")
    print(f"  PAPER_INTENSITY = {{'b': {bi:.4f}, 'k': {ki:.4f}, 's': {s_int}}}")
    for e, v in rrs(res.x).items():
        print(f"  expected RRs {e}: {np.round(v, 3)} (published {PUBLISHED[e]})")
    vol = curves(res.x)[0]
    grid = truth.VOLUME_GRID
    lr = vol.logrr(grid)
    remaining = lr - np.minimum.accumulate(lr[::-1])[::-1]
    print(
        f"  plateau onset (R <= -log 0.98): {grid[np.argmax(remaining <= -np.log(0.98))]:.0f} min/day"
    )


def stage_check(seeds: int) -> None:
    got = {e: [] for e in PUBLISHED}
    inc, cv, ci = [], [], []
    t0 = time.time()
    for seed in range(seeds):
        ds = simulate.simulate_cohort(11194, seed=seed)
        inc.append(float(ds["clbp"].mean()))
        cv.append(quartile_cuts(ds["walking_min"].values))
        ci.append(quartile_cuts(ds["walking_mets"].values))
        for e in PUBLISHED:
            got[e].append(modified_poisson(ds, e)["rr"].to_numpy()[1:])
    print(f"check over {seeds} seeds ({time.time() - t0:.0f} s):")
    print(f"  incidence {np.mean(inc):.4f} (range {min(inc):.4f}-{max(inc):.4f})")
    print(
        f"  volume cuts {np.mean(cv, axis=0).round(2)}, intensity cuts {np.mean(ci, axis=0).round(3)}"
    )
    for e, v in got.items():
        arr = np.array(v)
        print(f"  {e}: mean RR {arr.mean(axis=0).round(3)} (sd {arr.std(axis=0).round(3)}) "
              f"published {PUBLISHED[e]}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "stage", nargs="?", choices=["marginals", "curves", "check", "all"], default="all"
    )
    parser.add_argument("--seeds", type=int, default=20)
    args = parser.parse_args()
    if args.stage in ("marginals", "all"):
        stage_marginals()
        _reset()
    if args.stage in ("curves", "all"):
        stage_curves()
    if args.stage in ("check", "all"):
        stage_check(args.seeds)


if __name__ == "__main__":
    main()
