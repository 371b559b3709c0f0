"""Stratum contrasts: the ratio of two strata's RR curves, in Python and from `rr`."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr
from _helpers_estimands import GRID_MIN, curve_array, make_idata, plateau_curve

import bayes_walk as bw
from bayes_walk.cli.main import main


@pytest.fixture(scope="module")
def strat_file(tmp_path_factory):
    rng = np.random.default_rng(0)

    def draws(onset):
        base = plateau_curve(GRID_MIN, onset, 0.02)
        # draw-to-draw noise that keeps f(78) = 0: a slope jitter
        return base[None, None, :] * rng.normal(1.0, 0.05, (2, 50, 1))

    female = curve_array(draws(100.0), GRID_MIN, "walking_min", 78.0)
    male = curve_array(draws(150.0), GRID_MIN, "walking_min", 78.0)
    both = xr.concat([female, male], dim="stratum").assign_coords(stratum=["female", "male"])
    both = both.transpose("chain", "draw", "stratum", "walking_min_grid")
    both.attrs = {"reference": 78.0, "form": "hsgp", "curve_by": "sex"}
    idata = make_idata()
    idata.posterior["logrr_walking_min"] = both
    path = tmp_path_factory.mktemp("strata") / "fit.nc"
    idata.to_netcdf(str(path))
    return path


def test_fit_rr_stratum_versus(strat_file):
    fit = bw.load_fit(strat_file)
    t = fit.rr("walking_min", at=[60, 125], stratum="female", versus="male")
    assert list(t.columns) == [
        "stratum",
        "versus",
        "x",
        "ratio_median",
        "ratio_lo",
        "ratio_hi",
        "p_below_1",
    ]
    # at 125 female log-RR -0.02 (100 - 78) = -0.44, male -0.02 (125 - 78) = -0.94:
    # female's RR is exp(0.5) times male's; below the onsets (60) the curves agree
    assert t["ratio_median"][1] == pytest.approx(np.exp(0.5), rel=0.02)
    assert t["ratio_lo"][1] > 1 and t["p_below_1"][1] == 0.0
    assert t["ratio_median"][0] == pytest.approx(1.0, abs=0.02)
    only = fit.rr("walking_min", at=[125], stratum="male")
    assert only["stratum"].tolist() == ["male"]
    with pytest.raises(bw.BayesWalkError, match="strata are female, male"):
        fit.rr("walking_min", at=[125], stratum="women", versus="male")


def test_cli_rr_versus(strat_file, capsys):
    args = ["rr", str(strat_file), "--at", "60,125", "--stratum", "male", "--versus", "female"]
    assert main([*args, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["stratum"] == "male" and out["versus"] == "female"
    assert out["rows"][1]["ratio"]["median"] == pytest.approx(np.exp(-0.5), rel=0.02)
    assert out["rows"][1]["p_below_1"] == 1.0
    assert main(args) == 0
    assert "P(ratio < 1)" in capsys.readouterr().out
    assert main([*args, "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("stratum,versus,x,ratio_median")
    assert main(["rr", str(strat_file), "--at", "60", "--stratum", "x", "--versus", "male"]) == 2
    assert "no stratum 'x'" in capsys.readouterr().err
