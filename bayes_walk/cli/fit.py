"""``bayes-walk fit MODEL --data cohort.nc --out fit.nc``: fit a model spec to a cohort."""

from __future__ import annotations

import argparse
import sys


def add_parser(subparsers) -> None:
    from bayes_walk.inference.samplers.registry import sampler_names

    p = subparsers.add_parser(
        "fit",
        help="fit a model spec to a cohort and write fit.nc",
        description=(
            "Fit MODEL (a shipped spec name such as gp, quartiles, rcs, linear, changepoint, "
            "monotone, joint, or a path to a TOML spec) to a cohort. Progress and diagnostics "
            "go to stderr; the fit is written atomically to --out."
        ),
    )
    p.add_argument("model", metavar="MODEL", help="shipped spec name or path to a .toml spec")
    p.add_argument("--data", required=True, help="cohort NetCDF (bayes-walk simulate/import)")
    p.add_argument("--out", required=True, help="output fit file (NetCDF)")
    p.add_argument("--draws", type=int, default=None, help="draws per chain (spec default)")
    p.add_argument("--tune", type=int, default=None, help="tuning steps per chain (spec default)")
    p.add_argument("--chains", type=int, default=None, help="number of chains (spec default)")
    p.add_argument(
        "--sampler",
        choices=sampler_names(),
        default=None,
        help="sampler backend (the registry's: %(choices)s; spec default)",
    )
    p.add_argument("--seed", type=int, default=None, help="random seed (spec default)")
    p.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 when the fit has divergences or R-hat > 1.01 (the file is still written)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bayes_walk.outputs import check_output

    check_output(args.out, inputs=(args.data, args.model))  # before the heavy imports

    import bayes_walk as bw
    from bayes_walk.inference.diagnostics import is_converged

    spec = bw.load_spec(args.model)
    fitted = bw.fit(
        spec,
        args.data,
        draws=args.draws,
        tune=args.tune,
        chains=args.chains,
        sampler=args.sampler,
        seed=args.seed,
        progress=not args.quiet,
    )
    fitted.save(args.out)
    if not args.quiet:
        print(f"bayes-walk fit: wrote {args.out}", file=sys.stderr)
    if args.strict and not is_converged(fitted.diagnostics):
        print(
            "bayes-walk fit: --strict: the fit has divergences or R-hat > 1.01 (see above)",
            file=sys.stderr,
        )
        return 1
    return 0
