"""Calibration of P(plateau near 100 min/day): the summary of a plateau calibration sweep.

Reads a sweep folder made with ``[estimands] averaged = true``
(``sweeps/plateau_calibration.toml`` or a smaller sweep of the same form), and writes per
cohort size, truth and model (each spec and the stacking-averaged answer):

- replicates, and the share of fits that are clean (0 divergences, R-hat <= 1.01,
  bulk ESS >= 400; the averaged answer is clean when all its fits are);
- mean P(|onset - 100| <= 10);
- onset bias: mean of (posterior median onset - true onset) over replicates whose median
  is finite (the true onset: the default definition applied to the true curve on the
  simulated p1..p99 range; "-" where the truth has no plateau in range);
- coverage: share of replicates whose 90% onset interval holds the true onset (for a
  truth without a plateau: whose interval reaches "no plateau in range");
- ROC AUC of P(near 100) for ``plateau:100`` against each other truth (Mann-Whitney:
  the probability that a ``plateau:100`` cohort gets a higher P than the other truth's).

Writes ``OUT/calibration.csv`` (one row per cell), ``OUT/auc.csv`` and ``OUT/README.md``.

Usage: python scripts/plateau_calibration.py SWEEP_DIR --out reports/plateau_study/calibration
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

# the true onset on the simulated p1..p99 range, as the earlier plateau study defines it
from plateau_study import true_onset  # noqa: E402  (scripts/ is on sys.path when run)

from bayes_walk.atomic import write_text_atomic

NEAR, WITHIN, PROB = 100.0, 10.0, 0.90
RHAT, ESS = 1.01, 400.0


def parse_label(label: str) -> tuple[str, int, int]:
    """``sim-<truth tag>-n<n>-s<seed>`` -> (truth, n, seed); tag ``plateau100`` -> ``plateau:100``."""
    m = re.fullmatch(r"sim-(.+)-n(\d+)-s(\d+)", label)
    if m is None:
        raise ValueError(f"not a simulated cohort label: {label}")
    tag = m.group(1)
    t = re.fullmatch(r"(plateau|smooth)(\d+(?:\.\d+)?)", tag)
    truth = f"{t.group(1)}:{t.group(2)}" if t else tag
    return truth, int(m.group(2)), int(m.group(3))


def _interval(onset: np.ndarray, weights: np.ndarray | None = None) -> tuple[float, float, float]:
    from bayes_walk.answers.stacking import weighted_quantile

    w = np.ones(onset.size) if weights is None else weights
    lo, hi = (1 - PROB) / 2, 1 - (1 - PROB) / 2
    return tuple(weighted_quantile(onset, w, q) for q in (0.5, lo, hi))


def fit_rows(sweep: Path) -> pd.DataFrame:
    """One row per fit: truth, n, seed, model, P(near), onset median and 90% interval, clean."""
    from bayes_walk.sweep.averaged import read_piece
    from bayes_walk.sweep.store import read_records
    from bayes_walk.sweep.table import results_table

    # from the task records, so that a sweep still running (or stopped) can be summarised
    recs = read_records(sweep)
    manifest = sweep / "sweep.json"
    if manifest.exists():  # the last run's tasks (a folder may hold other sweeps' records)
        keys = set(json.loads(manifest.read_text())["tasks"])
        recs = [r for r in recs if r["key"] in keys]
    res = results_table(recs).drop_duplicates("task")
    records = {r["key"]: r for r in recs}
    rows = []
    for _, r in res.iterrows():
        rec = records.get(r["task"], {})
        if r["status"] != "done" or not rec.get("piece_path"):
            continue
        piece = read_piece(sweep / rec["piece_path"])
        med, lo, hi = _interval(piece["onset"])
        truth, n, seed = parse_label(r["cohort"])
        clean = r["divergences"] == 0 and r["max_rhat"] <= RHAT and r["min_ess_bulk"] >= ESS
        rows.append(
            dict(
                truth=truth,
                n=n,
                seed=seed,
                model=r["spec"],
                p_near=float(piece["probability"]),
                onset_median=med,
                onset_lo=lo,
                onset_hi=hi,
                clean=bool(clean),
            )
        )
    fits = pd.DataFrame(rows)
    avg = averaged_rows(sweep, recs, fits)
    return pd.concat([fits, avg], ignore_index=True) if len(avg) else fits


def averaged_rows(sweep: Path, records: list[dict], fits: pd.DataFrame) -> pd.DataFrame:
    """The averaged answer per cohort whose four forms are all done (the engine's
    ``averaged.parquet`` computed from the records, so a partial sweep works too)."""
    from bayes_walk.sweep.averaged import averaged_table

    if fits.empty:
        return pd.DataFrame()
    n_specs = fits.groupby(["truth", "n", "seed"]).size().max()
    rows = []
    for _, a in averaged_table(records, sweep).iterrows():
        if a["n_fits"] < n_specs:  # a cohort whose other fits have not run yet
            continue
        truth, n, seed = parse_label(a["cohort"])
        clean = fits[(fits.truth == truth) & (fits.n == n) & (fits.seed == seed)]["clean"].all()
        rows.append(
            dict(
                truth=truth,
                n=n,
                seed=seed,
                model="averaged",
                p_near=a["plateau_probability"],
                onset_median=_inf(a["onset_median"]),
                onset_lo=_inf(a["onset_lo90"]),
                onset_hi=_inf(a["onset_hi90"]),
                clean=bool(clean),
                weights=a["weights"],
            )
        )
    return pd.DataFrame(rows)


def _inf(v: float) -> float:
    """The averaged table writes "no plateau" (inf) as NaN."""
    return float(v) if np.isfinite(v) else float("inf")


def cells(fits: pd.DataFrame) -> pd.DataFrame:
    """Per (n, truth, model): replicates, clean share, mean P(near), bias, coverage."""
    out = []
    for (n, truth, model), g in fits.groupby(["n", "truth", "model"], sort=True):
        x = true_onset(truth)
        finite = g[np.isfinite(g["onset_median"])]
        if np.isfinite(x):
            bias = float((finite["onset_median"] - x).mean()) if len(finite) else float("nan")
            covered = (g["onset_lo"] <= x) & (x <= g["onset_hi"])
        else:
            bias = float("nan")
            covered = ~np.isfinite(g["onset_hi"])
        out.append(
            dict(
                n=n,
                truth=truth,
                model=model,
                true_onset=x,
                replicates=len(g),
                clean_share=float(g["clean"].mean()),
                mean_p_near=float(g["p_near"].mean()),
                onset_bias=bias,
                finite_medians=len(finite),
                coverage90=float(covered.mean()),
            )
        )
    return pd.DataFrame(out)


def auc(fits: pd.DataFrame, target: str = "plateau:100") -> pd.DataFrame:
    """ROC AUC of P(near 100) for ``target`` against each other truth, per n and model."""
    out = []
    for (n, model), g in fits.groupby(["n", "model"], sort=True):
        pos = g[g.truth == target]["p_near"].to_numpy()
        for other, h in g[g.truth != target].groupby("truth"):
            neg = h["p_near"].to_numpy()
            if len(pos) and len(neg):
                gt = (pos[:, None] > neg[None, :]).mean() + 0.5 * (
                    pos[:, None] == neg[None, :]
                ).mean()
                out.append(
                    dict(
                        n=n,
                        model=model,
                        other=other,
                        auc=float(gt),
                        n_target=len(pos),
                        n_other=len(neg),
                    )
                )
    return pd.DataFrame(out)


def _fmt(v: float, spec: str = ".2f") -> str:
    return "-" if not np.isfinite(v) else format(v, spec)


def readme(table: pd.DataFrame, aucs: pd.DataFrame, sweep_name: str, note: str = "") -> str:
    lines = [
        "# Plateau calibration study",
        "",
        *([note, ""] if note else []),
        f"Generated by `scripts/plateau_calibration.py` from the sweep `{sweep_name}`. "
        "P(near) = posterior P(|onset - 100| <= 10), onset by the default definition "
        "(docs/estimands.md); bias = mean(posterior median onset - true onset) over the "
        "replicates with a finite median; cover90 = share of 90% onset intervals holding the "
        "true onset (truths without a plateau in range: intervals reaching 'no plateau'); "
        "clean = 0 divergences, R-hat <= 1.01, bulk ESS >= 400 (averaged: all its fits clean).",
        "",
        "| n | truth | true onset | model | reps | clean | mean P(near 100) | onset bias | "
        "finite medians | cover90 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for _, r in table.iterrows():
        lines.append(
            f"| {r.n:,} | {r.truth} | {_fmt(r.true_onset, '.1f')} | {r.model} | {r.replicates} | "
            f"{r.clean_share:.2f} | {r.mean_p_near:.2f} | {_fmt(r.onset_bias, '+.1f')} | "
            f"{r.finite_medians} | {r.coverage90:.2f} |"
        )
    if len(aucs):
        lines += [
            "",
            "ROC AUC of P(near 100), plateau:100 against each other truth:",
            "",
            "| n | model | other truth | AUC | reps (plateau:100 / other) |",
            "|---|---|---|---|---|",
        ]
        for _, r in aucs.iterrows():
            lines.append(
                f"| {r.n:,} | {r.model} | {r.other} | {r.auc:.2f} | {r.n_target} / {r.n_other} |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sweep", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--note", default="", help="a paragraph put at the top of README.md")
    args = ap.parse_args()
    fits = fit_rows(args.sweep)
    table, aucs = cells(fits), auc(fits)
    args.out.mkdir(parents=True, exist_ok=True)
    write_text_atomic(args.out / "fits.csv", fits.to_csv(index=False))
    write_text_atomic(args.out / "calibration.csv", table.to_csv(index=False))
    write_text_atomic(args.out / "auc.csv", aucs.to_csv(index=False))
    manifest = args.sweep / "sweep.json"
    name = (
        json.loads(manifest.read_text()).get("name", "") if manifest.exists() else args.sweep.name
    )
    text = readme(table, aucs, name, args.note)
    write_text_atomic(args.out / "README.md", text)
    print(text)


if __name__ == "__main__":
    main()
