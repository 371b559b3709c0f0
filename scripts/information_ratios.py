"""Which parametrisation ``"auto"`` gives each HSGP curve and the varying intercepts.

For simulated cohorts (truths x seeds x sizes) it builds a spec's designs, as a fit
would, and records each term's information ratio (the largest eigenvalue of the data's
information relative to the prior's at the prior median; docs/models.md "Large cohorts")
and whether ``"auto"`` samples it informed. No model is fitted.

Usage::

    python scripts/information_ratios.py --spec gp --n 11194 50000 200000 \
        --truths paper linear null plateau:140 --seeds 1-20 \
        --out reports/robustness/information_ratios
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

import bayes_walk as bw
from bayes_walk.atomic import write_text_atomic
from bayes_walk.model.designs import make_designs
from bayes_walk.model.forms.informed import AUTO_MIN_EIGENVALUE


def _seeds(text: str) -> list[int]:
    if "-" in text:
        lo, hi = text.split("-")
        return list(range(int(lo), int(hi) + 1))
    return [int(s) for s in text.split(",")]


def ratios(spec_name: str, sizes: list[int], truths: list[str], seeds: list[int]) -> pd.DataFrame:
    """One row per (n, truth, seed, term): information ratio and the choice.

    A term is an HSGP curve or the varying intercepts; ``rank`` is the number of
    informed directions (curves) or effects (intercepts) when sampled informed.
    """
    spec = bw.load_spec(spec_name)
    rows = []
    for n in sizes:
        for truth in truths:
            for seed in seeds:
                designs = make_designs(spec, bw.simulate(n=n, seed=seed, truth=truth))
                parts = dict(designs["exposures"])
                if "group" in designs:
                    parts[f"intercepts by {designs['group']['variable']}"] = designs["group"]
                for e, d in parts.items():
                    if "information_ratio" not in d:
                        continue
                    informed = d.get("informed", {})
                    rank = len(informed["B"][0]) if "B" in informed else len(informed.get("d", []))
                    rows.append(
                        {
                            "n": n,
                            "truth": truth,
                            "seed": seed,
                            "term": e,
                            "information_ratio": round(d["information_ratio"], 2),
                            "informed": bool(informed),
                            "rank": rank,
                        }
                    )
    return pd.DataFrame(rows)


def table(df: pd.DataFrame) -> str:
    """Markdown: per (n, truth, exposure) the ratio's range and cohorts sampled informed."""
    g = df.groupby(["n", "truth", "term"], sort=True)
    lines = [
        f"Threshold of `auto`: {AUTO_MIN_EIGENVALUE:g}.",
        "",
        "| n | truth | term | cohorts | information ratio (min - max) | sampled informed | "
        "rank (min - max) |",
        "|---|---|---|---|---|---|---|",
    ]
    for (n, truth, e), s in g:
        lines.append(
            f"| {n:,} | {truth} | {e} | {len(s)} | {s.information_ratio.min():.1f} - "
            f"{s.information_ratio.max():.1f} | {int(s.informed.sum())} | "
            f"{s['rank'].min()} - {s['rank'].max()} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--spec", default="gp")
    p.add_argument("--n", type=int, nargs="+", default=[11194])
    p.add_argument("--truths", nargs="+", default=["paper"])
    p.add_argument("--seeds", default="1-20", help="a range 1-20 or a list 1,2,3")
    p.add_argument("--out", type=Path, required=True)
    a = p.parse_args(argv)
    df = ratios(a.spec, a.n, a.truths, _seeds(a.seeds))
    a.out.mkdir(parents=True, exist_ok=True)
    write_text_atomic(a.out / "ratios.csv", df.to_csv(index=False))
    md = f"# Information ratios of `{a.spec}`'s HSGP curves\n\n" + table(df)
    write_text_atomic(a.out / "ratios.md", md)
    write_text_atomic(a.out / "args.json", json.dumps(vars(a), default=str, indent=1))
    print(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
