"""Which plateau-onset definition is least biased and best calibrated? A noise-model study.

For each simulator truth (``bayes_walk.cohort.truth``) and cohort size, every replicate
makes posterior-like draws of the volume log-RR curve on a fit-like grid (100 points over
p1..p99 plus round values and the reference):

    draw_i(x) = f_true(x) + e_0(x) + e_i(x),   e_0, e_i ~ GP(0, sd^2 k_ell), i = 1..draws

``e_0`` is the replicate's estimation error (where its posterior is centred), ``e_i`` the
posterior spread; both are squared-exponential GP paths anchored at the reference
(``e(78) = 0``, as a fitted curve is), with the lengthscale ``ell`` drawn per replicate from
the HSGP prior (LogNormal(log 0.35, 0.45) in units of the p1..p99 range) and the marginal
SD ``sd`` matched to the gp posterior of the demo cohort (log-RR SD about 0.07 at
125-150 min/day for n = 11,194) and scaled by ``sqrt(11,194 / n)``. For a linear estimand
this is an exactly calibrated posterior; what it tests is how each onset definition reacts
to posterior noise. It does NOT contain a form's shape bias (a smooth curve rounding off a
sharp bend): that needs real fits (issue 14, item 5).

Per definition, truth and n: the true onset (the definition applied to the noiseless true
curve), the bias of the posterior median onset, the coverage of the 90% equal-tailed
interval, the mean P(|onset - 100| <= 10) and the mean P(no plateau).

    python scripts/onset_definitions.py --reps 200 --out reports/plateau_study
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import xarray as xr

from bayes_walk.atomic import write_text_atomic
from bayes_walk.cohort.truth import VOLUME_REFERENCE, parse_truth
from bayes_walk.estimands.onset import definition_label, onset_draws

DEFINITIONS = ("min", "edge", "isotonic", "ed:90", "ed:95", "slope:0.1")
TRUTHS = ("plateau:100", "plateau:140", "paper", "linear", "null")
SIZES = (11194, 50000)
# p1..p99 of walking_min in simulated cohorts of 11,194 and 50,000 (reports/plateau_study)
GRID_RANGE = (39.7, 205.4)
SD_AT_PAPER_SIZE = 0.07
PAPER_N = 11194
LENGTHSCALE_PRIOR = (math.log(0.35), 0.45)  # HSGP default, units of the p1..p99 range


def fit_like_grid(lo: float, hi: float, reference: float = VOLUME_REFERENCE) -> np.ndarray:
    """100 points over ``[lo, hi]``, round values inside (step 10 or 20) and the reference."""
    step = 20.0 if hi - lo > 100 else 10.0
    rounds = np.arange(np.ceil(lo / step) * step, hi + 1e-12, step)
    pts = np.concatenate([np.linspace(lo, hi, 100), rounds])
    if lo <= reference <= hi:
        pts = np.append(pts, reference)
    return np.unique(np.round(pts, 10))


def gp_paths(
    rng: np.random.Generator, grid: np.ndarray, n: int, sd: float, ell: float, ref: float
) -> np.ndarray:
    """``n`` squared-exponential GP paths on ``grid`` anchored at ``ref`` (shape n x K)."""
    x = np.append(grid, ref)
    d = (x[:, None] - x[None, :]) / ell
    cov = sd**2 * np.exp(-0.5 * d**2) + 1e-10 * np.eye(x.size)
    chol = np.linalg.cholesky(cov)
    paths = rng.standard_normal((n, x.size)) @ chol.T
    out = paths[:, :-1] - paths[:, -1:]
    out[:, grid == ref] = 0.0  # exactly, not up to the jitter
    return out


def _curve(values: np.ndarray, grid: np.ndarray) -> xr.DataArray:
    return xr.DataArray(
        values[None],
        dims=("chain", "draw", "walking_min_grid"),
        coords={"walking_min_grid": grid},
    )


def replicate_summary(onsets: np.ndarray, true: float, near: float, within: float) -> dict:
    """Posterior median, 90% interval, coverage and P(near) of one replicate's onset draws."""
    lo, med, hi = np.quantile(onsets, [0.05, 0.5, 0.95], method="inverted_cdf")
    covered = bool(lo <= true <= hi) if np.isfinite(true) else bool(np.isinf(hi))
    return {
        "median": float(med),
        "covered": covered,
        "p_near": float(np.mean(np.abs(onsets - near) <= within)),
        "p_none": float(np.mean(np.isinf(onsets))),
    }


def run_cell(
    truth: str,
    n: int,
    *,
    reps: int,
    draws: int,
    grid: np.ndarray,
    seed: int,
    near: float = 100.0,
    within: float = 10.0,
) -> list[dict]:
    """All definitions on ``reps`` replicates of one (truth, n) cell."""
    f_true = parse_truth(truth).volume.logrr(grid)
    truths = true_onsets(truth, grid)
    sd = SD_AT_PAPER_SIZE * math.sqrt(PAPER_N / n)
    rng = np.random.default_rng([seed, n, sum(map(ord, truth))])
    width = grid[-1] - grid[0]
    per_def: dict[str, list[dict]] = {d: [] for d in DEFINITIONS}
    for _ in range(reps):
        ell = width * math.exp(rng.normal(*LENGTHSCALE_PRIOR))
        e = gp_paths(rng, grid, draws + 1, sd, ell, VOLUME_REFERENCE)
        draws_ = f_true + e[0] + e[1:]
        c = _curve(draws_, grid)
        for d in DEFINITIONS:
            o = onset_draws(c, d).values.ravel()
            per_def[d].append(replicate_summary(o, truths[d], near, within))
    return cell_rows(per_def, truths, truth=truth, n=n, noise_sd=sd)


def true_onsets(truth: str, grid: np.ndarray) -> dict[str, float]:
    """Each definition applied to the noiseless true volume curve on ``grid``."""
    f_true = parse_truth(truth).volume.logrr(grid)
    return {
        d: float(onset_draws(_curve(f_true[None], grid), d).values.ravel()[0]) for d in DEFINITIONS
    }


def cell_rows(per_def: dict[str, list[dict]], truths: dict[str, float], **meta) -> list[dict]:
    """Per definition: bias, coverage and P(near) over the replicates of one cell."""
    rows = []
    for d in DEFINITIONS:
        reps_ = per_def[d]
        med = np.array([r["median"] for r in reps_])
        true = truths[d]
        finite = np.isfinite(med)
        bias = float(np.mean(med[finite] - true)) if np.isfinite(true) and finite.any() else None
        rows.append(
            {
                "definition": definition_label(d),
                **meta,
                "reps": len(reps_),
                "true_onset": true if np.isfinite(true) else None,
                "bias": bias,
                "median_bias": (
                    float(np.median(med[finite] - true))
                    if np.isfinite(true) and finite.any()
                    else None
                ),
                "median_abs_error": (
                    float(np.median(np.abs(med[finite] - true)))
                    if np.isfinite(true) and finite.any()
                    else None
                ),
                "share_median_finite": float(finite.mean()),
                "coverage90": float(np.mean([r["covered"] for r in reps_])),
                "mean_p_near": float(np.mean([r["p_near"] for r in reps_])),
                "mean_p_no_plateau": float(np.mean([r["p_none"] for r in reps_])),
            }
        )
    return rows


def run_fits(
    truth: str, n: int, *, seeds: list[int], draws: int, tune: int, near=100.0, within=10.0
) -> list[dict]:
    """The same scores on real ``gp`` posteriors (nutpie, 2 chains) of simulated cohorts.

    Each seed simulates a cohort of ``n`` with ``truth`` and fits the shipped ``gp`` spec;
    the true onsets are the definitions on the true curve on that fit's own grid.
    """
    import bayes_walk as bw
    from bayes_walk.estimands.draws import curve_draws, grid_values

    per_def: dict[str, list[dict]] = {d: [] for d in DEFINITIONS}
    diags = []
    for seed in seeds:
        cohort = bw.simulate(n=n, seed=seed, truth=truth)
        fit = bw.fit("gp", cohort, chains=2, draws=draws, tune=tune, seed=seed, sampler="nutpie")
        curve = curve_draws(fit.idata, "walking_min")
        truths = true_onsets(truth, grid_values(curve))
        for d in DEFINITIONS:
            o = onset_draws(curve, d).values.ravel()
            per_def[d].append(replicate_summary(o, truths[d], near, within))
        diags.append(
            {"seed": seed, **{k: fit.diagnostics.get(k) for k in ("max_rhat", "divergences")}}
        )
        print(f"  {truth} n={n} seed={seed}: fitted", file=sys.stderr)
    rows = cell_rows(per_def, truths, truth=truth, n=n, noise_sd=None)
    for r in rows:
        r["fits"] = diags
    return rows


def _fmt(v, spec: str = ".1f") -> str:
    return "-" if v is None else format(v, spec)


def to_markdown(rows: list[dict], settings: dict) -> str:
    """The study's table and a short reading of it."""
    if settings.get("model", "").startswith("gp"):
        head = [
            "# Onset definitions: bias and coverage on real gp posteriors",
            "",
            f"Generated by `scripts/onset_definitions.py --fits` ({settings['reps']} simulated "
            f"cohorts per cell, each fitted with the shipped gp spec, nutpie 2 chains x "
            f"({settings['draws']} tune + {settings['draws']} draws), seeds from "
            f"{settings['seed']}). Very few replicates: an anecdote next to the noise-model "
            "table (definitions.md), which it complements with the form's own shape bias.",
        ]
    else:
        head = [
            "# Onset definitions: bias and coverage under a noise model",
            "",
            f"Generated by `scripts/onset_definitions.py` ({settings['reps']} replicates per cell, "
            f"{settings['draws']} draws each, seed {settings['seed']}, grid "
            f"{settings['grid'][0]:g}-{settings['grid'][1]:g} min/day). Posterior-like draws = "
            "true curve + a replicate's GP error + GP spread per draw (SD "
            f"{SD_AT_PAPER_SIZE:g} x sqrt(11,194 / n), lengthscale from the HSGP prior). "
            "Preliminary: this isolates each definition's reaction to posterior noise, not a "
            "model form's shape bias (see docs/estimands.md).",
        ]
    lines = [
        *head,
        "",
        "'true' = the definition on the noiseless true curve ('-' = no plateau inside the "
        "range); bias = mean over replicates of the posterior median onset minus the true "
        "onset (replicates whose median is 'no plateau' left out; their share is 1 - 'finite');"
        " median bias = the median of those differences (robust to the few replicates "
        "whose noise is very wiggly); cover90 = share of 90% intervals holding the true onset (for '-', intervals "
        "reaching 'no plateau'); P(near) = mean P(|onset - 100| <= 10).",
        "",
        "| n | truth | definition | true | bias | median bias | median abs err | finite | "
        "cover90 | P(near) | P(none) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n']:,} | {r['truth']} | {r['definition']} | {_fmt(r['true_onset'])} | "
            f"{_fmt(r['bias'], '+.1f')} | {_fmt(r['median_bias'], '+.1f')} | "
            f"{_fmt(r['median_abs_error'])} | "
            f"{r['share_median_finite']:.2f} | {r['coverage90']:.2f} | {r['mean_p_near']:.2f} | "
            f"{r['mean_p_no_plateau']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--reps", type=int, default=200)
    p.add_argument("--draws", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--truths", default=",".join(TRUTHS))
    p.add_argument("--sizes", default=",".join(map(str, SIZES)))
    p.add_argument("--out", default="reports/plateau_study")
    p.add_argument(
        "--fits",
        action="store_true",
        help="real gp posteriors instead of the noise model: --reps seeds per cell, "
        "nutpie 2 chains x (--draws tune + --draws draws); writes definitions_fits.*",
    )
    args = p.parse_args(argv)
    grid = fit_like_grid(*GRID_RANGE)
    rows: list[dict] = []
    t0 = time.time()
    for n in (int(s) for s in args.sizes.split(",")):
        for truth in args.truths.split(","):
            if args.fits:
                seeds = [args.seed + i for i in range(args.reps)]
                rows += run_fits(truth, n, seeds=seeds, draws=args.draws, tune=args.draws)
            else:
                rows += run_cell(
                    truth, n, reps=args.reps, draws=args.draws, grid=grid, seed=args.seed
                )
            print(f"n={n} {truth}: {time.time() - t0:.0f}s", file=sys.stderr)
    if args.fits:
        settings = {
            "reps": args.reps,
            "draws": args.draws,
            "seed": args.seed,
            "grid": "each fit's own (p1..p99 of its cohort)",
            "definitions": list(DEFINITIONS),
            "model": "gp (shipped spec), nutpie, 2 chains x (draws tune + draws draws)",
        }
        out = Path(args.out)
        write_text_atomic(
            out / "definitions_fits.json",
            json.dumps({"settings": settings, "rows": rows}, indent=2),
        )
        write_text_atomic(out / "definitions_fits.md", to_markdown(rows, settings))
        print(f"wrote {out / 'definitions_fits.json'} and .md", file=sys.stderr)
        return 0
    settings = {
        "reps": args.reps,
        "draws": args.draws,
        "seed": args.seed,
        "grid": [float(grid[0]), float(grid[-1])],
        "noise_sd_at_11194": SD_AT_PAPER_SIZE,
        "lengthscale_prior": {"dist": "LogNormal", "mu": LENGTHSCALE_PRIOR[0], "sigma": 0.45},
        "definitions": list(DEFINITIONS),
        "model": "noise model: true curve + GP error per replicate + GP spread per draw",
    }
    out = Path(args.out)
    write_text_atomic(
        out / "definitions.json", json.dumps({"settings": settings, "rows": rows}, indent=2)
    )
    write_text_atomic(out / "definitions.md", to_markdown(rows, settings))
    print(f"wrote {out / 'definitions.json'} and definitions.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
