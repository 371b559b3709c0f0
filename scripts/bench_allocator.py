"""Time per gradient with glibc's default malloc thresholds and with them raised.

The day model's op alone spends most of its time in page faults at n = 200,000 (its
per-call arrays are above glibc's mmap threshold and are handed back to the kernel on
free; docs/performance.md). This measures whether raising the thresholds
(``mallopt(M_MMAP_THRESHOLD, 64 MB)``, ``mallopt(M_TRIM_THRESHOLD, 256 MB)``, so that freed
blocks stay in the heap) pays for a whole gradient.

For each cohort size, fresh processes (the setting is process-wide and cannot be
undone) build the fused ``gp`` model and the shipped measurement-error model
(``gp_habit``: days on volume, the habit's predictors, log-binomial) on the same simulated
cohort with its daily series, compile ``logp + dlogp`` with PyTensor's numba backend on
frozen data (as a one-off nutpie fit does) and time repeated calls
(``bench_gradient.time_gradient``): one process with the default thresholds, one after
:func:`keep_freed_pages`.
The processes run one after the other; the machine is shared, so compare the two columns
of a row, not rows of different runs.

Usage: python scripts/bench_allocator.py [--n 11194,50000,200000] [--calls 400]
       [--out reports/bench/allocator_gradient.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

SPECS = ("gp", "gp_habit")


# mallopt parameters (glibc's malloc.h) and the raised thresholds
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
RAISED = {M_MMAP_THRESHOLD: 64 * 2**20, M_TRIM_THRESHOLD: 256 * 2**20}


def keep_freed_pages() -> bool:
    """Raise glibc's thresholds for this process; whether it worked (glibc only)."""
    import ctypes

    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    return all(mallopt(k, v) == 1 for k, v in RAISED.items())


def child(n: int, calls: int, keep: bool) -> dict:
    """One process's timings (printed as JSON by ``--child``)."""
    # before the heavy imports, so that every allocation after them sees the thresholds
    applied = keep_freed_pages() if keep else False
    from bench_gradient import time_gradient

    from bayes_walk.cohort.simulate import simulate_cohort
    from bayes_walk.model.builder import build_model
    from bayes_walk.spec.model_spec import load_spec

    cohort = simulate_cohort(n=n, seed=0, keep_daily=True, exposure_on="habit")
    out: dict = {"n": n, "keep_freed_pages": applied}
    for name in SPECS:
        built = build_model(load_spec(name), cohort, fused=True)
        timed = time_gradient(built.model, calls)
        out[name] = {k: timed[k] for k in ("ms_per_gradient", "ms_per_gradient_min")}
    return out


def sizes(text: str) -> list[int]:
    """``--n``: comma-separated positive cohort sizes."""
    try:
        out = [int(v) for v in text.split(",")]
    except ValueError:
        out = []
    if not out or min(out) < 1:
        raise argparse.ArgumentTypeError(
            f"expected positive integers like 11194,50000; got {text!r}"
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--n", type=sizes, default="11194,50000,200000", help="cohort sizes, comma-separated"
    )
    ap.add_argument("--calls", type=int, default=400)
    ap.add_argument("--out")
    ap.add_argument("--child", choices=("default", "keep"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child(a.n[0], a.calls, a.child == "keep")))
        return
    rows = []
    here = os.path.dirname(os.path.abspath(__file__))
    for n in a.n:
        for order in (("default", "keep"), ("keep", "default")):
            row: dict = {"n": n, "order": list(order)}
            for mode in order:
                load = os.getloadavg()[0]
                cmd = [sys.executable, os.path.join(here, "bench_allocator.py"), "--child", mode]
                cmd += ["--n", str(n), "--calls", str(a.calls)]
                res = subprocess.run(cmd, capture_output=True, text=True, cwd=here, check=False)
                if res.returncode != 0:
                    sys.exit(f"bench_allocator: {mode} at n = {n} failed:\n{res.stderr}")
                row[mode] = json.loads(res.stdout.strip().splitlines()[-1])
                row[mode]["load_before"] = round(load, 2)
            for name in SPECS:
                d, k = row["default"][name], row["keep"][name]
                row[f"{name}_ratio_default_over_keep"] = round(
                    d["ms_per_gradient"] / k["ms_per_gradient"], 3
                )
            rows.append(row)
            print(json.dumps(row), flush=True)
    settings = {"n": ",".join(map(str, a.n)), "calls": a.calls}
    out = {"settings": settings, "cpus": os.cpu_count(), "rows": rows}
    text = json.dumps(out, indent=1)
    print(text)
    if a.out:
        from bayes_walk.atomic import write_text_atomic

        write_text_atomic(a.out, text + "\n")


if __name__ == "__main__":
    main()
