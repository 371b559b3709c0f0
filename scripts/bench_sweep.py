"""Benchmark: R replicate fits through the sweep engine vs a loop of ``bayes-walk fit`` calls.

Both on the same machine, in one run, on the same simulated cohorts (n participants,
seeds 1..R, truth "paper") and the same spec and sampler settings. The loop is how the
studies ran before the sweep engine: one ``bayes-walk fit`` process per replicate, one
after another (each imports the stack, builds the model and compiles it). The engine runs
the replicates on a LocalCluster of ``--workers`` process workers that compile the model
once each and swap the data in.

Reported (``reports/bench/sweep_bench.json`` and ``.md``): wall time and throughput of
each, and the per-task overhead beyond sampling: the task's wall time minus the sampler's
own time (``seconds_sampling`` in the fit's diagnostics; it includes the model's
compilation when that happens inside the sampler call). The cohort simulation of the loop
is timed apart and left out of its figures.

    python scripts/bench_sweep.py                      # 40 replicates at n = 2,000
    python scripts/bench_sweep.py --replicates 4       # a quick check
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SWEEP = """
name = "bench_sweep"
[cohorts]
simulate = {{ n = {n}, truth = "paper", seeds = {seeds} }}
[models]
specs = ["{spec}"]
[fit]
chains = {chains}
draws = {draws}
tune = {tune}
seed = 0
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = f"{ROOT}{os.pathsep}{env.get('PYTHONPATH', '')}"
    return env


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "bayes_walk.cli.main", *args]


def run_engine(args, work: Path) -> dict:
    from bayes_walk.sweep import run_sweep

    seeds = list(range(1, args.replicates + 1))
    sweep = work / "bench.toml"
    sweep.write_text(
        SWEEP.format(
            n=args.n, seeds=seeds, spec=args.spec, chains=args.chains, draws=args.draws,
            tune=args.tune,
        )
    )  # fmt: skip
    t0 = time.perf_counter()
    df = run_sweep(sweep, work / "engine", workers=args.workers, progress=True)
    wall = time.perf_counter() - t0
    tasks = df.drop_duplicates("task")
    over = (tasks["wall_s"] - tasks["seconds_sampling"]).tolist()
    reused = tasks[tasks["reused_model"].fillna(False)]
    return {
        "wall_s": round(wall, 2),
        "tasks": int(len(tasks)),
        "failed": int((tasks["status"] != "done").sum()),
        "throughput_per_min": round(len(tasks) / wall * 60, 2),
        "task_wall_s_median": round(float(tasks["wall_s"].median()), 2),
        "sampling_s_median": round(float(tasks["seconds_sampling"].median()), 2),
        "overhead_s_median": round(statistics.median(over), 2),
        "overhead_s_median_reused": round(
            float((reused["wall_s"] - reused["seconds_sampling"]).median()), 2
        )
        if len(reused)
        else None,
        "sampling_s_median_reused": round(float(reused["seconds_sampling"].median()), 2)
        if len(reused)
        else None,
        "first_task_on_worker_wall_s": [
            round(float(x), 2) for x in tasks[~tasks["reused_model"].fillna(False)]["wall_s"]
        ],
        "rss_mb_max": round(float(tasks["rss_mb"].max()), 1),
    }


def run_loop(args, work: Path) -> dict:
    from bayes_walk.results import load_fit

    env = _env()
    sim_s, rows = 0.0, []
    for seed in range(1, args.replicates + 1):
        cohort = work / f"cohort_{seed}.nc"
        t = time.perf_counter()
        cmd = _cli("simulate", "--out", str(cohort), "--n", str(args.n), "--seed", str(seed))
        subprocess.run(cmd, env=env, check=True, capture_output=True)
        sim_s += time.perf_counter() - t
        fit = work / f"fit_{seed}.nc"
        cmd = _cli(
            "fit", args.spec, "--data", str(cohort), "--out", str(fit), "--chains",
            str(args.chains), "--draws", str(args.draws), "--tune", str(args.tune), "--seed", "0",
        )  # fmt: skip
        t = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, capture_output=True)
        wall = time.perf_counter() - t
        diag = json.loads(load_fit(fit).idata.attrs["diagnostics"])
        rows.append((wall, float(diag["seconds_sampling"])))
        print(f"[loop] replicate {seed}: {wall:.1f} s", file=sys.stderr, flush=True)
    wall = sum(w for w, _ in rows)
    return {
        "wall_s": round(wall, 2),
        "tasks": len(rows),
        "throughput_per_min": round(len(rows) / wall * 60, 2),
        "task_wall_s_median": round(statistics.median(w for w, _ in rows), 2),
        "sampling_s_median": round(statistics.median(s for _, s in rows), 2),
        "overhead_s_median": round(statistics.median(w - s for w, s in rows), 2),
        "simulate_s_excluded": round(sim_s, 2),
    }


def _markdown(res: dict) -> str:
    e, lo, s = res["engine"], res["loop"], res["settings"]
    lines = [
        "# Sweep engine vs a loop of `bayes-walk fit` calls",
        "",
        f"{s['replicates']} replicate fits of `{s['spec']}` at n = {s['n']} ({s['chains']} "
        f"chains x ({s['tune']} tune + {s['draws']} draws)); engine on {s['workers']} "
        f"workers; {s['machine']}; {s['date']}.",
        "",
        "| | wall (s) | fits/min | task wall median (s) | sampling median (s) | "
        "overhead beyond sampling, median (s) |",
        "|---|---|---|---|---|---|",
        f"| loop of `bayes-walk fit` | {lo['wall_s']} | {lo['throughput_per_min']} | "
        f"{lo['task_wall_s_median']} | {lo['sampling_s_median']} | {lo['overhead_s_median']} |",
        f"| sweep engine | {e['wall_s']} | {e['throughput_per_min']} | "
        f"{e['task_wall_s_median']} | {e['sampling_s_median']} | {e['overhead_s_median']} |",
        "",
        f"Throughput ratio engine / loop: **{res['throughput_ratio']}x**. Tasks that reused "
        f"a worker's compiled model: overhead median {e['overhead_s_median_reused']} s, "
        f"sampling median {e['sampling_s_median_reused']} s; first task per worker (build + "
        f"compile): {e['first_task_on_worker_wall_s']} s. Max worker RSS {e['rss_mb_max']} MB.",
        "",
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--replicates", type=int, default=40)
    p.add_argument("--n", type=int, default=2000)
    p.add_argument("--spec", default="gp")
    p.add_argument("--chains", type=int, default=2)
    p.add_argument("--draws", type=int, default=500)
    p.add_argument("--tune", type=int, default=500)
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    p.add_argument("--out", default=str(ROOT / "reports" / "bench"))
    args = p.parse_args(argv)
    from bayes_walk.atomic import write_text_atomic

    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as tmp:
        work = Path(tmp)
        engine = run_engine(args, work)
        loop = run_loop(args, work)
    res = {
        "settings": {
            **{k: getattr(args, k) for k in ("replicates", "n", "spec", "chains", "draws")},
            "tune": args.tune,
            "workers": args.workers,
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        },
        "engine": engine,
        "loop": loop,
        "throughput_ratio": round(engine["throughput_per_min"] / loop["throughput_per_min"], 2),
    }
    out = Path(args.out)
    stem = "sweep_bench" if args.replicates >= 40 else f"sweep_bench_{args.replicates}"
    write_text_atomic(out / f"{stem}.json", json.dumps(res, indent=1))
    write_text_atomic(out / f"{stem}.md", _markdown(res))
    print(_markdown(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
