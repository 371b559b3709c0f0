"""``bayes-walk`` entry point: one subcommand per module, user errors become exit 2."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from bayes_walk import __version__
from bayes_walk.cli.pipes import run_piped
from bayes_walk.errors import BayesWalkError

# Subcommand name -> module under bayes_walk.cli; each module has
# ``add_parser(subparsers)`` and ``run(args) -> int`` and imports heavy libraries in ``run``.
SUBCOMMANDS: dict[str, str] = {
    "simulate": "simulate",
    "import": "import_cmd",
    "describe": "describe",
    "fit": "fit",
    "summary": "summary",
    "plateau": "plateau",
    "rr": "rr",
    "risk": "risk",
    "ppc": "ppc",
    "compare": "compare",
    "report": "report",
    "demo": "demo",
}


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser."""
    parser = argparse.ArgumentParser(
        prog="bayes-walk",
        description="Bayesian dose-response analysis of walking and chronic low back pain.",
    )
    parser.add_argument("--version", action="version", version=f"bayes-walk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in SUBCOMMANDS.values():
        try:
            mod = importlib.import_module(f"bayes_walk.cli.{module}")
        except ModuleNotFoundError as exc:
            if exc.name == f"bayes_walk.cli.{module}":
                continue  # subcommand not built yet
            raise
        mod.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``bayes-walk``; returns the exit code (0 ok, 1 check failed, 2 user error)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(run_piped(args.func, args) or 0)  # `| head`: quiet exit 0
    except BayesWalkError as exc:
        print(f"bayes-walk {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"bayes-walk {args.command}: interrupted; nothing was written.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
