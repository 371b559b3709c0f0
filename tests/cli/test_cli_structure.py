"""Structure tests of the command line: every DESIGN subcommand exists and parses."""

import subprocess
import sys

import pytest

from bayes_walk.cli.main import SUBCOMMANDS, build_parser, main

DESIGN_COMMANDS = [
    "simulate",
    "import",
    "describe",
    "fit",
    "summary",
    "plateau",
    "ppc",
    "compare",
    "report",
    "demo",
    "rr",
    "sweep",
    "prior",
    "risk",  # issue 15: absolute risks (to be added to DESIGN "Command line")
]


def test_every_design_subcommand_is_registered():
    assert sorted(SUBCOMMANDS) == sorted(DESIGN_COMMANDS)
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert sorted(sub.choices) == sorted(DESIGN_COMMANDS)


def test_unknown_subcommand_is_an_argparse_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["no-such-command"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_help_runs_without_heavy_imports():
    code = (
        "import sys; from bayes_walk.cli.main import build_parser; build_parser();"
        "heavy = [m for m in ('pymc', 'arviz', 'statsmodels', 'jax') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("command", [None, *DESIGN_COMMANDS])
def test_help_shows_no_doubled_percent(command, capsys):
    # argparse %-formats help strings but not descriptions: a "%%" in a description
    # reaches the user verbatim.
    argv = ["--help"] if command is None else [command, "--help"]
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 0
    text = capsys.readouterr().out
    assert "%%" not in text
    if command == "summary":
        assert "95% interval" in " ".join(text.split())


def test_the_command_line_prints_warnings_as_one_plain_line():
    """A library warning reaches the user as ``warning: <message>``, without the raising
    file's path and source line; the formatter is restored afterwards."""
    import warnings

    from bayes_walk.cli.main import plain_warnings

    before = warnings.formatwarning
    with plain_warnings():
        text = warnings.formatwarning("set likelihood", UserWarning, "/somewhere/builder.py", 9)
    assert text == "warning: set likelihood\n"
    assert warnings.formatwarning is before
