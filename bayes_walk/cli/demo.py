"""``bayes-walk demo [--out DIR]``: the main job end to end on a simulated paper cohort."""

from __future__ import annotations

import argparse

DEFAULT_OUT = "reports/demo"


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register ``demo``."""
    from bayes_walk.inference.samplers.registry import sampler_names

    p = subparsers.add_parser(
        "demo",
        help="simulate the paper cohort, fit quartiles/rcs/gp/changepoint, check, report",
        description=(
            "Simulate the paper-calibrated cohort (n = 11,194), fit the quartile models "
            "(Table 2), rcs, gp, changepoint and joint (Table 3), run the predictive checks and the LOO "
            "comparison, and write the report (index.html, report.md, figures/) to --out. "
            "Progress on stderr. Default sampler settings: 2 chains, each model's own tune "
            "and draws (gp 800 + 1500, changepoint 1000 + 3000, the others 1000 + 1000)."
        ),
    )
    p.add_argument("--out", default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    p.add_argument("--n", type=int, default=11194, help="participants (default 11194)")
    p.add_argument("--seed", type=int, default=0, help="seed of simulation and sampling (0)")
    p.add_argument(
        "--truth",
        default="paper",
        help="paper | plateau:<min> | smooth:<min> | u_shape | linear | null",
    )
    p.add_argument(
        "--models",
        default=None,
        help="comma-separated models (default quartiles,quartiles_mets,rcs,gp,changepoint,joint)",
    )
    p.add_argument("--chains", type=int, default=2, help="chains per model (2)")
    p.add_argument(
        "--draws", type=int, default=None, help="draws per chain (default: each spec's own)"
    )
    p.add_argument(
        "--tune", type=int, default=None, help="tuning steps per chain (default: each spec's own)"
    )
    p.add_argument(
        "--sampler", choices=sampler_names(), default=None, help="%(choices)s (spec default)"
    )
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run the demo."""
    import warnings

    from bayes_walk.errors import BayesWalkError
    from bayes_walk.outputs import check_output
    from bayes_walk.reporting.demo import DEFAULT_MODELS, run_demo

    if args.n < 100:
        raise BayesWalkError(f"--n must be at least 100 for a meaningful demo, got {args.n}")
    for name in ("chains", "draws"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            raise BayesWalkError(f"--{name} must be >= 1, got {getattr(args, name)}")
    check_output(args.out, kind="folder")
    models = DEFAULT_MODELS if args.models is None else [m for m in args.models.split(",") if m]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        run_demo(
            args.out,
            n=args.n,
            seed=args.seed,
            truth=args.truth,
            models=models,
            chains=args.chains,
            draws=args.draws,
            tune=args.tune,
            sampler=args.sampler,
        )
    return 0
