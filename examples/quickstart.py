"""Quickstart of the Python API: simulate, fit two forms, read off answers, compare.

Run ``python examples/quickstart.py [OUT_DIR]``; it takes about a minute on two cores
(a small cohort and short chains: enough to show the API, not for final numbers).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import bayes_walk as bw


def main(out_dir: str | None = None) -> dict:
    out = Path(out_dir or tempfile.mkdtemp(prefix="bayes_walk_quickstart_"))
    out.mkdir(parents=True, exist_ok=True)

    # 1. a cohort with a known truth (the paper's curves), saved like any cohort file
    cohort = bw.simulate(n=1500, seed=1, truth="paper")
    bw.save_cohort(cohort, out / "cohort.nc")

    # 2. two model forms of the same question, short chains
    settings = {"chains": 2, "draws": 200, "tune": 200, "seed": 1}
    gp = bw.fit("gp", out / "cohort.nc", **settings)
    linear = bw.fit("linear", out / "cohort.nc", **settings)
    gp.save(out / "gp.nc")
    gp = bw.load_fit(out / "gp.nc")  # what every command reads

    # 3. answers: risk ratios at chosen values, the plateau question, diagnostics
    table = gp.rr("walking_min", at=[60, 100, 150], reference=78)
    print(table.to_string(index=False))
    answer = gp.plateau(near=100, within=10)
    print(f"P(plateau onset within 10 min/day of 100) = {answer['probability']:.2f}")
    print("diagnostics:", {k: gp.diagnostics[k] for k in ("divergences", "max_rhat")})

    # 4. compare the forms by LOO and average the plateau answer over them
    ranking = bw.compare([gp, linear])
    print(ranking[["model", "elpd_loo", "se", "weight"]].to_string(index=False))
    averaged = bw.plateau([gp, linear])
    print(f"averaged P(plateau near 100) = {averaged['probability']:.2f}")
    return {"rr": table, "plateau": answer, "compare": ranking, "averaged": averaged}


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
