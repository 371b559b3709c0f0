"""``bayes-walk describe``: Table 1 by volume quartile and the inclusion flow."""

from __future__ import annotations

import argparse

from bayes_walk.cli.tables import add_format_option, emit


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register the ``describe`` subcommand."""
    p = subparsers.add_parser(
        "describe",
        help="Table 1 by walking-volume quartile and the inclusion flow of a cohort file",
    )
    p.add_argument("cohort", help="cohort NetCDF file (from import or simulate)")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    add_format_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load the cohort, print the description."""
    import json

    import bayes_walk as bw
    from bayes_walk.cohort.describe import describe_cohort, format_table1

    d = describe_cohort(bw.load_cohort(args.cohort))
    if args.json:
        print(json.dumps(d))
    elif args.format != "text":
        from bayes_walk.answers.exports import describe_frames

        print(emit(describe_frames(d), args.format))
    else:
        print(format_table1(d))
    return 0
