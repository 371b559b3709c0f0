"""``bayes-walk compare FIT FIT... [--json]``: rank fits of one cohort by PSIS-LOO."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bayes_walk.cli.tables import add_format_option, emit


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "compare",
        help="compare fits of the same cohort by LOO",
        description=(
            "elpd_loo with SE, differences to the best model with their SE, stacking "
            "weights and Pareto-k warnings. Fits must come from the same cohort file."
        ),
    )
    parser.add_argument("fits", nargs="+", metavar="FIT", help="fit files (two or more)")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    add_format_option(parser)
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    import bayes_walk as bw
    from bayes_walk.checks.compare import compare_fits, format_table, pareto_warnings, to_json

    fits = [bw.load_fit(path) for path in args.fits]
    names = [f.name or Path(p).stem for f, p in zip(fits, args.fits, strict=True)]
    ranked = compare_fits([f.idata for f in fits], names=names)
    if args.json:
        print(json.dumps(to_json(ranked)))
        for warning in pareto_warnings(ranked):
            print(f"compare: warning: {warning}", file=sys.stderr)
    elif args.format != "text":
        from bayes_walk.answers.exports import compare_frame

        print(emit([("", compare_frame(ranked))], args.format))
        for warning in pareto_warnings(ranked):
            print(f"compare: warning: {warning}", file=sys.stderr)
    else:
        print(format_table(ranked))
    return 0
