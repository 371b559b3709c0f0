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
    p.add_argument(
        "fits",
        nargs="+",
        metavar="FIT",
        help="fit file(s) written by `bayes-walk fit`; several give one answer averaged "
        "with LOO stacking weights",
    )
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
    p.add_argument(
        "--definition",
        default="min",
        metavar="NAME",
        help="onset definition: min (default), edge, isotonic, ed[:q] (default q 95), "
        "slope[:s] (default s 0.1); docs/estimands.md",
    )
    p.add_argument(
        "--reference",
        type=float,
        default=None,
        help="RRs, P(RR < 1) and the minimal dose versus this value (inside the fitted "
        "range; default: the fit's reference); the onset does not depend on it",
    )
    p.add_argument("--target-rr", type=float, default=0.85, help="RR for the minimal dose (0.85)")
    p.add_argument("--stratum", default=None, help="stratum for the top-level numbers (one fit)")
    p.add_argument(
        "--hdi", action="store_true", help="highest-density instead of equal-tailed (one fit)"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Print the plateau answer for ``args.fits`` (averaged when there are several)."""
    import bayes_walk as bw
    from bayes_walk.errors import FitFileError
    from bayes_walk.reporting.text import plateau_text

    if not 0 <= args.tail < 1:
        raise FitFileError(f"--tail must lie in [0, 1), got {args.tail}")
    fits = [bw.load_fit(path) for path in args.fits]
    print(f"computing the plateau posterior from {', '.join(args.fits)} ...", file=sys.stderr)
    opts = dict(
        near=args.near,
        within=args.within,
        delta=args.delta,
        tail=args.tail,
        definition=args.definition,
        reference=args.reference,
    )
    if len(fits) == 1:
        out = fits[0].plateau(
            args.exposure, target_rr=args.target_rr, stratum=args.stratum, hdi=args.hdi, **opts
        )
        if args.stratum is not None and out.get("strata"):
            # the user asked about one stratum: show only that one
            out["strata"] = [b for b in out["strata"] if b["stratum"] == out["stratum"]]
        text = plateau_text
    else:
        if args.stratum is not None or args.hdi:
            raise FitFileError("--stratum and --hdi apply to a single fit only")
        out = bw.plateau(fits, args.exposure, **opts)
        text = averaged_text
    if args.json:
        print(json.dumps(out, indent=2, allow_nan=False))
    else:
        print(text(out))
    return 0


def averaged_text(out: dict) -> str:
    """The averaged plateau answer in a few lines."""

    def triple(t: dict) -> str:
        f = [("-" if t[k] is None else f"{t[k]:.4g}") for k in ("median", "lo", "hi")]
        return f"{f[0]} (95% {f[1]} to {f[2]})"

    lines = [
        f"P(plateau onset of {out['exposure']} within {out['within']:g} of {out['near']:g}) "
        f"= {out['probability']:.3f}, averaged with {out['weights_method']} weights "
        f"(onset definition {out['onset_definition']})",
        f"onset: {triple(out['onset'])}",
        f"remaining benefit at {out['near']:g}: {triple(out['remaining_benefit_at_near'])}",
        "per model:",
    ]
    for m in out["per_model"]:
        lines.append(
            f"  {m['model']:<16} weight {m['weight']:.3f}  probability {m['probability']:.3f}  "
            f"onset {triple(m['onset'])}"
        )
    lines.append(out["definition"])
    return "\n".join(lines)
