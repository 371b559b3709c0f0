"""Sweep report: forest rows and table from a hand-made results table (pure), and files."""

import pandas as pd
import pytest

from bayes_walk.cli.main import main
from bayes_walk.reporting.sweep import forest_rows, sweep_report, sweep_table
from bayes_walk.sweep.table import results_table


def _rec(key, variant, spec, rows, status="done", error=None):
    return {"key": key, "cohort": "c", "variant": variant, "spec": spec, "replicate": 0,
            "seed": 0, "status": status, "error": error, "wall_s": 1.0, "fit_path": None,
            "worker": "w", "diagnostics": {"divergences": 0, "max_rhat": 1.0},
            "n_participants": 100, "rows": rows}  # fmt: skip


def _records():
    cat = [
        {"estimand": "category", "exposure": "walking_min", "category": q,
         "rr_median": m, "rr_lo": lo, "rr_hi": hi}
        for q, m, lo, hi in [("Q1", 1.0, 1.0, 1.0), ("Q2", 0.9, 0.8, 1.0), ("Q3", 0.8, 0.7, 0.9)]
    ]  # fmt: skip
    rr = [{"estimand": "rr", "exposure": "walking_min", "x": 125.0, "reference": 78.0,
           "rr_median": 0.8, "rr_lo": 0.7, "rr_hi": 0.9, "evalue": 1.81, "evalue_ci": 1.46},
          {"estimand": "plateau", "exposure": "walking_min", "plateau_probability": 0.3}]  # fmt: skip
    return [
        _rec("a", "main", "quartiles", cat),
        _rec("b", "bmi", "quartiles", cat),
        _rec("c", "main", "gp", rr),
        _rec("d", "bmi", "gp", [], status="failed", error="SpecError: boom"),
    ]


def test_forest_rows_and_table():
    df = results_table(_records())
    q = forest_rows(df, "quartiles")
    assert list(q["label"]) == ["main", "main", "bmi", "bmi"]  # the reference is not drawn
    assert list(q["series"]) == ["Q2 vs Q1", "Q3 vs Q1", "Q2 vs Q1", "Q3 vs Q1"]
    g = forest_rows(df, "gp")
    assert list(g["series"]) == ["125 vs 78 min/day"] and g["rr"].iloc[0] == 0.8
    t = sweep_table(df)
    row = t[(t["spec"] == "gp") & (t["analysis"] == "main")].iloc[0]
    assert row["rr"] == "0.80 (0.70-0.90)" and row["evalue"] == "1.81"
    assert row["plateau_probability"] == "0.30"
    failed = t[t["status"] == "failed"].iloc[0]
    assert failed["error"] == "SpecError: boom" and failed["rr"] == ""


def test_report_files_and_cli(tmp_path, capsys):
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    results_table(_records()).to_parquet(sweep / "results.parquet")
    paths = sweep_report(sweep, tmp_path / "rep")
    assert {p.name for p in paths} == {"forest_quartiles.png", "forest_gp.png", "table.csv",
                                       "table.md"}  # fmt: skip
    assert (tmp_path / "rep" / "forest_gp.png").read_bytes()[:4] == b"\x89PNG"
    assert (
        len(pd.read_csv(tmp_path / "rep" / "table.csv")) == 8
    )  # 3 + 3 quartiles, 1 RR, 1 failed task
    assert main(["report", "--sweep", str(sweep), "--out", str(tmp_path / "r2")]) == 0
    assert main(["report", "--sweep", str(tmp_path / "nope"), "--out", str(tmp_path / "r3")]) == 2
    assert "no results.parquet" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["report", "--out", "x"]])
def test_report_needs_fits_or_sweep(argv, capsys):
    assert main(argv) == 2
    assert "--sweep" in capsys.readouterr().err
