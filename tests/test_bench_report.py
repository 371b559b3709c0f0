"""Structure tests of the benchmark's pure helpers (no sampling): ratios, targets, table."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

import bench_common  # noqa: E402
import bench_report  # noqa: E402


def _run(n, wall, cpu, ess, run_id="r1", div=0, rhat=1.003, steps=15.0):
    return {
        "n": n,
        "chains": 4,
        "tune": 1000,
        "draws": 1000,
        "wall_s": wall,
        "cpu_s": cpu,
        "ess_per_s": ess / wall,
        "ess_per_cpu_s": ess / cpu,
        "run_id": run_id,
        "phases": {"sample_incl_compile_s": wall * 0.8},
        "diagnostics": {
            "divergences": div,
            "max_rhat": rhat,
            "min_ess_bulk": ess,
            "min_ess_bulk_of": "intercept",
            "sampler": {
                "grad_evals_per_draw": steps,
                "mean_tree_depth": 4.0,
                "mean_step_size": 0.3,
            },
        },
        "logrr": {
            "logrr_walking_min_100": {"median": -0.1, "lo": -0.2, "hi": 0.0},
            "logrr_walking_min_150": {"median": -0.15, "lo": -0.3, "hi": 0.0},
        },
        "hyperparameters": {"ls_walking_min": {"median": 0.4, "lo": 0.2, "hi": 0.8}},
    }


def test_ratios_use_ess_per_second_and_flag_the_run():
    runs = {
        "ours": _run(11194, 20.0, 38.0, 2000.0),
        "naive": _run(11194, 400.0, 790.0, 800.0, div=30, rhat=1.02),
        "bambi": _run(11194, 600.0, 1150.0, 900.0, run_id="old"),
    }
    r = bench_report.ratios(runs)
    assert r["vs_naive"]["ess_per_s"] == pytest.approx((2000 / 20) / (800 / 400))
    assert r["vs_naive"]["wall_time"] == pytest.approx(20.0)
    assert r["vs_naive"]["same_run"] is True
    assert r["vs_bambi"]["same_run"] is False
    t = {row["target"]: row for row in bench_report.targets(runs)}
    assert t["ESS/s >= 5x naive PyMC"]["met"] is True
    # a ratio across two invocations is not evidence for the target
    assert t["ESS/s >= 3x Bambi"]["met"] is None
    assert t["wall < 30 s incl. compilation"]["met"] is True
    assert t["n=200,000 < 5 min"]["met"] is None


def test_targets_report_misses():
    runs = {"ours": _run(11194, 45.0, 80.0, 700.0, div=3, rhat=1.02)}
    t = {row["target"]: row["met"] for row in bench_report.targets(runs)}
    assert t["no divergences (n=11,194)"] is False
    assert t["max R-hat <= 1.01"] is False
    assert t["min bulk ESS >= 1000"] is False
    assert t["wall < 30 s incl. compilation"] is False


def test_scaling_table_growth_relative_to_smallest_n():
    runs = {
        "scaling_200000": _run(200000, 200.0, 390.0, 1500.0),
        "scaling_11194": _run(11194, 20.0, 39.0, 1500.0),
    }
    rows = bench_report.scaling_table(runs)
    assert [r["n"] for r in rows] == [11194, 200000]
    assert rows[0]["time_per_n_rel"] == pytest.approx(1.0)
    assert rows[1]["time_per_n_rel"] == pytest.approx((200 / 200000) / (20 / 11194))
    t = {row["target"]: row["met"] for row in bench_report.targets(runs)}
    assert t["n=200,000 < 5 min"] is True


def test_markdown_has_every_section_and_failed_parts():
    runs = {"ours": _run(11194, 20.0, 38.0, 2000.0), "bambi": {"error": "exit 1: boom"}}
    md = bench_report.render_markdown({"runs": runs, "cohort": {"generator": "sim", "seed": 0}})
    for heading in ("## Ratios", "## Estimates", "## Scaling", "## Targets", "GPU:"):
        assert heading in md
    assert "failed: exit 1: boom" in md
    assert "| ours | 11,194 | 4 x (1000+1000) | 20.0 |" in md


def test_diagnostics_catch_a_chain_stuck_elsewhere():
    rng = np.random.default_rng(0)
    good = rng.normal(size=(4, 500))
    bad = good.copy()
    bad[0] += 3.0  # one chain in another mode
    stats = __import__("xarray").Dataset(
        {"diverging": (("chain", "draw"), np.zeros((4, 500), bool))}
    )
    ok = bench_common.diagnostics({"a": good}, 1.0, stats)
    stuck = bench_common.diagnostics({"a": good, "b": bad}, 1.0, stats)
    assert ok["max_rhat_key"] < 1.01 and ok["min_ess_bulk"] > 1000
    assert stuck["max_rhat_key"] > 1.1
    assert stuck["min_ess_bulk_of"] == "b"
    assert stuck["divergences"] == 0
