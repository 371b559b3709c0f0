"""Reliability of the simulated walking volume under ``exposure_on="habit"``.

Prints (and with ``--out`` writes as JSON) the within-person share of the daily variance,
the one-day ICC, and the reliability of the observed mean by number of valid days
(squared correlation with the true habit, which equals the ICC of a k-day mean against
another k-day mean of the same person). docs/simulator.md quotes its output.

Usage: python scripts/simulator_reliability.py [--n 20000] [--seed 0] [--out FILE]
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from bayes_walk.atomic import write_text_atomic
from bayes_walk.cohort.simulate import simulate_cohort


def one_way_icc(days: np.ndarray, valid: np.ndarray) -> dict[str, float]:
    """One-way random-effects ANOVA on participants with 7 valid days (raw scale)."""
    full = valid.all(axis=1)
    y = days[full]
    k = y.shape[1]
    means = y.mean(axis=1)
    msw = ((y - means[:, None]) ** 2).sum() / (y.shape[0] * (k - 1))
    msb = k * means.var(ddof=1)
    var_b = max((msb - msw) / k, 0.0)
    return {
        "participants_7_days": int(full.sum()),
        "within_share": float(msw / (msw + var_b)),
        "icc_1day": float(var_b / (var_b + msw)),
        "icc_7day_mean": float(var_b / (var_b + msw / k)),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out")
    a = ap.parse_args()
    ds = simulate_cohort(n=a.n, seed=a.seed, exposure_on="habit")
    days = ds["daily_walking_min"].values
    valid = ds["valid_day"].values
    out = {"n": a.n, "seed": a.seed, **one_way_icc(np.where(valid, days, np.nan), valid)}
    obs, hab = ds["walking_min"].values, ds["true_habitual_walking_min"].values
    k = ds["valid_days"].values
    by_k = {}
    for kk in range(1, 8):
        sel = k == kk
        if sel.sum() > 30:
            by_k[str(kk)] = {
                "n": int(sel.sum()),
                "reliability": float(np.corrcoef(obs[sel], hab[sel])[0, 1] ** 2),
            }
    out["reliability_by_valid_days"] = by_k
    out["reliability_all"] = float(np.corrcoef(obs, hab)[0, 1] ** 2)
    # slope of the habit on the observed mean: the attenuation factor of a linear effect
    out["dilution_slope"] = float(np.polyfit(obs, hab, 1)[0])
    text = json.dumps(out, indent=2)
    print(text)
    if a.out:
        write_text_atomic(a.out, text + "\n")


if __name__ == "__main__":
    main()
