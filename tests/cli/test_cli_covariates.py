"""Covariate RRs (per unit, per SD, per level) and E-values in summary and the report."""

from __future__ import annotations

import json

import numpy as np
import pytest
from _helpers_model import toy_cohort

import bayes_walk as bw
from bayes_walk.cli.main import main
from bayes_walk.estimands.evalue import evalue, evalue_limit

SPEC = {
    "name": "lin",
    "adjust": ["age", "sex"],
    "exposures": {"walking_min": {"form": "linear", "reference": 78}},
    "sampler": {"chains": 1, "draws": 100, "tune": 100, "seed": 0},
}


@pytest.fixture(scope="module")
def fit_file(tmp_path_factory):
    from bayes_walk.spec.model_spec import spec_from_dict

    d = tmp_path_factory.mktemp("cov")
    fit = bw.fit(spec_from_dict(SPEC), toy_cohort(n=500, seed=4), progress=False)
    return fit.save(d / "fit.nc")


def test_summary_json_covariates_and_evalues(fit_file, capsys):
    assert main(["summary", str(fit_file), "--json", "--no-frequentist"]) == 0
    s = json.loads(capsys.readouterr().out)
    cov = {(r["covariate"], r["contrast"]): r for r in s["covariates"]}
    fit = bw.load_fit(fit_file)
    beta = fit.posterior["beta"]
    sd = next(t["sd"] for t in fit.designs["covariates"]["terms"] if t["name"] == "age")
    per_sd = float(np.exp(beta.sel(covariate="age")).median())
    per_unit = float(np.exp(beta.sel(covariate="age") / sd).median())
    assert cov[("age", f"per SD ({sd:.4g})")]["rr"]["median"] == pytest.approx(per_sd)
    assert cov[("age", "per unit")]["rr"]["median"] == pytest.approx(per_unit)
    male = cov[("sex", "male")]
    assert male["reference"] == "female"
    assert male["rr"]["median"] == pytest.approx(
        float(np.exp(beta.sel(covariate="sex[male]")).median())
    )
    assert male["evalue"]["point"] == pytest.approx(evalue(male["rr"]["median"]))
    for row in s["curve"]:
        if row["x"] == row["reference"]:
            assert row["evalue"] is None
            continue
        rr = row["rr"]
        assert row["evalue"]["point"] == pytest.approx(evalue(rr["median"]))
        assert row["evalue"]["limit"] == pytest.approx(evalue_limit(rr["lo"], rr["hi"]))


def test_summary_text_and_report_show_them(fit_file, tmp_path, capsys):
    assert main(["summary", str(fit_file), "--no-frequentist"]) == 0
    text = capsys.readouterr().out
    assert "Covariates (RR per unit and per SD" in text and "male vs female" in text
    assert "E-value (CI limit)" in text
    assert main(["report", str(fit_file), "--out", str(tmp_path / "r")]) == 0
    md = (tmp_path / "r" / "report.md").read_text()
    assert "Covariates and E-values" in md and "male vs female" in md


def test_fit_covariates_frame(fit_file):
    table = bw.load_fit(fit_file).covariates()
    assert list(table.columns) == [
        "covariate",
        "contrast",
        "reference",
        "rr_median",
        "rr_lo",
        "rr_hi",
        "p_benefit",
        "evalue",
        "evalue_limit",
    ]
    assert list(table["covariate"]) == ["age", "age", "sex"]
    row = table.iloc[2]
    assert row["evalue"] == pytest.approx(evalue(row["rr_median"]))
