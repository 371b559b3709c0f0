"""``bayes-walk summary`` and ``plateau`` through the CLI on a hand-made fit file."""

from __future__ import annotations

import json

import numpy as np
import pytest
from _helpers_estimands import (
    GRID_METS,
    GRID_MIN,
    linear_curve,
    make_idata,
    plateau_curve,
    replicate,
)

from bayes_walk.cli.main import main


@pytest.fixture(scope="module")
def fit_file(tmp_path_factory):
    rng = np.random.default_rng(3)
    noise = rng.normal(0, 0.01, (2, 50, 1)) * (GRID_MIN - 78) / 50
    idata = make_idata(
        replicate(plateau_curve(GRID_MIN, 100.0, 0.01)) + noise,
        replicate(linear_curve(GRID_METS, 0.3, 3.0)),
        cat=True,
        extra_posterior={},
    )
    path = tmp_path_factory.mktemp("fit") / "fit.nc"
    idata.to_netcdf(str(path))
    return path


def test_summary_json_keys(fit_file, capsys):
    assert main(["summary", str(fit_file), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["model"] == "handmade"
    assert set(out["diagnostics"]) >= {"divergences", "max_rhat", "min_ess_bulk"}
    assert out["diagnostics"]["divergences"] == 0
    assert "min_ess_bulk_var" in out["diagnostics"]
    # a hand-made fit's diagnostics decide whether there is advice; it is always a list
    assert isinstance(out["advice"], list)
    assert bool(out["advice"]) == bool(out["warnings"])
    row = out["rr_table"][1]
    assert set(row) >= {"exposure", "category", "n", "cases", "rr", "frequentist"}
    assert set(row["rr"]) == {"median", "lo", "hi"}
    xs = [r["x"] for r in out["curve"] if r["exposure"] == "walking_min"]
    assert xs == [40.0, 60.0, 78.0, 100.0, 125.0, 150.0, 175.0]
    at100 = next(r for r in out["curve"] if r["exposure"] == "walking_min" and r["x"] == 100.0)
    assert at100["rr"]["median"] == pytest.approx(np.exp(-0.22), abs=0.01)
    assert at100["stratum"] is None
    assert any(r["exposure"] == "walking_mets" for r in out["curve"])
    # a fit without a stored mu: no absolute risks, one note, not an error
    assert out["absolute_risk"]["rows"] == [] and out["risk_difference"] is None
    assert "posterior_predictive.mu" in out["absolute_risk"]["note"]


def test_summary_text_is_table2(fit_file, capsys):
    assert main(["summary", str(fit_file)]) == 0
    text = capsys.readouterr().out
    assert "Table 2. Walking volume (min/day)" in text
    assert "1 [Reference]" in text and "78-100" in text


def test_plateau_json_keys_and_values(fit_file, capsys):
    assert main(["plateau", str(fit_file), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in (
        "exposure",
        "near",
        "within",
        "delta",
        "probability",
        "onset",
        "remaining_benefit_at_near",
        "definition",
        "minimal_dose",
        "p_benefit",
    ):
        assert key in out
    assert out["exposure"] == "walking_min" and out["near"] == 100.0
    assert out["delta"] == pytest.approx(-np.log(0.98))
    assert 0.5 < out["probability"] <= 1.0
    assert 90 < out["onset"]["median"] < 110
    assert "less than 2.0%" in out["definition"]


def test_plateau_linear_intensity_has_no_plateau(fit_file, capsys):
    assert (
        main(
            [
                "plateau",
                str(fit_file),
                "--exposure",
                "walking_mets",
                "--near",
                "3.3",
                "--within",
                "0.1",
                "--json",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["probability"] == 0.0 and out["p_no_plateau"] == 1.0
    assert out["onset"]["median"] is None


def test_user_errors_exit_2(fit_file, tmp_path, capsys):
    assert main(["plateau", str(tmp_path / "missing.nc")]) == 2
    assert "no such fit file" in capsys.readouterr().err
    bad = tmp_path / "bad.nc"
    bad.write_text("not netcdf")
    assert main(["summary", str(bad)]) == 2
    assert "not a readable fit file" in capsys.readouterr().err
    assert main(["plateau", str(fit_file), "--exposure", "steps"]) == 2
    assert "logrr_steps" in capsys.readouterr().err


def test_plateau_definition_option(fit_file, capsys):
    assert main(["plateau", str(fit_file), "--json", "--definition", "ed:90"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["onset_definition"] == "ed:90"
    assert "ed:90" in out["definition"]
    # hinge at 100 from 20: ED_90 = 20 + 0.9 * 80 = 92 (the noise is tiny)
    assert out["onset"]["median"] == pytest.approx(92.0, abs=1.0)
    assert main(["plateau", str(fit_file), "--json", "--definition", "edge"]) == 0
    assert json.loads(capsys.readouterr().out)["onset_definition"] == "edge"
    assert main(["plateau", str(fit_file), "--definition", "bogus"]) == 2
    err = capsys.readouterr().err
    assert "unknown onset definition 'bogus'" in err and "Traceback" not in err


def _step_fit(tmp_path, form: str):
    idata = make_idata(mets_curve=replicate(linear_curve(GRID_METS, 0.3, 3.0)), cat=True)
    exposures = {"walking_min": {"form": form, "reference": 78}}
    if form == "joint":
        exposures["walking_mets"] = {"form": form, "reference": 3.0}
    spec = {"name": "quartiles", "exposures": exposures}
    idata.attrs["spec"] = json.dumps(spec)
    idata.attrs["spec_name"] = "quartiles"
    path = tmp_path / f"{form}.nc"
    idata.to_netcdf(str(path))
    return path


@pytest.mark.parametrize("form", ["categorical", "joint"])
def test_plateau_refuses_step_forms(tmp_path, capsys, form):
    path = _step_fit(tmp_path, form)
    assert main(["plateau", str(path), "--json"]) == 2
    cap = capsys.readouterr()
    assert cap.out == ""
    assert f"{form} form" in cap.err and "hsgp (spec 'gp')" in cap.err
    assert "changepoint" in cap.err and "Traceback" not in cap.err


def test_averaged_plateau_refuses_a_step_form(fit_file, tmp_path, capsys):
    path = _step_fit(tmp_path, "categorical")
    assert main(["plateau", str(fit_file), str(path), "--json"]) == 2
    assert "categorical form" in capsys.readouterr().err
