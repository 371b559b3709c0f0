"""``bayes-walk rr fit.nc --exposure E --at X1,X2,...``: risk ratios at chosen exposure values."""

from __future__ import annotations

import argparse
import json
import math
import sys

from bayes_walk.cli.tables import FORMATS, render


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register ``rr``."""
    p = subparsers.add_parser(
        "rr",
        help="risk ratios (median, 95%% interval, P(RR < 1)) at chosen exposure values",
        description=(
            "RR of the fitted curve at each --at value versus --reference (default: the "
            "spec's reference). Values outside the curve's range (the exposure's 1st..99th "
            "percentile) get no RR."
        ),
    )
    p.add_argument("fit", help="fit file written by `bayes-walk fit`")
    p.add_argument("--exposure", default="walking_min", help="exposure (default walking_min)")
    p.add_argument("--at", required=True, help="comma-separated exposure values")
    p.add_argument("--reference", type=float, default=None, help="reference value (spec's)")
    p.add_argument("--stratum", default=None, help="stratum curves: this stratum only")
    p.add_argument(
        "--versus",
        default=None,
        metavar="STRATUM",
        help="with --stratum A: the ratio of A's RR to this stratum's, with P(ratio < 1)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--format", choices=FORMATS, default="text", help="table format (text)")
    p.set_defaults(func=run)
    return p


def _values(text: str) -> list[float]:
    from bayes_walk.errors import BayesWalkError

    try:
        out = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        out = []
    if not out:
        raise BayesWalkError(f"--at needs comma-separated numbers, got {text!r}")
    return out


def _num(v) -> float | None:
    return None if v is None or not math.isfinite(v) else float(v)


def to_json(table, exposure: str, reference: float) -> dict:
    """The ``rr --json`` object (DESIGN "JSON output")."""
    rows = []
    for r in table.to_dict("records"):
        row = {
            "x": float(r["x"]),
            "rr": {"median": _num(r["rr_median"]), "lo": _num(r["rr_lo"]), "hi": _num(r["rr_hi"])},
            "p_benefit": _num(r["p_benefit"]),
        }
        if "stratum" in r:
            row["stratum"] = r["stratum"]
        rows.append(row)
    return {"exposure": exposure, "reference": float(reference), "rows": rows}


def ratio_json(table, exposure: str, reference: float) -> dict:
    """The ``rr --stratum A --versus B --json`` object."""
    rows = [
        {
            "x": float(r["x"]),
            "ratio": {
                "median": _num(r["ratio_median"]),
                "lo": _num(r["ratio_lo"]),
                "hi": _num(r["ratio_hi"]),
            },
            "p_below_1": _num(r["p_below_1"]),
        }
        for r in table.to_dict("records")
    ]
    first = table.iloc[0] if len(table) else {"stratum": None, "versus": None}
    return {
        "exposure": exposure,
        "reference": float(reference),
        "stratum": first["stratum"],
        "versus": first["versus"],
        "rows": rows,
    }


def _print_ratio(table, args, reference: float) -> int:
    if args.json:
        print(json.dumps(ratio_json(table, args.exposure, reference), allow_nan=False))
    elif args.format != "text":
        print(render(table, args.format))
    else:
        print(
            f"Ratio of the RR of {args.exposure} in {args.stratum} to that in {args.versus} "
            f"(both versus {reference:g}); p_below_1 = P(ratio < 1):"
        )
        print(render(table, "text"))
    return 0


def run(args: argparse.Namespace) -> int:
    """Print the RR table."""
    import warnings

    import bayes_walk as bw

    fitted = bw.load_fit(args.fit)
    at = _values(args.at)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        table = fitted.rr(
            args.exposure,
            at=at,
            reference=args.reference,
            stratum=args.stratum,
            versus=args.versus,
        )
    for w in caught:
        print(f"rr: warning: {w.message}", file=sys.stderr)
    reference = (
        args.reference
        if args.reference is not None
        else fitted.designs["exposures"][args.exposure]["reference"]
    )
    if args.versus is not None:
        return _print_ratio(table, args, reference)
    if args.json:
        print(json.dumps(to_json(table, args.exposure, reference), allow_nan=False))
    elif args.format != "text":
        print(render(table, args.format))
    else:
        from bayes_walk.fitmeta import ratio_abbr

        name = "Rate ratio (IRR)" if ratio_abbr(fitted.idata) == "IRR" else "RR"
        print(f"{name} of {args.exposure} versus {reference:g}:")
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}", na_rep="-"))
    return 0
