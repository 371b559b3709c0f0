"""``bayes-walk plateau fit.nc``: does the curve level off near a given exposure, and how sure?"""

from __future__ import annotations

import argparse
import json
import math
import sys

from bayes_walk.cli.argtypes import nonnegative_float, positive_float

# same defaults as bayes_walk.estimands.plateau (not imported here: keeps --help fast)
DEFAULT_DELTA = -math.log(0.98)
DEFAULT_TAIL = 0.10


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register ``plateau``."""
    p = subparsers.add_parser(
        "plateau",
        help="plateau onset posterior, P(plateau near X), remaining benefit, minimal dose",
        description=(
            "From the curve draws of any model form: the plateau onset x* = min{x : R(x) <= "
            "delta} with R(x) = f(x) - min_{x' >= x} f(x'), its posterior, P(|x* - near| <= "
            "within), the remaining benefit at 'near', the minimal dose for a target RR and "
            "P(RR < 1); for changepoint fits also tau's posterior."
        ),
    )
    p.add_argument("fit", help="fit file written by `bayes-walk fit`")
    p.add_argument("--exposure", default="walking_min", help="exposure (default walking_min)")
    p.add_argument(
        "--near", type=nonnegative_float, default=100.0, help="exposure value asked about (100)"
    )
    p.add_argument(
        "--within", type=positive_float, default=10.0, help="half-width around near (10)"
    )
    p.add_argument(
        "--delta",
        type=float,
        default=DEFAULT_DELTA,
        help="remaining-benefit threshold on the log-RR scale (default -log(0.98) = 0.0202)",
    )
    p.add_argument(
        "--tail",
        type=float,
        default=DEFAULT_TAIL,
        help="onsets in this top fraction of the range count as no plateau (default 0.1)",
    )
    p.add_argument("--target-rr", type=float, default=0.85, help="RR for the minimal dose (0.85)")
    p.add_argument("--stratum", default=None, help="stratum for the top-level numbers")
    p.add_argument("--hdi", action="store_true", help="highest-density instead of equal-tailed")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Print the plateau answer for ``args.fit``."""
    from bayes_walk.errors import FitFileError
    from bayes_walk.estimands.cohort_link import read_fit
    from bayes_walk.estimands.plateau_report import plateau_summary
    from bayes_walk.report.text import plateau_text

    if not 0 <= args.tail < 1:
        raise FitFileError(f"--tail must lie in [0, 1), got {args.tail}")
    idata = read_fit(args.fit)
    print(f"computing the plateau posterior from {args.fit} ...", file=sys.stderr)
    out = plateau_summary(
        idata,
        args.exposure,
        near=args.near,
        within=args.within,
        delta=args.delta,
        tail=args.tail,
        target_rr=args.target_rr,
        stratum=args.stratum,
        hdi=args.hdi,
    )
    if args.json:
        print(json.dumps(out, indent=2, allow_nan=False))
    else:
        print(plateau_text(out))
    return 0
