"""``bayes-walk risk fit.nc --exposure E --at X1,X2,...``: absolute risks by g-computation."""

from __future__ import annotations

import argparse
import json
import math
import sys

from bayes_walk.cli.tables import add_format_option, emit


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register ``risk``."""
    p = subparsers.add_parser(
        "risk",
        help="absolute risks, risk differences and cases prevented per 1,000 (g-computation)",
        description=(
            "Standardised (g-computed) risk of the outcome over the fit's cohort if everyone "
            "had the exposure at each --at value, other variables as observed; the risk "
            "difference versus --versus (default the spec's reference) and the cases per "
            "1,000 people prevented by moving everyone from --versus to x. --paf T adds the "
            "population attributable fraction of exposure below T. Median and 95% interval."
        ),
    )
    p.add_argument("fit", help="fit file written by `bayes-walk fit`")
    p.add_argument("--exposure", default="walking_min", help="exposure (default walking_min)")
    p.add_argument("--at", required=True, help="comma-separated exposure values")
    p.add_argument("--versus", type=float, default=None, help="comparison value (reference)")
    p.add_argument("--paf", type=float, default=None, metavar="T", help="PAF of exposure < T")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    add_format_option(p)
    p.set_defaults(func=run)
    return p


def _num(v) -> float | None:
    return None if v is None or not math.isfinite(v) else float(v)


def to_json(table, paf, exposure: str, versus: float) -> dict:
    """The ``risk --json`` object."""

    def trio(r, name):
        return {k: _num(r[f"{name}_{k}"]) for k in ("median", "lo", "hi")}

    rows = [
        {
            "x": float(r["x"]),
            "risk": trio(r, "risk"),
            "rd": trio(r, "rd"),
            "prevented_per_1000": trio(r, "prevented_per_1000"),
            "p_lower": _num(r["p_lower"]),
        }
        for r in table.to_dict("records")
    ]
    out = {"exposure": exposure, "versus": float(versus), "rows": rows, "paf": None}
    if paf is not None:
        r = paf.iloc[0]
        out["paf"] = {
            "threshold": float(r["threshold"]),
            "share_below": float(r["share_below"]),
            "paf": {k: _num(r[f"paf_{k}"]) for k in ("median", "lo", "hi")},
        }
    return out


def run(args: argparse.Namespace) -> int:
    """Print the risk table (and the PAF)."""
    import warnings

    import bayes_walk as bw
    from bayes_walk.cli.rr import _values

    fitted = bw.load_fit(args.fit)
    at = _values(args.at)
    if args.exposure not in fitted.designs["exposures"]:
        fitted._need_exposure(args.exposure)
    versus = (
        args.versus
        if args.versus is not None
        else fitted.designs["exposures"][args.exposure]["reference"]
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        table = fitted.risk_table(args.exposure, at, versus)
        paf = (
            fitted.attributable_fraction(args.exposure, args.paf) if args.paf is not None else None
        )
    for msg in dict.fromkeys(str(w.message) for w in caught):
        print(f"risk: warning: {msg}", file=sys.stderr)
    if args.json:
        print(json.dumps(to_json(table, paf, args.exposure, versus), allow_nan=False))
        return 0
    label = fitted.outcome_label
    tables = [
        (
            f"Standardised risk of {label} if everyone had {args.exposure} = x; difference "
            f"and cases prevented per 1,000 versus {versus:g}:",
            table,
        )
    ]
    if paf is not None:
        tables.append((f"Population attributable fraction of {args.exposure} < {args.paf:g}:", paf))
    print(emit(tables, args.format))
    return 0
