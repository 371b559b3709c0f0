"""``bayes-walk fit MODEL --data cohort.nc --out fit.nc``: fit a model spec to a cohort."""

from __future__ import annotations

import argparse
import json
import sys


def add_parser(subparsers) -> None:
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
        "--sampler", choices=("nutpie", "pymc", "numpyro"), default=None, help="NUTS backend"
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

    from bayes_walk.cohort.store import load_cohort
    from bayes_walk.inference.fit import fit
    from bayes_walk.results import save_fit
    from bayes_walk.spec.model_spec import load_spec, validate_spec

    spec = load_spec(args.model)
    cohort = load_cohort(args.data)
    validate_spec(spec, cohort)
    idata = fit(
        spec,
        cohort,
        draws=args.draws,
        tune=args.tune,
        chains=args.chains,
        sampler=args.sampler,
        seed=args.seed,
        progress=not args.quiet,
        cohort_path=args.data,
    )
    save_fit(idata, args.out)
    diag = json.loads(idata.attrs["diagnostics"])
    if not args.quiet:
        print(f"bayes-walk fit: wrote {args.out}", file=sys.stderr)
    bad = diag["divergences"] > 0 or not diag["max_rhat"] <= 1.01
    if args.strict and bad:
        print(
            "bayes-walk fit: --strict: the fit has divergences or R-hat > 1.01 (see above)",
            file=sys.stderr,
        )
        return 1
    return 0
