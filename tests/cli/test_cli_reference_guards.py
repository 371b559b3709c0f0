"""Guard rails: re-referencing (--reference / reference=), no curve through category steps."""

from __future__ import annotations

import json

import numpy as np
import pytest
from _helpers_estimands import (
    GRID_METS,
    GRID_MIN,
    curve_array,
    linear_curve,
    make_idata,
    plateau_curve,
    replicate,
)

from bayes_walk.cli.main import main
from bayes_walk.estimands.reference import (
    CurveReferenceError,
    parse_reference_args,
    parse_references,
    rereference,
)
from bayes_walk.results import Fit


def _save(idata, path):
    idata.to_netcdf(str(path))
    return str(path)


@pytest.fixture(scope="module")
def curve_fit(tmp_path_factory):
    idata = make_idata(
        replicate(plateau_curve(GRID_MIN, 100.0, 0.01)),
        replicate(linear_curve(GRID_METS, 0.3, 3.0)),
    )
    return _save(idata, tmp_path_factory.mktemp("ref") / "fit.nc")


@pytest.fixture(scope="module")
def quartile_fit(tmp_path_factory):
    idata = make_idata(mets_curve=replicate(linear_curve(GRID_METS, 0.3, 3.0)), cat=True)
    idata.attrs["spec"] = json.dumps(
        {
            "name": "quartiles",
            "exposures": {
                "walking_min": {"form": "categorical", "reference": 78},
                "walking_mets": {"form": "linear", "reference": 3.0},
            },
        }
    )
    idata.attrs["spec_name"] = "quartiles"
    return _save(idata, tmp_path_factory.mktemp("ref") / "quartiles.nc")


def test_rereference_known_values():
    c = curve_array(replicate(plateau_curve(GRID_MIN, 100.0, 0.01)), GRID_MIN, "walking_min", 78.0)
    r = rereference(c, 60.0)
    # versus 60: f(x) - f(60) = -0.01 * (min(x, 100) - 60)
    expect = -0.01 * (np.minimum(GRID_MIN, 100.0) - 60.0)
    np.testing.assert_allclose(r.values[0, 0], expect, atol=1e-12)
    assert r.attrs["reference"] == 60.0 and r.attrs["form"] == "hsgp"
    assert rereference(c, None) is c
    for bad in (10.0, 250.0, float("nan")):
        with pytest.raises(CurveReferenceError, match="outside the fitted curve's range 20-200"):
            rereference(c, bad)


def test_reference_parsing():
    assert parse_reference_args(None) is None
    assert parse_reference_args(["100"]) == 100.0
    assert parse_reference_args(["walking_min=100", "walking_mets=3.2"]) == {
        "walking_min": 100.0,
        "walking_mets": 3.2,
    }
    with pytest.raises(CurveReferenceError):
        parse_reference_args(["walking_min=abc"])
    with pytest.raises(CurveReferenceError, match="name the exposure"):
        parse_references(100.0, ["walking_min", "walking_mets"])
    with pytest.raises(CurveReferenceError, match="no curve for steps"):
        parse_references({"steps": 1.0}, ["walking_min"])


def test_summary_reference(curve_fit, capsys):
    args = ["summary", curve_fit, "--json", "--no-frequentist"]
    assert main([*args, "--reference", "walking_min=60"]) == 0
    s = json.loads(capsys.readouterr().out)
    rows = {r["x"]: r for r in s["curve"] if r["exposure"] == "walking_min"}
    assert rows[60.0]["rr"]["median"] == pytest.approx(1.0)
    assert rows[100.0]["reference"] == 60.0
    assert rows[100.0]["rr"]["median"] == pytest.approx(np.exp(-0.01 * 40))
    # the other exposure keeps its own reference
    mets = [r for r in s["curve"] if r["exposure"] == "walking_mets"]
    assert all(r["reference"] == pytest.approx(3.0) for r in mets)
    # Python API, same numbers
    fit = Fit.load(curve_fit)
    py = fit.summary(frequentist=False, reference={"walking_min": 60.0})
    assert py["curve"] == s["curve"]
    # outside the grid, or a bare number for two curves: exit 2, nothing on stdout
    assert main([*args, "--reference", "walking_min=500"]) == 2
    cap = capsys.readouterr()
    assert cap.out == "" and "outside the fitted curve's range" in cap.err
    assert main([*args, "--reference", "60"]) == 2
    assert "name the exposure" in capsys.readouterr().err


def test_plateau_reference(curve_fit, capsys):
    assert main(["plateau", curve_fit, "--json"]) == 0
    base = json.loads(capsys.readouterr().out)
    assert main(["plateau", curve_fit, "--json", "--reference", "120"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["reference"] == 120.0 and base["reference"] == pytest.approx(78.0)
    assert out["onset"] == base["onset"]  # the onset does not depend on the reference
    assert out["probability"] == base["probability"]
    # versus 120 (on the plateau) every lower x has RR > 1: P(RR < 1) = 0 at 60
    pb = {r["x"]: r["p"] for r in out["p_benefit"]}
    assert pb[60.0] == 0.0
    assert main(["plateau", curve_fit, "--reference", "5"]) == 2
    assert "outside the fitted curve's range" in capsys.readouterr().err


def test_summary_text_draws_no_curve_through_categories(quartile_fit, capsys):
    assert main(["summary", quartile_fit, "--no-frequentist", "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    steps = [r for r in s["curve"] if r["exposure"] == "walking_min"]
    assert steps and all(r["step"] for r in steps)  # the JSON key stays
    assert not any(r["step"] for r in s["curve"] if r["exposure"] == "walking_mets")
    assert main(["summary", quartile_fit, "--no-frequentist"]) == 0
    text = capsys.readouterr().out
    assert "Table 2" in text and "step) term, so no dose-response curve" in text
    assert "Dose-response curve. Walking" not in text.split("Walking intensity")[0]
    assert "Dose-response curve." in text  # the intensity curve is still shown


def test_report_curves_share_one_reference_and_label_each_axis(tmp_path, monkeypatch):
    from bayes_walk.reporting import figures
    from bayes_walk.reporting.build import FitEntry
    from bayes_walk.reporting.sections import curves_section

    # one fit stored versus 78, another versus 62 (as rcs with reference p10 would be)
    a = make_idata(replicate(plateau_curve(GRID_MIN, 100.0, 0.01)), spec_name="a")
    shifted = replicate(plateau_curve(GRID_MIN, 100.0, 0.01, ref=62.0))
    b = make_idata(shifted, spec_name="b")
    b.posterior["logrr_walking_min"].attrs["reference"] = 62.0
    labels = []
    real = figures.curve_figure

    def spy(*args, **kwargs):
        fig = real(*args, **kwargs)
        labels.extend(ax.get_ylabel() for ax in fig.axes[: len(args[0])])
        return fig

    monkeypatch.setattr("bayes_walk.reporting.sections.curve_figure", spy)
    sec = curves_section([FitEntry("a", None, a), FitEntry("b", None, b)], None)
    assert labels == ["Risk ratio vs 78 min/day (log scale)"] * 2
    # rows at x = 78 are RR 1 for both models: both on reference 78
    table = [blk for kind, blk in sec.blocks if kind == "table"][0]
    assert table.header[2] == "reference"
    assert {r[2] for r in table.rows} == {"78"}
    at78 = [r for r in table.rows if r[3] == "78"]
    assert len(at78) == 2 and all(r[2] == "78" and r[4].startswith("1.00") for r in at78)


def test_report_plateau_minimal_dose_on_one_reference():
    from bayes_walk.reporting.build import FitEntry
    from bayes_walk.reporting.sections import plateau_section

    a = make_idata(replicate(plateau_curve(GRID_MIN, 100.0, 0.01)), spec_name="a")
    b = make_idata(replicate(plateau_curve(GRID_MIN, 100.0, 0.01, ref=62.0)), spec_name="b")
    b.posterior["logrr_walking_min"].attrs["reference"] = 62.0
    sec = plateau_section([FitEntry("a", None, a), FitEntry("b", None, b)])
    table = [blk for kind, blk in sec.blocks if kind == "table"][0]
    assert table.header[-1].startswith("RR <= 0.85 vs 78 min/day")
    # the same curve on the same reference: the same minimal dose for both models
    assert table.rows[0][-1] == table.rows[1][-1]
    # RR 0.85 vs 78 on a slope of 0.01/min: 78 - log(0.85) / 0.01 = 94.3
    assert "94.3" in table.rows[0][-1]
