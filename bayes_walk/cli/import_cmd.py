"""``bayes-walk import``: read a cohort from participants (+ daily) tables, write cohort.nc."""

from __future__ import annotations

import argparse
import math
import sys

FORMAT_CHOICES = ("hunt", "actimotus", "actipass", "stepcount", "participants")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register the ``import`` subcommand."""
    p = subparsers.add_parser(
        "import",
        help="import a cohort (participants + daily records) into cohort.nc",
        description=(
            "Import a cohort. Without --daily the participants file must carry walking_min "
            "and walking_mets (participants-only import). Column mappings and units of each "
            "format: docs/adapters.md."
        ),
    )
    p.add_argument("--participants", required=True, help="participants table (CSV or Parquet)")
    p.add_argument("--daily", default=None, help="daily table (CSV or Parquet)")
    p.add_argument(
        "--format",
        choices=FORMAT_CHOICES,
        default=None,
        help="source format (default: hunt with --daily, participants without)",
    )
    p.add_argument("--out", required=True, help="cohort NetCDF file to write")
    p.add_argument(
        "--require",
        default=None,
        metavar="COVARIATES",
        help="comma-separated covariates that must be present (complete cases); "
        "default: the paper's age,sex,education,income,employment,smoking,depression; "
        "'' for none",
    )
    p.add_argument(
        "--class-mets",
        default=None,
        metavar="SLOW,MODERATE,BRISK",
        help="MET of the slow, moderate and brisk walking classes (default 2.8,3.8,4.8)",
    )
    p.add_argument(
        "--cadence",
        default=None,
        help="stepcount only: daily mean walking cadence column, or 'steps' for Steps/Walk(mins)",
    )
    p.set_defaults(func=run)


def _class_mets(text: str | None) -> dict[str, float] | None:
    from bayes_walk.cohort.schema import WALK_CLASSES
    from bayes_walk.errors import CohortError

    if text is None:
        return None
    try:
        vals = [float(v) for v in text.split(",")]
    except ValueError:
        vals = []
    if len(vals) != 3 or not all(math.isfinite(v) and v > 0 for v in vals):
        raise CohortError(
            f"--class-mets needs three finite positive numbers SLOW,MODERATE,BRISK, got {text!r}"
        )
    return dict(zip(WALK_CLASSES, vals, strict=True))


def run(args: argparse.Namespace) -> int:
    """Import, validate, save; messages go to stderr."""
    import json

    import bayes_walk as bw
    from bayes_walk.cohort.schema import PAPER_ADJUST, inclusion_flow
    from bayes_walk.errors import CohortError
    from bayes_walk.outputs import check_output

    check_output(args.out, inputs=(args.participants, args.daily))

    opts: dict[str, object] = {}
    if args.require is None:
        opts["required_covariates"] = PAPER_ADJUST
    else:
        opts["required_covariates"] = tuple(c.strip() for c in args.require.split(",") if c.strip())
    fmt = args.format or ("hunt" if args.daily else "participants")
    mets = _class_mets(args.class_mets)
    if mets is not None and fmt != "participants":
        opts["class_mets"] = mets
    if args.cadence is not None:
        if fmt != "stepcount":
            raise CohortError("--cadence applies to --format stepcount only")
        opts["cadence"] = args.cadence
    print(
        f"bayes-walk import: reading {args.participants}"
        + (f" and {args.daily}" if args.daily else "")
        + f" ({fmt})",
        file=sys.stderr,
    )
    try:
        ds = bw.import_cohort(args.participants, args.daily, fmt, **opts)
    except CohortError as exc:
        raise _with_require_hint(exc, args.require, PAPER_ADJUST) from None
    bw.save_cohort(ds, args.out)
    for step, n in inclusion_flow(ds):
        print(f"  {n:>8,}  {step}", file=sys.stderr)
    for note in json.loads(ds.attrs.get("notes", "[]")):
        print(f"  note: {note}", file=sys.stderr)
    print(
        f"bayes-walk import: wrote {args.out} ({ds.sizes['participant']:,} participants, "
        f"{int(ds['clbp'].sum()):,} cases)",
        file=sys.stderr,
    )
    return 0


def _with_require_hint(exc, require: str | None, default: tuple[str, ...]):
    """A missing required covariate: say that ``--require`` chooses the set."""
    if "required covariate column is missing" not in exc.rule or exc.column is None:
        return exc
    chosen = list(default) if require is None else [c.strip() for c in require.split(",")]
    rest = [c for c in chosen if c and c != exc.column]
    shown = ",".join(rest) or "''"
    which = "the paper's seven by default" if require is None else "as given"
    exc.hint = (
        f"{exc.hint}; --require chooses the covariates that must be present ({which}: "
        f"{','.join(chosen)}): e.g. --require {shown} without "
        f"'{exc.column}', or --require '' for none"
    )
    return type(exc)(exc.rule, file=exc.file, column=exc.column, ids=exc.ids, hint=exc.hint)
