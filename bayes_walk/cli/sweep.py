"""``bayes-walk sweep SWEEP.toml --out DIR``: many fits on Dask, resumable."""

from __future__ import annotations

import argparse


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register ``sweep``."""
    p = subparsers.add_parser(
        "sweep",
        help="run a sweep file (cohorts x variants x specs x replicates) on Dask",
        description=(
            "Run every task of SWEEP.toml (one fit plus its estimands each) on a Dask "
            "LocalCluster (one single-threaded process worker per core) or on a running "
            "scheduler. Each task's record (DIR/tasks/<hash>.json) and fit "
            "(DIR/fits/<hash>.nc) are written atomically; a rerun skips finished tasks; "
            "DIR/results.csv and DIR/results.parquet hold one row per task and estimand."
        ),
    )
    p.add_argument("sweep", metavar="SWEEP.toml", help="sweep file")
    p.add_argument("--out", required=True, metavar="DIR", help="sweep folder")
    p.add_argument(
        "--scheduler", metavar="ADDRESS", help="running Dask scheduler, e.g. tcp://host:8786"
    )
    p.add_argument("--workers", type=int, metavar="N", help="LocalCluster workers (cores)")
    p.add_argument("--retry-failed", action="store_true", help="run tasks recorded as failed again")
    p.add_argument("--json", action="store_true", help="one JSON object on stdout")
    p.set_defaults(func=run)
    return p


def _kept_line(out: str):
    """What an interrupted sweep leaves: its finished task records (a rerun resumes)."""
    from pathlib import Path

    from bayes_walk.sweep.store import TASKS

    def line() -> str | None:
        tasks = Path(out) / TASKS
        n = sum(1 for _ in tasks.glob("*.json")) if tasks.is_dir() else 0
        if not n:
            return None
        return (
            f"the {n} finished task record(s) in {tasks} are kept and the results table "
            "was not written; rerun the same command to resume"
        )

    return line


def run(args: argparse.Namespace) -> int:
    """Run the sweep; exit 0 when every task is done, 1 when some failed."""
    import json
    import sys

    from bayes_walk.sweep import SweepError, run_sweep

    if args.workers is not None and args.workers < 1:
        raise SweepError(f"--workers must be >= 1, got {args.workers}")
    if args.scheduler and args.workers is not None:
        raise SweepError("--workers applies to the local cluster; drop it with --scheduler")
    from bayes_walk.interrupts import WATCH

    WATCH.kept = _kept_line(args.out)
    try:
        df = run_sweep(
            args.sweep,
            args.out,
            scheduler=args.scheduler,
            workers=args.workers,
            retry_failed=args.retry_failed,
        )
    finally:
        WATCH.kept = None
    info = dict(df.attrs["sweep"])
    first = df.drop_duplicates("task")
    failed = first[first["status"] == "failed"]
    info["results"] = str(f"{info['out']}/results.csv")
    info["parquet"] = str(f"{info['out']}/results.parquet")
    info["failures"] = [
        {"cohort": r.cohort, "variant": r.variant, "spec": r.spec, "error": r.error}
        for r in failed.itertuples()
    ]
    if args.json:
        print(json.dumps(info))
    else:
        print(
            f"{info['tasks']} tasks: {info['done']} done, {info['failed']} failed "
            f"({info['ran']} run now, {info['skipped']} finished earlier) in {info['wall_s']} s"
        )
        print(f"results: {info['results']} and {info['parquet']}")
        for f in info["failures"]:
            print(f"failed: {f['cohort']} / {f['variant']} / {f['spec']}: {f['error']}")
    sys.stdout.flush()
    return 1 if info["failed"] else 0
