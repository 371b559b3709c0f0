"""``bayes-walk report FIT... --out DIR``: self-contained HTML and Markdown report."""

from __future__ import annotations

import argparse

from bayes_walk.cli.argtypes import nonnegative_float, positive_float


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register ``report``."""
    p = subparsers.add_parser(
        "report",
        help="HTML + Markdown report: Table 1/2/3, curves, plateau, checks, LOO",
        description=(
            "Write DIR/index.html (figures embedded) and DIR/report.md with figures under "
            "DIR/figures: inclusion flow and Table 1 (when the cohort file is found), Table 2 "
            "Bayesian beside frequentist, dose-response curves, the plateau onset posterior, "
            "Table 3, predictive checks, LOO comparison and diagnostics in plain words."
        ),
    )
    p.add_argument("fits", nargs="*", metavar="FIT", help="fit files written by `bayes-walk fit`")
    p.add_argument(
        "--sweep", metavar="DIR", help="a sweep folder: forest plot of its analyses and a table"
    )
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument(
        "--near", type=nonnegative_float, default=100.0, help="plateau question: near (100)"
    )
    p.add_argument(
        "--within", type=positive_float, default=10.0, help="plateau question: within (10)"
    )
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Build the report."""
    import warnings

    import bayes_walk as bw
    from bayes_walk.errors import BayesWalkError
    from bayes_walk.outputs import check_output

    if bool(args.sweep) == bool(args.fits):
        raise BayesWalkError("give fit files or --sweep DIR (one of them)")
    if args.sweep:
        from bayes_walk.reporting.sweep import sweep_report

        check_output(args.out, inputs=(args.sweep,), kind="folder")
        for path in sweep_report(args.sweep, args.out):
            print(path)
        return 0

    check_output(args.out, inputs=args.fits, kind="folder")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        bw.report(args.fits, out=args.out, near=args.near, within=args.within)
    return 0
