"""Write a table the CLI prints as text, CSV, LaTeX or Markdown (``--format``)."""

from __future__ import annotations

import math

import pandas as pd

FORMATS = ("text", "csv", "latex", "md")


def add_format_option(p, default: str = "text") -> None:
    """``--format {text,csv,latex,md}`` on a subcommand parser."""
    p.add_argument(
        "--format",
        choices=FORMATS,
        default=default,
        help="table format: text (default), csv, latex or md (Markdown)",
    )


def _cell(v) -> str:
    if isinstance(v, float):
        return "-" if not math.isfinite(v) else f"{v:.3f}"
    if v is None:
        return "-"
    return str(v)


def markdown(table: pd.DataFrame) -> str:
    """A Markdown table (pandas' own needs the optional ``tabulate``)."""
    head = [str(c) for c in table.columns]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in table.itertuples(index=False):
        lines.append("| " + " | ".join(_cell(v).replace("|", "\\|") for v in r) + " |")
    return "\n".join(lines)


def render(table: pd.DataFrame, fmt: str) -> str:
    """``table`` as CSV, LaTeX or Markdown (``fmt`` one of csv, latex, md), or plain text."""
    if fmt == "csv":
        return table.to_csv(index=False).rstrip("\n")
    if fmt == "latex":
        return table.to_latex(index=False, float_format="%.3f", na_rep="--").rstrip("\n")
    if fmt == "md":
        return markdown(table)
    return table.to_string(index=False, float_format=lambda v: f"{v:.3f}", na_rep="-")


def emit(tables: list[tuple[str, pd.DataFrame]], fmt: str) -> str:
    """Several titled tables: text keeps the titles; CSV separates tables by a blank line
    with the title as a ``#`` comment line; LaTeX and Markdown put the title above."""
    parts = []
    for title, table in tables:
        body = render(table, fmt)
        if not title:
            parts.append(body)
        elif fmt == "csv":
            parts.append(f"# {title}\n{body}")
        elif fmt == "latex":
            parts.append(f"% {title}\n{body}")
        elif fmt == "md":
            parts.append(f"**{title}**\n\n{body}")
        else:
            parts.append(f"{title}\n{body}")
    return "\n\n".join(parts)
