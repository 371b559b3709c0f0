"""``bayes-walk prior MODEL --data cohort.nc [--out DIR] [--draws N] [--json]``.

Prior predictive curves: the priors in force (defaults merged with the spec), the prior
spread of each exposure's RR at round values, and the plausibility check; ``--out`` writes
a figure per exposure and ``prior.json``.
"""

from __future__ import annotations

import argparse
import json
import sys


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "prior",
        help="prior predictive curves and the priors in force",
        description=(
            "Draw dose-response curves from the prior of MODEL (a shipped name or a .toml "
            "path) built on the cohort; print the priors in force, the prior RR spread of "
            "each exposure at round values (median and 95 percent interval) and the share "
            "of prior RR(200 vs 78 min/day) within 0.3..3."
        ),
    )
    p.add_argument("model", metavar="MODEL", help="shipped spec name or path to a .toml spec")
    p.add_argument("--data", required=True, metavar="COHORT", help="cohort file (.nc)")
    p.add_argument("--out", metavar="DIR", help="write prior_<exposure>.png and prior.json here")
    p.add_argument("--draws", type=int, default=500, help="prior draws (default 500)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.set_defaults(func=run)
    return p


def prior_text(s: dict) -> str:
    """The human-readable prior summary."""
    from bayes_walk.spec.in_force import priors_lines

    lines = [f"Model: {s['model']}  ({s['draws']} prior draws)", "", "Priors in force:"]
    lines += priors_lines(s["priors"])
    for name, e in s["exposures"].items():
        lines += ["", f"Prior RR of {name} ({e['form']}) vs {e['reference']:g}: median [95%]"]
        lines += [
            f"  {r['x']:>8g}  {r['median']:.2f} [{r['lo']:.2f}, {r['hi']:.2f}]" for r in e["rr"]
        ]
    c = s.get("check")
    if c is not None:
        lo, hi = c["band"]
        lines += [
            "",
            f"Plausibility: {100 * c['fraction_in_band']:.1f}% of prior RR({c['x']:g} vs "
            f"{c['versus']:g} min/day) within {lo:g}..{hi:g}",
        ]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    import bayes_walk as bw
    from bayes_walk.errors import BayesWalkError

    if args.draws < 10:
        raise BayesWalkError(f"--draws must be at least 10, got {args.draws}")
    if args.out:
        from bayes_walk.outputs import check_output

        check_output(args.out, inputs=(args.data, args.model), kind="folder", option="--out")
    spec = bw.load_spec(args.model)
    cohort = bw.load_cohort(args.data)
    from bayes_walk.checks.prior_curves import prior_figure, prior_summary_and_draws

    print(f"prior: {args.draws} prior draws of {spec.name} ...", file=sys.stderr)
    s, built, prior = prior_summary_and_draws(spec, cohort, draws=args.draws, seed=args.seed)
    if args.out:
        import os

        import matplotlib.pyplot as plt

        from bayes_walk.atomic import atomic_folder

        with atomic_folder(args.out) as tmp:
            for name in s["exposures"]:
                fig = prior_figure(built, prior, name, seed=args.seed)
                fig.savefig(os.path.join(tmp, f"prior_{name}.png"), dpi=120)
                plt.close(fig)
            with open(os.path.join(tmp, "prior.json"), "w", encoding="utf-8") as f:
                json.dump(s, f, indent=2)
        print(f"prior: figures and prior.json written to {args.out}", file=sys.stderr)
    if args.json:
        print(json.dumps(s, indent=2))
    else:
        print(prior_text(s))
    return 0
