"""Every table the CLI prints can be written as CSV, LaTeX and Markdown (--format)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from _helpers_checks import hand_made_fit
from _helpers_estimands import (
    GRID_METS,
    GRID_MIN,
    linear_curve,
    make_idata,
    plateau_curve,
    replicate,
)

import bayes_walk as bw
from bayes_walk.cli.main import main


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("exports")
    rng = np.random.default_rng(3)
    noise = rng.normal(0, 0.01, (2, 50, 1)) * (GRID_MIN - 78) / 50
    idata = make_idata(
        replicate(plateau_curve(GRID_MIN, 100.0, 0.01)) + noise,
        replicate(linear_curve(GRID_METS, 0.3, 3.0)),
        cat=True,
        extra_posterior={},
    )
    idata.to_netcdf(str(d / "fit.nc"))
    hand_made_fit(n=300, seed=1, draws=60).to_netcdf(str(d / "loo.nc"))
    bw.save_cohort(bw.simulate(n=300, seed=0), d / "cohort.nc")
    return d


def _csv_tables(text: str) -> dict[str, pd.DataFrame]:
    """Split the CSV output (``# title`` lines between blank-line separated tables)."""
    out = {}
    for block in text.strip().split("\n\n"):
        lines = block.splitlines()
        title = lines[0][2:] if lines[0].startswith("# ") else ""
        body = "\n".join(lines[1:] if title else lines)
        out[title] = pd.read_csv(io.StringIO(body))
    return out


def _run(capsys, args) -> str:
    assert main(args) == 0
    return capsys.readouterr().out


def test_summary_exports(files, capsys):
    fit = str(files / "fit.nc")
    tables = _csv_tables(_run(capsys, ["summary", fit, "--no-frequentist", "--format", "csv"]))
    assert set(tables) == {"RR by category", "Dose-response curve"}
    curve = tables["Dose-response curve"]
    assert list(curve.columns[:3]) == ["exposure", "x", "reference"]
    at100 = curve[(curve.exposure == "walking_min") & (curve.x == 100.0)].iloc[0]
    assert at100["rr_median"] == pytest.approx(np.exp(-0.22), abs=0.01)
    cats = tables["RR by category"]
    assert cats["category"].tolist()[:2] == ["<78", "78-100"] and cats["reference"].iloc[0]
    latex = _run(capsys, ["summary", fit, "--no-frequentist", "--format", "latex"])
    assert latex.count("\\begin{tabular}") == 2 and "% Dose-response curve" in latex
    md = _run(capsys, ["summary", fit, "--no-frequentist", "--format", "md"])
    assert "**Dose-response curve**" in md and "| exposure | x | reference | rr_median" in md


def test_compare_rr_describe_exports(files, capsys):
    fit = str(files / "fit.nc")
    loo = str(files / "loo.nc")  # compare needs a log-likelihood
    text = _run(capsys, ["compare", loo, loo, "--format", "csv"])
    ranking = pd.read_csv(io.StringIO(text))
    assert list(ranking.columns[:3]) == ["model", "elpd_loo", "se"] and len(ranking) == 2
    assert "\\begin{tabular}" in _run(capsys, ["compare", loo, loo, "--format", "latex"])
    assert _run(capsys, ["compare", loo, loo, "--format", "md"]).startswith("| model |")
    rr = pd.read_csv(io.StringIO(_run(capsys, ["rr", fit, "--at", "60,100", "--format", "csv"])))
    assert rr["x"].tolist() == [60.0, 100.0]
    cohort = str(files / "cohort.nc")
    tables = _csv_tables(_run(capsys, ["describe", cohort, "--format", "csv"]))
    t1 = tables["Table 1 by walking volume quartile"]
    assert t1.columns[0] == "characteristic" and t1.columns[-1] == "Overall"
    assert int(t1.set_index("characteristic").loc["N", "Overall"]) == 300
    assert tables["Inclusion flow"]["n"].iloc[-1] == 300
    assert "**Inclusion flow**" in _run(capsys, ["describe", cohort, "--format", "md"])
    assert "\\begin{tabular}" in _run(capsys, ["describe", cohort, "--format", "latex"])
