"""``bayes-walk`` entry point: one subcommand per module, user errors become exit 2."""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
from collections.abc import Sequence

from bayes_walk.errors import BayesWalkError, os_error_text
from bayes_walk.interrupts import (
    exit_code,
    handle_signals,
    interrupted_line,
    raise_if_interrupted,
)

# Subcommand name -> module under bayes_walk.cli; each module has
# ``add_parser(subparsers)`` and ``run(args) -> int`` and imports heavy libraries in ``run``.
SUBCOMMANDS: dict[str, str] = {
    "simulate": "simulate",
    "import": "import_cmd",
    "describe": "describe",
    "fit": "fit",
    "summary": "summary",
    "plateau": "plateau",
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
    interrupted by SIGINT / SIGTERM (nothing written).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    with handle_signals(args.command) as watch:
        try:
            code = int(args.func(args) or 0)
            raise_if_interrupted()  # a sampler that swallowed the interrupt
            return code
        except BaseException as exc:
            # After a signal, any failure is the interrupt's doing: a KeyboardInterrupt raised
            # inside compiled code can come back wrapped (numba: SystemError).
            if watch.signum is None and not isinstance(exc, KeyboardInterrupt):
                if isinstance(exc, BayesWalkError):
                    print(f"bayes-walk {args.command}: error: {exc}", file=sys.stderr)
                    return 2
                if isinstance(exc, OSError):
                    msg = os_error_text(exc)
                    print(f"bayes-walk {args.command}: error: {msg}", file=sys.stderr)
                    return 2
                raise
            signum = watch.signum or signal.SIGINT
            print(interrupted_line(args.command, signum), file=sys.stderr)
            return exit_code(signum)


if __name__ == "__main__":
    sys.exit(main())
