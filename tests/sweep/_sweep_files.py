"""Small sweep files for the engine tests (n = 300, one chain, 50 + 50 draws)."""

from pathlib import Path

SMALL = """
[cohorts]
simulate = {{ n = 300, truth = "paper", seeds = {seeds} }}
[[variants]]
name = "main"
{more_variants}
[models]
specs = {specs}
[fit]
chains = 1
draws = 50
tune = 50
"""
SECOND_VARIANT = """[[variants]]
name = "4+ valid days"
min_valid_days = 4"""


def write_sweep(
    folder: Path, specs: str, seeds: str = "[1, 2]", variants: bool = True, name: str = "s"
) -> Path:
    """Write a sweep file into ``folder`` and return its path."""
    p = folder / f"{name}.toml"
    more = SECOND_VARIANT if variants else ""
    p.write_text(SMALL.format(seeds=seeds, specs=specs, more_variants=more))
    return p
