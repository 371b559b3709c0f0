"""Fit benchmark: bayes_walk's default ``gp`` vs naive PyMC vs Bambi, scaling, numpyro.

Every part runs as its own subprocess on one simulated ``paper`` cohort saved to a
temporary NetCDF, so all runners read identical data and each pays its own imports and
compilation. Results are merged into ``reports/bench/fit.json`` (parts not run keep their
earlier figures, with their own time stamps) and rendered to ``reports/bench/fit.md``;
ratios are only formed between parts of the same invocation.

Examples
--------
    .venv/bin/python scripts/bench.py                       # everything (long)
    .venv/bin/python scripts/bench.py --only ours naive bambi
    .venv/bin/python scripts/bench.py --only scaling --scaling-n 11194 50000 200000
    .venv/bin/python scripts/bench.py --only numpyro

Bambi runs in its own venv (``scripts/setup_bambi_env.sh`` creates /work/bambi-venv).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import bench_report  # noqa: E402

PARTS = ("ours", "naive", "bambi", "numpyro", "scaling")
RUNNERS = {"ours": "bench_ours.py", "naive": "bench_naive.py", "bambi": "bench_bambi.py"}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS), help="parts to run")
    p.add_argument("--n", type=int, default=11194, help="cohort size of the side-by-side run")
    p.add_argument("--seed", type=int, default=0, help="simulation seed")
    p.add_argument("--sample-seed", type=int, default=1)
    p.add_argument("--chains", type=int, default=4)
    p.add_argument("--tune", type=int, default=1000)
    p.add_argument("--draws", type=int, default=1000)
    p.add_argument("--cores", type=int, default=2, help="cores for pm.sample (naive, Bambi)")
    p.add_argument(
        "--baseline-tune", type=int, default=None, help="tune for naive/Bambi (default --tune)"
    )
    p.add_argument(
        "--baseline-draws", type=int, default=None, help="draws for naive/Bambi (default --draws)"
    )
    p.add_argument(
        "--bambi-tune",
        type=int,
        default=None,
        help="tune for Bambi only (its default fit "
        "saturates the tree depth: ~760 gradients per draw, an hour for 4 x (1000+1000))",
    )
    p.add_argument("--bambi-draws", type=int, default=None, help="draws for Bambi only")
    p.add_argument("--scaling-n", type=int, nargs="+", default=[11194, 50000, 200000])
    p.add_argument("--numpyro-n", type=int, default=None, help="n of the numpyro run (default --n)")
    p.add_argument("--no-warm-refit", action="store_true", help="skip ours' second (warm) fit")
    p.add_argument(
        "--bambi-python", default=os.environ.get("BAMBI_PYTHON", "/work/bambi-venv/bin/python")
    )
    p.add_argument("--timeout", type=float, default=None, help="seconds per part (none by default)")
    p.add_argument("--out-dir", default=str(ROOT / "reports" / "bench"))
    return p.parse_args(argv)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


def make_cohort_file(n: int, seed: int, tmp: Path) -> tuple[Path, dict]:
    """Simulate and save the cohort; returns its path and a description incl. the truth."""
    import bench_cohort
    import numpy as np

    ds, generator = bench_cohort.make_cohort(n, seed)
    path = tmp / f"cohort_{n}_{seed}.nc"
    bench_cohort.save(ds, str(path))
    info = {"n": n, "seed": seed, "generator": generator, "cases": int(ds["clbp"].sum())}
    if "true_logrr_walking_min" in ds:
        t = ds["true_logrr_walking_min"]
        if t.ndim == 1:
            grid = np.asarray(t[t.dims[0]].values, dtype=float)
            f = np.asarray(t.values, dtype=float)
            f78 = np.interp(78.0, grid, f)
            info["true_logrr"] = {
                str(int(x)): float(np.interp(x, grid, f) - f78) for x in (100, 150)
            }
    return path, info


def run_part(
    name: str, python: str, runner: str, cohort: Path, args: argparse.Namespace, tmp: Path, extra=()
) -> dict:
    """Run one runner as a subprocess; returns its result or an ``error`` record."""
    out = tmp / f"{name}.json"
    log = tmp / f"{name}.log"
    baseline = name in ("naive", "bambi")
    tune = args.baseline_tune if baseline and args.baseline_tune else args.tune
    draws = args.baseline_draws if baseline and args.baseline_draws else args.draws
    if name == "bambi":
        tune = args.bambi_tune or tune
        draws = args.bambi_draws or draws
    cmd = [
        python,
        str(HERE / runner),
        "--cohort",
        str(cohort),
        "--out",
        str(out),
        "--chains",
        str(args.chains),
        "--tune",
        str(tune),
        "--draws",
        str(draws),
        "--cores",
        str(args.cores),
        "--seed",
        str(args.sample_seed),
        "--label",
        name,
        *extra,
    ]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), str(ROOT), env.get("PYTHONPATH", "")])
    load = os.getloadavg()[0]
    started = _now()
    print(f"[bench] {started} {name}: {' '.join(cmd[1:3])} (load {load:.1f})", file=sys.stderr)
    t0 = time.perf_counter()
    try:
        with open(log, "w") as fh:
            proc = subprocess.run(
                cmd, stdout=fh, stderr=subprocess.STDOUT, env=env, timeout=args.timeout
            )
        rc = proc.returncode
    except subprocess.TimeoutExpired:
        rc = "timeout"
    except FileNotFoundError as exc:
        return {"error": f"cannot start {python}: {exc}", "measured_at": started}
    elapsed = time.perf_counter() - t0
    if rc != 0 or not out.exists():
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        print(f"[bench] {name} failed ({rc}); log tail:\n{tail}", file=sys.stderr)
        return {"error": f"exit {rc} after {elapsed:.0f} s: {tail[-300:]}", "measured_at": started}
    result = json.loads(out.read_text())
    result.update(
        measured_at=started, load_avg_start=load, load_avg_end=os.getloadavg()[0], process_s=elapsed
    )
    print(
        f"[bench] {name}: wall {result['wall_s']:.1f} s, div {result['diagnostics']['divergences']}, "
        f"R-hat {result['diagnostics']['max_rhat']:.3f}, ESS {result['diagnostics']['min_ess_bulk']:.0f}",
        file=sys.stderr,
    )
    return result


def machine() -> dict:
    import importlib.metadata as md

    vers = {}
    for pkg in ("pymc", "pytensor", "nutpie", "numpyro", "jax", "arviz", "numpy"):
        try:
            vers[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            vers[pkg] = None
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        **vers,
    }


def load_record(path: Path) -> dict:
    if path.exists():
        try:
            return json.loads(path.read_text())
        except json.JSONDecodeError:
            pass
    return {"runs": {}}


NOTES = [
    "Timings come from a 2-core machine shared with other jobs: wall times are stretched by "
    "their load (see load avg), CPU seconds much less; compare ratios from the same run.",
    "Naive PyMC and Bambi use PyTensor's C backend, which on a pip install finds no BLAS "
    "('PyTensor could not link to a BLAS installation'); bayes_walk samples with nutpie "
    "(JAX or numba). That is the setup a pip user gets.",
    "ESS is the minimum bulk ESS over the intercept, the volume log-RR at 100 and 150 vs 78 "
    "min/day and the GP lengthscales and amplitudes; ESS/s divides it by the wall time.",
]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from bayes_walk.atomic import write_text_atomic

    out_dir = Path(args.out_dir)
    record = load_record(out_dir / "fit.json")
    runs = record.setdefault("runs", {})
    run_id = uuid.uuid4().hex[:12]
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="bayes_walk_bench_") as tmpname:
        tmp = Path(tmpname)
        cohort, info = make_cohort_file(args.n, args.seed, tmp)
        new: dict[str, dict] = {}
        warm = () if args.no_warm_refit else ("--warm-refit",)
        if "ours" in args.only:
            new["ours"] = run_part("ours", py, RUNNERS["ours"], cohort, args, tmp, warm)
        if "naive" in args.only:
            new["naive"] = run_part("naive", py, RUNNERS["naive"], cohort, args, tmp)
        if "bambi" in args.only:
            new["bambi"] = run_part("bambi", args.bambi_python, RUNNERS["bambi"], cohort, args, tmp)
        if "numpyro" in args.only:
            n_np = args.numpyro_n or args.n
            c_np = cohort if n_np == args.n else make_cohort_file(n_np, args.seed, tmp)[0]
            new["numpyro"] = run_part(
                "numpyro", py, RUNNERS["ours"], c_np, args, tmp, ("--sampler", "numpyro")
            )
        if "scaling" in args.only:
            for n in args.scaling_n:
                if n == args.n and "ours" in new and "error" not in new["ours"]:
                    new[f"scaling_{n}"] = new["ours"]
                    continue
                c_n = cohort if n == args.n else make_cohort_file(n, args.seed, tmp)[0]
                new[f"scaling_{n}"] = run_part(f"scaling_{n}", py, RUNNERS["ours"], c_n, args, tmp)
    for r in new.values():
        r["run_id"] = run_id
    runs.update(new)
    record.update(
        generated_at=_now(),
        last_run_id=run_id,
        cohort=info,
        machine=machine(),
        ratios=bench_report.ratios(runs),
        targets=bench_report.targets(runs),
        scaling=bench_report.scaling_table(runs),
        gpu=bench_report.GPU_NOTE,
        notes=NOTES,
    )
    write_text_atomic(out_dir / "fit.json", json.dumps(record, indent=2) + "\n")
    write_text_atomic(out_dir / "fit.md", bench_report.render_markdown(record))
    print(f"[bench] wrote {out_dir / 'fit.json'} and {out_dir / 'fit.md'}", file=sys.stderr)
    return 0 if all("error" not in r for r in new.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
