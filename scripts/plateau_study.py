"""Plateau study: what can a cohort tell about a plateau near 100 min/day?

Over repeated simulated cohorts (the paper's size, n = 11,194, and n = 50,000) with the
truths ``plateau:100``, ``plateau:140``, ``linear`` and ``null``, fit ``gp``, ``changepoint``
and ``rcs`` and record, per fit, P(|x* - 100| <= 10), the plateau-onset posterior
(median, 95% interval, P(no plateau in range)), the changepoint's tau, and diagnostics.
Results go to ``reports/plateau_study/results.json`` (rewritten atomically after every fit,
so an interrupted run keeps what it has) and ``summary.md``.

Fits are run in order of importance (gp at n = 50,000 first), so a run cut short by the
time budget still answers the main question. Usage::

    python scripts/plateau_study.py --reps 2 --draws 300 --tune 300
    python scripts/plateau_study.py --summarize-only     # rewrite summary.md from the JSON
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from bayes_walk.atomic import write_text_atomic

TRUTHS = ("plateau:100", "plateau:140", "linear", "null")
MODELS = ("gp", "changepoint", "rcs")
SIZES = (11_194, 50_000)
NEAR, WITHIN = 100.0, 10.0


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--reps", type=int, default=2, help="replicate cohorts per truth and size")
    p.add_argument("--sizes", default=",".join(map(str, SIZES)))
    p.add_argument("--truths", default=",".join(TRUTHS))
    p.add_argument("--models", default=",".join(MODELS))
    p.add_argument("--chains", type=int, default=2)
    p.add_argument("--draws", type=int, default=300)
    p.add_argument("--tune", type=int, default=300)
    p.add_argument("--seed", type=int, default=20250)
    p.add_argument("--budget-min", type=float, default=None, help="stop starting fits after this")
    p.add_argument("--out", default="reports/plateau_study")
    p.add_argument("--summarize-only", action="store_true")
    return p.parse_args(argv)


def one_fit(spec, cohort, args, seed: int, built=None):
    from bayes_walk.answers.plateau import plateau_summary
    from bayes_walk.inference.diagnostics import compute_diagnostics as diagnostics
    from bayes_walk.inference.fit import fit

    t0 = time.perf_counter()
    idata = fit(
        spec,
        cohort,
        chains=args.chains,
        draws=args.draws,
        tune=args.tune,
        seed=seed,
        progress=False,
        built=built,
        posterior_predictive=False,
    )
    secs = time.perf_counter() - t0
    p = plateau_summary(idata, "walking_min", near=NEAR, within=WITHIN)
    d = diagnostics(idata)
    tau = p.get("tau")
    return {
        "probability": p["probability"],
        "onset": p["onset"],
        "p_no_plateau": p["p_no_plateau"],
        "remaining_benefit_at_near": p["remaining_benefit_at_near"],
        "tau": tau if tau and "median" in tau else None,
        "divergences": d["divergences"],
        "max_rhat": d["max_rhat"],
        "seconds": round(secs, 1),
    }


def run(args) -> None:
    from bayes_walk.cohort.simulate import simulate_cohort
    from bayes_walk.spec.model_spec import load_spec

    out = Path(args.out)
    res_path = out / "results.json"
    results = json.loads(res_path.read_text()) if res_path.exists() else {"runs": []}
    results["settings"] = {
        "chains": args.chains,
        "draws": args.draws,
        "tune": args.tune,
        "near": NEAR,
        "within": WITHIN,
        "delta": -np.log(0.98),
        "seed": args.seed,
    }
    done = {(r["n"], r["truth"], r["rep"], r["model"]) for r in results["runs"]}
    sizes = [int(s) for s in args.sizes.split(",")]
    truths = args.truths.split(",")
    models = args.models.split(",")
    t_start = time.perf_counter()
    # importance order: model (gp first), replicate, size (paper size first), truth, so that
    # a run cut short still has every truth for the first model and size
    for model in models:
        spec = load_spec(model)
        for rep in range(args.reps):
            for n in sizes:
                for ti, truth in enumerate(truths):
                    if (n, truth, rep, model) in done:
                        continue
                    if args.budget_min and (time.perf_counter() - t_start) / 60 > args.budget_min:
                        print("time budget reached; stopping", file=sys.stderr)
                        return
                    seed = args.seed + 1000 * rep + 100 * ti + (n % 97)
                    cohort = simulate_cohort(n, seed=seed, truth=truth, keep_daily=False)
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        # a fresh (frozen) compiled model per cohort: with the JAX backend
                        # compiling takes seconds and the frozen model samples faster
                        row = one_fit(spec, cohort, args, seed)
                    row.update(
                        {
                            "n": n,
                            "truth": truth,
                            "rep": rep,
                            "model": model,
                            "seed": seed,
                            "chains": args.chains,
                            "draws": args.draws,
                            "tune": args.tune,
                        }
                    )
                    results["runs"].append(row)
                    write_text_atomic(res_path, json.dumps(results, indent=1))
                    print(
                        f"[{(time.perf_counter() - t_start) / 60:5.1f} min] {model} n={n} "
                        f"{truth} rep {rep}: P(near) = {row['probability']:.2f}, onset median "
                        f"{row['onset']['median']}, {row['seconds']} s",
                        file=sys.stderr,
                        flush=True,
                    )
                    write_text_atomic(out / "summary.md", summarize(results))


# p1..p99 of walking_min in the paper-calibrated simulated cohort (the fits' curve grid)
TRUTH_GRID = np.linspace(39.7, 205.4, 400)


def true_onset(truth: str) -> float:
    """The plateau onset x* of the true volume curve (same definition as for the fits)."""
    import xarray as xr

    from bayes_walk.cohort.truth import parse_truth
    from bayes_walk.estimands.plateau import plateau_onset

    f = np.asarray(parse_truth(truth).volume.logrr(TRUTH_GRID), dtype=float)
    da = xr.DataArray(f[None, None, :], dims=("chain", "draw", "walking_min_grid"))
    da = da.assign_coords(walking_min_grid=TRUTH_GRID)
    return float(plateau_onset(da).values.ravel()[0])


def _fmt(v, spec=".2f") -> str:
    return "-" if v is None or (isinstance(v, float) and not np.isfinite(v)) else format(v, spec)


def summarize(results: dict) -> str:
    """The markdown summary: mean P(plateau near 100) and onset by size, truth and model."""
    runs = results["runs"]
    s = results.get("settings", {})
    lines = [
        "# Plateau study: P(plateau near 100 min/day) over repeated simulated cohorts",
        "",
        f"Each cell: replicate cohorts simulated with the given truth, each fitted with "
        f"{s.get('chains')} chains x ({s.get('tune')} tune + {s.get('draws')} draws). "
        f"P(near) = posterior P(|x* - {NEAR:g}| <= {WITHIN:g}) with x* the plateau onset "
        f"(remaining benefit <= -log(0.98); onsets in the top 10% of the observed range count "
        "as no plateau). Values: mean over replicates [min-max]. 'true x*' is the onset of "
        "the true curve by the same definition on the p1..p99 range 39.7-205.4 min/day "
        "('-' = no plateau within the range). The chains are short (a study, not final "
        "numbers): R-hat and divergences per cell are shown.",
        "",
        "| n | model | truth | true x* | reps | P(near 100) mean [min-max] | onset median "
        "(mean) | P(no plateau) mean | tau median (mean) | max R-hat | divergences |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    keys = sorted(
        {(r["n"], r["model"], r["truth"]) for r in runs},
        key=lambda k: (-k[0], MODELS.index(k[1]) if k[1] in MODELS else 9, k[2]),
    )
    table = {}
    reps = {}
    for n, model, truth in keys:
        rs = [r for r in runs if (r["n"], r["model"], r["truth"]) == (n, model, truth)]
        p = np.array([r["probability"] for r in rs])
        on = [r["onset"]["median"] for r in rs if r["onset"]["median"] is not None]
        tau = [r["tau"]["median"] for r in rs if r.get("tau")]
        rh = [r["max_rhat"] for r in rs if r["max_rhat"] is not None]
        table[(n, model, truth)] = float(p.mean())
        reps[(n, model, truth)] = len(rs)
        lines.append(
            f"| {n:,} | {model} | {truth} | {_fmt(true_onset(truth), '.1f')} | {len(rs)} | "
            f"{p.mean():.2f} [{p.min():.2f}-"
            f"{p.max():.2f}] | {_fmt(float(np.mean(on)) if on else None, '.1f')} "
            f"({len(on)}/{len(rs)} with a plateau) | "
            f"{np.mean([r['p_no_plateau'] for r in rs]):.2f} | "
            f"{_fmt(float(np.mean(tau)) if tau else None, '.1f')} | "
            f"{_fmt(max(rh) if rh else None, '.3f')} | {sum(r['divergences'] for r in rs)} |"
        )
    lines += ["", "## What a cohort can and cannot tell", ""]
    lines += interpretation(table)
    lines += ["", *onset_bias(runs)]
    for para in bottom_line(table, reps):
        lines += ["", para]
    return "\n".join(lines) + "\n"


def interpretation(table: dict) -> list[str]:
    """Plain statements computed from the mean probabilities (no hand-tuned wording)."""
    out = []
    for n in sorted({k[0] for k in table}, reverse=True):
        for model in MODELS:
            row = {t: table.get((n, model, t)) for t in TRUTHS}
            if row["plateau:100"] is None:
                continue
            others = {t: v for t, v in row.items() if t != "plateau:100" and v is not None}
            if not others:
                continue
            gap = row["plateau:100"] - max(others.values())
            verdict = (
                "clearly separates a plateau at 100 from the alternatives"
                if gap >= 0.3
                else "separates them only weakly"
                if gap >= 0.1
                else "cannot tell a plateau at 100 from the alternatives"
            )
            shown = ", ".join(f"{t} {v:.2f}" for t, v in others.items())
            out.append(
                f"- n = {n:,}, {model}: mean P(near 100) is {row['plateau:100']:.2f} when the "
                f"truth plateaus at 100, versus {shown}: the model {verdict} (gap {gap:+.2f})."
            )
    return out


def onset_bias(runs: list[dict]) -> list[str]:
    """Where each model puts the onset when the truth has one, against the true x*."""
    out = ["Onset recovery under the plateau truths (mean posterior median minus true x*):", ""]
    for truth in ("plateau:100", "plateau:140"):
        x_true = true_onset(truth)
        parts = []
        for n in sorted({r["n"] for r in runs}, reverse=True):
            for model in MODELS:
                med = [
                    r["onset"]["median"]
                    for r in runs
                    if (r["n"], r["model"], r["truth"]) == (n, model, truth)
                ]
                if not med:
                    continue
                fin = [m for m in med if m is not None]
                if fin:
                    parts.append(f"{model} n={n:,}: {float(np.mean(fin)) - x_true:+.1f}")
                else:
                    parts.append(f"{model} n={n:,}: no plateau found")
        if parts:
            out.append(f"- {truth} (true x* = {x_true:.1f}): " + "; ".join(parts) + " min/day.")
    out += [
        "",
        "A positive difference means the model puts the onset later than the truth. Smooth "
        "curves (gp, rcs) round off a sharp kink, so some benefit seems to remain past it and "
        "the onset moves later; the changepoint form has the kink built in.",
    ]
    return out


def bottom_line(table: dict, reps: dict) -> list[str]:
    """One plain paragraph per cohort size for gp (the default model), from the numbers."""
    out = []
    for n in sorted({k[0] for k in table}):
        row = {t: table.get((n, "gp", t)) for t in TRUTHS}
        if row["plateau:100"] is None:
            continue
        others = [v for t, v in row.items() if t != "plateau:100" and v is not None]
        if not others:
            continue
        gap = row["plateau:100"] - max(others)
        hit = row["plateau:100"]
        size = "the paper's size (n = 11,194)" if n == 11_194 else f"n = {n:,}"
        if gap >= 0.3:
            claim = "tells a plateau near 100 min/day apart from the alternatives studied"
        elif gap >= 0.1:
            claim = "leans towards a plateau near 100 min/day when there is one, but weakly"
        else:
            claim = (
                "cannot tell a plateau near 100 min/day from a later plateau, a steady "
                "decline or no effect"
            )
        sure = (
            "; when the plateau is real the posterior is fairly sure of it"
            if hit >= 0.8
            else f"; even when the truth plateaus at 100 the posterior probability is only "
            f"{hit:.2f}, so one cohort cannot establish a plateau at 100 with confidence"
        )
        k = min(reps.get((n, "gp", t), 0) for t in TRUTHS if row[t] is not None)
        caveat = (
            f" (Provisional: only {k} replicate cohort(s) per truth, so the spread between "
            "cohorts is only roughly known; see the [min-max] ranges.)"
            if k < 3
            else ""
        )
        out.append(
            f"**A cohort of {size}** {claim} (gp: mean P(plateau near 100) {hit:.2f} under "
            f"plateau:100, at most {max(others):.2f} under plateau:140, linear and null)"
            f"{sure}.{caveat}"
        )
    return out


def main(argv=None) -> int:
    args = parse_args(argv)
    out = Path(args.out)
    if args.summarize_only:
        results = json.loads((out / "results.json").read_text())
        write_text_atomic(out / "summary.md", summarize(results))
        return 0
    run(args)
    results = json.loads((out / "results.json").read_text())
    write_text_atomic(out / "summary.md", summarize(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
