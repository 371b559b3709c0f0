"""Benchmark the cohort stage: simulating 11,194 participants and importing 50,000 x 7 days.

Usage::

    .venv/bin/python scripts/bench_cohort_io.py [--repeat 3] [--n-import 50000]

(a) ``simulate_cohort(n=11194, seed=1)`` (target under 10 s);
(b) importing a generated long HUNT table of ``n_import`` participants x 7 days from CSV
    with ``import_cohort(..., "hunt")``: read, validate, derive exposures, inclusion flow
    (target under 30 s); writing the cohort NetCDF is timed separately.

Writes ``reports/bench/cohort.json`` and ``reports/bench/cohort.md`` (atomically).
Timings are wall-clock seconds, best of ``--repeat`` runs, with every run listed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from bayes_walk.atomic import write_text_atomic
from bayes_walk.cohort.adapters import import_cohort
from bayes_walk.cohort.schema import ACTIVITIES, paper_levels
from bayes_walk.cohort.store import save_cohort

ROOT = Path(__file__).resolve().parents[1]
TARGETS_S = {"simulate_11194": 10.0, "import_50000x7_csv": 30.0}


def make_tables(n: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A participants table and a long daily table in seconds (about 15% of days absent)."""
    rng = np.random.default_rng(seed)
    lv = paper_levels()
    ids = np.char.add("H", np.arange(n).astype(str))
    participants = pd.DataFrame(
        {
            "participant_id": ids,
            "clbp": (rng.random(n) < 0.148).astype(int),
            "age": np.round(np.clip(rng.normal(55.3, 15.1, n), 20, 95), 1),
            "followup_years": np.round(rng.uniform(3.5, 5.0, n), 2),
            "municipality": rng.integers(5001, 5041, n),
        }
    )
    for name, levels in lv.items():
        participants[name] = np.asarray(levels, dtype=object)[rng.integers(0, len(levels), n)]
    days = 7
    rows = n * days
    habitual = rng.lognormal(np.log(100 * 60), 0.35, n)  # walking seconds per day
    walk = np.repeat(habitual, days) * rng.lognormal(0.0, 0.25, rows)
    share = rng.dirichlet([4.0, 4.0, 2.0], rows)
    daily = pd.DataFrame(
        {"participant_id": np.repeat(ids, days), "day": np.tile(np.arange(1, days + 1), n)}
    )
    walk = np.minimum(walk, 6 * 3600.0)
    daily["walk_slow"] = np.round(walk * share[:, 0])
    daily["walk_moderate"] = np.round(walk * share[:, 1])
    daily["walk_brisk"] = np.round(walk * share[:, 2])
    daily["running"] = np.round(np.minimum(rng.exponential(120.0, rows), 3600.0))
    daily["cycling"] = np.round(np.minimum(rng.exponential(300.0, rows), 3600.0))
    # postures share what is left of the worn part of the day, so a day never exceeds 24 h
    moving = walk + daily["running"].to_numpy() + daily["cycling"].to_numpy()
    worn = (86_400.0 - moving) * rng.uniform(0.75, 0.97, rows)
    posture = rng.dirichlet([9.0, 10.0, 4.0], rows)
    for j, cls in enumerate(("lying", "sitting", "standing")):
        daily[cls] = np.floor(worn * posture[:, j])
    keep = rng.random(rows) > 0.15
    return participants, daily.loc[keep, ["participant_id", "day", *ACTIVITIES]]


def timed(fn: Callable[[], object], repeat: int) -> tuple[list[float], object]:
    runs, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        runs.append(time.perf_counter() - t0)
    return runs, out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--n-import", type=int, default=50_000)
    ap.add_argument("--out-dir", default=str(ROOT / "reports" / "bench"))
    args = ap.parse_args()

    from bayes_walk.cohort.simulate import simulate_cohort

    results: dict[str, dict] = {}
    sim_runs, sim = timed(lambda: simulate_cohort(n=11194, seed=1), args.repeat)
    results["simulate_11194"] = {"runs_s": sim_runs, "n": int(sim.sizes["participant"])}
    print(f"simulate 11,194: best {min(sim_runs):.2f} s  runs {sim_runs}", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        participants, daily = make_tables(args.n_import)
        pf, df = Path(tmp) / "participants.csv", Path(tmp) / "daily.csv"
        participants.to_csv(pf, index=False)
        daily.to_csv(df, index=False)
        imp_runs, ds = timed(lambda: import_cohort(pf, df, "hunt"), args.repeat)
        save_runs, _ = timed(lambda: save_cohort(ds, Path(tmp) / "cohort.nc"), 1)
        results["import_50000x7_csv"] = {
            "runs_s": imp_runs,
            "participants": args.n_import,
            "daily_rows": len(daily),
            "daily_csv_mb": round(os.path.getsize(df) / 2**20, 1),
            "included": int(ds.sizes["participant"]),
        }
        results["save_netcdf"] = {"runs_s": save_runs}
    print(f"import {args.n_import:,} x 7 CSV: best {min(imp_runs):.2f} s  runs {imp_runs}")

    for key, res in results.items():
        res["best_s"] = min(res["runs_s"])
        if key in TARGETS_S:
            res["target_s"] = TARGETS_S[key]
            res["meets_target"] = res["best_s"] < TARGETS_S[key]
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
        },
        "results": results,
    }
    out = Path(args.out_dir)
    write_text_atomic(out / "cohort.json", json.dumps(report, indent=2) + "\n")
    lines = [
        "# Cohort stage benchmark",
        "",
        f"Run {report['when']} on {report['machine']['platform']} "
        f"({report['machine']['cpu_count']} CPUs), `scripts/bench_cohort_io.py`.",
        "",
        "| step | best (s) | runs (s) | target (s) | meets |",
        "|---|---:|---|---:|---|",
    ]
    names = {
        "simulate_11194": "simulate_cohort(n=11194, seed=1)",
        "import_50000x7_csv": f"import {args.n_import:,} x 7-day long HUNT CSV",
        "save_netcdf": "save that cohort to NetCDF",
    }
    for key, res in results.items():
        runs = ", ".join(f"{r:.2f}" for r in res["runs_s"])
        target = f"{res['target_s']:.0f}" if "target_s" in res else "-"
        meets = ("yes" if res["meets_target"] else "NO") if "meets_target" in res else "-"
        lines.append(f"| {names[key]} | {res['best_s']:.2f} | {runs} | {target} | {meets} |")
    imp = results["import_50000x7_csv"]
    lines += [
        "",
        f"Import table: {imp['daily_rows']:,} daily rows ({imp['daily_csv_mb']} MB CSV), "
        f"{imp['included']:,} participants included.",
        "",
    ]
    write_text_atomic(out / "cohort.md", "\n".join(lines))
    print(f"wrote {out / 'cohort.json'} and {out / 'cohort.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
