"""``bayes-walk summary fit.nc [--json] [--hdi]``: RR tables, curve at round values,
diagnostics, absolute risks."""

from __future__ import annotations

import argparse
import json
import sys

from bayes_walk.cli.tables import add_format_option, emit


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register ``summary``."""
    p = subparsers.add_parser(
        "summary",
        help="risk-ratio tables (paper's Table 2), curve at round values, diagnostics",
        description=(
            "Summarise a fit: per exposure the category RRs (posterior median and 95% "
            "interval) beside the paper's modified-Poisson RRs, the dose-response curve at "
            "round exposure values with P(RR < 1), sampler diagnostics, and the standardised "
            "(g-computed) absolute risks of the volume exposure at those values with the "
            "risk difference and cases per 1,000 prevented versus the reference and the "
            "attributable fraction of exposure below it."
        ),
    )
    p.add_argument("fit", help="fit file written by `bayes-walk fit`")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    add_format_option(p)
    p.add_argument("--hdi", action="store_true", help="highest-density instead of equal-tailed")
    p.add_argument(
        "--no-frequentist",
        action="store_true",
        help="skip the modified-Poisson column (it needs the cohort and refits a GLM)",
    )
    p.add_argument(
        "--no-risk",
        action="store_true",
        help="skip the absolute risks (g-computation over the fit's cohort; about 1 s at "
        "n = 11,194)",
    )
    p.add_argument(
        "--reference",
        action="append",
        metavar="EXPOSURE=VALUE",
        help="express the curve against VALUE (inside the fitted range), e.g. "
        "walking_min=100; repeatable; a bare number when the fit has one curve",
    )
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Print the summary of ``args.fit``."""
    import bayes_walk as bw
    from bayes_walk.estimands.reference import parse_reference_args
    from bayes_walk.reporting.text import summary_text

    reference = parse_reference_args(args.reference)

    fitted = bw.load_fit(args.fit)
    print(f"summarising {args.fit} ...", file=sys.stderr)
    s = fitted.summary(
        hdi=args.hdi,
        frequentist=not args.no_frequentist,
        reference=reference,
        risk=not args.no_risk,
    )
    if args.json:
        print(json.dumps(s, indent=2, allow_nan=False))
    elif args.format != "text":
        from bayes_walk.answers.exports import summary_frames

        print(emit(summary_frames(s), args.format))
    else:
        from bayes_walk.fitmeta import outcome_label, ratio_abbr

        print(summary_text(s, ratio=ratio_abbr(fitted.idata), outcome=outcome_label(fitted.idata)))
    return 0
