"""``bayes-walk`` entry point: one subcommand per module, user errors become exit 2."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
import warnings
from collections.abc import Sequence

from bayes_walk import __version__
from bayes_walk.cli.guard import run_guarded
from bayes_walk.cli.pipes import run_piped

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
    "sweep": "sweep",
    "prior": "prior",
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
    """Run ``bayes-walk``; returns the exit code.

    0 ok, 1 check failed, 2 user error or an output that cannot be written, 130 / 143
    interrupted by SIGINT / SIGTERM (nothing written); see ``cli/guard.py``.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    # `| head`: a closed pipe is a quiet exit 0 (run_piped); errors, full disks and
    # interrupts become exit 2 / 130 / 143 without a traceback (run_guarded)
    with plain_warnings():
        return run_guarded(args.command, lambda: run_piped(args.func, args))


@contextlib.contextmanager
def plain_warnings():
    """Warnings as ``warning: <message>`` lines: a user reads the advice, not the source
    line and path of the library that raised it."""
    before = warnings.formatwarning
    warnings.formatwarning = lambda message, category, *args, **kwargs: f"warning: {message}\n"
    try:
        yield
    finally:
        warnings.formatwarning = before


if __name__ == "__main__":
    sys.exit(main())
