"""``bayes-walk simulate``: write a simulated cohort with a known truth."""

from __future__ import annotations

import argparse
import sys
import time


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the ``simulate`` subcommand."""
    parser = subparsers.add_parser(
        "simulate",
        help="simulate a HUNT-like cohort with a known dose-response truth",
        description=(
            "Simulate daily activity records, covariates and CLBP outcomes of a HUNT-like "
            "cohort whose true log-RR curves are known (stored in the file)."
        ),
    )
    parser.add_argument("--out", required=True, help="cohort NetCDF file to write")
    parser.add_argument("--n", type=int, default=11194, help="participants (default 11194)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--truth",
        default="paper",
        help="paper (default), plateau:<min>, smooth:<min>, u_shape, linear or null",
    )
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Simulate and write the cohort; user mistakes raise ``BayesWalkError`` (exit 2)."""

    import bayes_walk as bw
    from bayes_walk.cohort.truth import TruthError, parse_truth
    from bayes_walk.outputs import check_output

    # Fail on bad arguments before any work.
    parse_truth(args.truth)
    if args.n < 1:
        raise TruthError(f"--n must be a positive number of participants, got {args.n}")
    if args.seed < 0:
        raise TruthError(f"--seed must be a non-negative integer, got {args.seed}")
    check_output(args.out)
    t0 = time.perf_counter()
    print(
        f"simulating {args.n} participants (seed {args.seed}, truth {args.truth}) ...",
        file=sys.stderr,
    )
    ds = bw.simulate(n=args.n, seed=args.seed, truth=args.truth)
    bw.save_cohort(ds, args.out)
    print(
        f"wrote {args.out}: {ds.sizes['participant']} participants, "
        f"{int(ds['clbp'].sum())} cases ({float(ds['clbp'].mean()):.1%}), "
        f"truth {ds.attrs['truth']} ({time.perf_counter() - t0:.1f} s)",
        file=sys.stderr,
    )
    return 0
