"""Markdown tables of measurement-error study folders (``scripts/measurement_error_study.py``).

Per folder: per fit and x, the true RR, the mean posterior median, its mean error, the
share of the true log RR the median recovers, and how many 90% intervals cover the truth;
then per fit the diagnostics (divergences, worst R-hat, lowest bulk ESS, wall time) and,
for the days fit, how many 90% intervals of the within-person SD cover the simulator's.

Usage: python scripts/measurement_error_tables.py DIR [DIR ...]

``DIR1+DIR2`` pools the replicates of several folders of the same design into one table
(replicates are told apart by their cohort seed); a fit of one cohort may be in only one
of them (two folders of other base specs, each with an `oracle_bern`, are refused).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from measurement_error_study import with_derived  # scripts/ is on sys.path when run

from bayes_walk.cohort.sim_population import DAILY_VOLUME_SD, VOLUME_SQRT_MEAN, VOLUME_SQRT_SD

# the simulator's habits: sqrt(H) ~ Normal(m, s) is Box-Cox lambda = 0.5 with log-scale SD
# 2 s / m at the median, so kappa = lambda * SD = s / m (before its small covariate shifts)
TRUE_SHAPE = VOLUME_SQRT_SD / VOLUME_SQRT_MEAN

# naive, then the bound (oracle: true habits), then the days models, older first
ORDER = (
    "naive",
    "naive_bern",
    "oracle",
    "oracle_bern",
    "days_lognormal",
    "days",
    "days_cov",
    "days_bern",
    "days_both_bern",
)


def tables(folders: Path | list[Path]) -> str:
    folders = [folders] if isinstance(folders, Path) else folders
    d = pd.concat([with_derived(pd.read_csv(f / "results.csv")) for f in folders])
    rank = {f: i for i, f in enumerate(ORDER)}
    d = d.sort_values(["fit", "x"], key=lambda c: c.map(rank) if c.name == "fit" else c)
    reps = d["seed"].nunique()
    title = " + ".join(f.name for f in folders)
    lines = [
        f"**{title}** ({reps} replicates)",
        "",
        "| fit | x | true RR | mean median | mean error | SD of error | share of log RR recovered | 90% covers |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for (fit, x), g in d.groupby(["fit", "x"], sort=False):
        lines.append(
            f"| {fit} | {x:g} | {g.true_rr.mean():.3f} | {g.rr_median.mean():.3f} | "
            f"{g.error.mean():+.3f} | {g.error.std():.3f} | {g.log_ratio.mean():.2f} | "
            f"{int(g.covered.sum())}/{len(g)} |"
        )
    lines += [
        "",
        "| fit | divergences (max) | worst R-hat | lowest bulk ESS | mean wall s |",
        "|---|---|---|---|---|",
    ]
    per_fit = d.drop_duplicates(["seed", "fit"])
    for fit, g in per_fit.groupby("fit", sort=False):
        lines.append(
            f"| {fit} | {int(g.divergences.max())} | {g.max_rhat.max():.4f} | "
            f"{g.min_ess_bulk.min():.0f} | {g.wall_s.mean():.0f} |"
        )
    days = per_fit[per_fit.fit.str.startswith("days")]
    if "exposure" in days and (days.exposure.fillna("walking_min") != "walking_min").any():
        days = days.iloc[:0]  # the simulator constants below are those of volume
    if "day_sd_lo" in days and len(days):
        cov = ((days.day_sd_lo <= DAILY_VOLUME_SD) & (DAILY_VOLUME_SD <= days.day_sd_hi)).sum()
        lines += [
            "",
            f"Within-person SD: posterior medians {days.day_sd_median.min():.4f}-"
            f"{days.day_sd_median.max():.4f}; the 90% interval covers the simulator's "
            f"{DAILY_VOLUME_SD} in {int(cov)} of {len(days)} fits.",
        ]
    if "shape_median" in days and days.shape_median.notna().any():
        sh = days.dropna(subset=["shape_median"])
        cov = ((sh.shape_lo <= TRUE_SHAPE) & (TRUE_SHAPE <= sh.shape_hi)).sum()
        lines += [
            "",
            f"Population shape `habit_shape` (kappa; the simulator's square-root normal "
            f"habits have {TRUE_SHAPE:.3f} before their covariate shifts): posterior medians "
            f"{sh.shape_median.min():.3f}-{sh.shape_median.max():.3f}; the 90% interval "
            f"covers {TRUE_SHAPE:.3f} in {int(cov)} of {len(sh)} fits.",
        ]
    return "\n".join(lines) + "\n"


def paired(d: pd.DataFrame, pairs: list[str]) -> str:
    """Per ``A-B`` in ``pairs``: the mean and SD over the shared cohorts of fit A's
    posterior median minus fit B's, at each x (the cohort's noise cancels in the pair);
    ``d`` holds the rows of the pooled ``results.csv`` files."""
    w = d.pivot_table(index=["seed", "x"], columns="fit", values="rr_median")
    lines = [
        "| A - B | x | mean difference of medians | SD | cohorts |",
        "|---|---|---|---|---|",
    ]
    for pair in pairs:
        a, b = pair.split("-")
        diff = (w[a] - w[b]).dropna()
        for x, g in diff.groupby(level="x"):
            lines.append(f"| {a} - {b} | {x:g} | {g.mean():+.3f} | {g.std():.3f} | {len(g)} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "folders",
        nargs="+",
        metavar="DIR",
        help="a study folder, or DIR1+DIR2 to pool folders (same or other fits, "
        "replicates told apart by their cohort seed)",
    )
    ap.add_argument(
        "--paired",
        action="append",
        default=[],
        metavar="A-B",
        help="also the paired difference of fit A's medians minus fit B's (repeatable)",
    )
    args = ap.parse_args()
    for arg in args.folders:
        folders = [Path(p) for p in arg.split("+")]
        missing = [str(f) for f in folders if not (f / "results.csv").is_file()]
        if missing:
            ap.error(f"no results.csv in {', '.join(missing)}")
        # a fit of one cohort in two pooled folders (e.g. two --base specs both called
        # oracle_bern) would be averaged into one row without a word
        seen = {}
        for f in folders:
            for key in (
                pd.read_csv(f / "results.csv")[["seed", "fit"]]
                .drop_duplicates()
                .itertuples(index=False)
            ):
                if key in seen:
                    ap.error(
                        f"fit '{key.fit}' of cohort seed {key.seed} is in both {seen[key]} and "
                        f"{f}: pool folders only where each fit of a cohort is in one of them"
                    )
                seen[key] = f
        print(tables(folders))
        if args.paired:
            rows = pd.concat([pd.read_csv(f / "results.csv") for f in folders])
            known = set(rows.fit)
            bad = [
                q for q in args.paired if len(q.split("-")) != 2 or not set(q.split("-")) <= known
            ]
            if bad:
                ap.error(f"--paired {', '.join(bad)}: give A-B with fits among {sorted(known)}")
            print(paired(rows, args.paired))
