"""``bayes-walk ppc fit.nc [--json] [--band LO HI]``: posterior predictive checks.

Exit code 0 when every check passes, 1 when any p-value falls outside its band, 2 for a
user error (unreadable fit, bad band). ``--figure PATH`` also writes the calibration plot.
"""

from __future__ import annotations

import argparse
import json
import sys


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "ppc",
        help="posterior predictive checks (exit 1 when they fail)",
        description=(
            "Posterior predictive p-values (mid-p) of incidence overall, by decile of "
            "predicted risk, by quintile of each exposure, by sex, age group and "
            "municipality. The band is family-wise: with the default Bonferroni adjustment "
            "each of the K checks must lie in [LO/K, 1-(1-HI)/K]."
        ),
    )
    parser.add_argument("fit", help="fit file written by `bayes-walk fit`")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.add_argument(
        "--band",
        nargs=2,
        type=float,
        metavar=("LO", "HI"),
        default=(0.005, 0.995),
        help="family-wise p-value band (default 0.005 0.995)",
    )
    parser.add_argument(
        "--adjust",
        choices=("bonferroni", "none"),
        default="bonferroni",
        help="multiplicity adjustment of the band (default bonferroni)",
    )
    parser.add_argument(
        "--data",
        metavar="COHORT",
        help=(
            "the fitted cohort file: also checks exposures/covariates the fit does not store "
            "(default: the fit's recorded cohort_path, when that file is still the fitted cohort)"
        ),
    )
    parser.add_argument("--figure", metavar="PATH", help="also write the calibration figure (PNG)")
    parser.set_defaults(func=run)
    return parser


def _recorded_cohort(fitted, fit_path: str):
    """The cohort file recorded in the fit, if it still holds the fitted data; else None."""
    import os

    from bayes_walk.checks.fitdata import predictive_data
    from bayes_walk.checks.ppc import check_cohort_matches
    from bayes_walk.errors import BayesWalkError

    idata = fitted.idata
    path = fitted.attrs.get("cohort_path")
    if not path or not os.path.isfile(str(path)):
        return None
    try:
        from bayes_walk.cohort.store import load_cohort

        cohort = load_cohort(str(path))
        check_cohort_matches(predictive_data(idata, source=fit_path), cohort, fit_path)
    except (BayesWalkError, OSError, ValueError, KeyError) as exc:
        print(f"ppc: recorded cohort {path} not used ({exc})", file=sys.stderr)
        return None
    print(f"ppc: variables the fit does not store are read from {path}", file=sys.stderr)
    return cohort


def run(args: argparse.Namespace) -> int:
    import bayes_walk as bw
    from bayes_walk.checks.ppc import format_table, ppc_checks, validate_band

    band = validate_band(tuple(args.band))
    if args.figure:
        from bayes_walk.outputs import check_output

        check_output(args.figure, inputs=(args.fit, args.data), option="--figure")
    fitted = bw.load_fit(args.fit)
    if args.data:
        cohort = bw.load_cohort(args.data)
    else:
        cohort = _recorded_cohort(fitted, args.fit)
    result = ppc_checks(fitted.idata, band=band, adjust=args.adjust, source=args.fit, cohort=cohort)
    if args.figure:
        from bayes_walk.atomic import write_atomic
        from bayes_walk.checks.calibration import calibration_figure

        fig = calibration_figure(fitted.idata)
        write_atomic(args.figure, lambda p: fig.savefig(p, format="png", dpi=120))
        print(f"ppc: calibration figure written to {args.figure}", file=sys.stderr)
    if args.json:
        print(json.dumps(result.to_dict()))
    else:
        print(format_table(result))
    if not result.passed:
        names = ", ".join(c.name for c in result.failed[:5])
        more = f" and {len(result.failed) - 5} more" if len(result.failed) > 5 else ""
        print(f"ppc: FAILED: {names}{more}", file=sys.stderr)
        return 1
    return 0
