"""Stratum curves (one block per stratum) and the changepoint's tau in the summaries."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from _helpers_estimands import GRID_MIN, curve_array, make_idata, plateau_curve, replicate

from bayes_walk.answers.plateau import plateau_summary
from bayes_walk.answers.summary import curve_rows, fit_summary
from bayes_walk.errors import FitFileError


@pytest.fixture(scope="module")
def strat_idata():
    female = curve_array(
        replicate(plateau_curve(GRID_MIN, 100.0, 0.02)), GRID_MIN, "walking_min", 78.0
    )
    male = curve_array(
        replicate(plateau_curve(GRID_MIN, 150.0, 0.02)), GRID_MIN, "walking_min", 78.0
    )
    both = xr.concat([female, male], dim="stratum").assign_coords(stratum=["female", "male"])
    both = both.transpose("chain", "draw", "stratum", "walking_min_grid")
    both.attrs = {"reference": 78.0, "form": "hsgp", "curve_by": "sex"}
    rng = np.random.default_rng(0)
    tau = xr.DataArray(rng.normal(100, 5, (2, 50)), dims=("chain", "draw"))
    idata = make_idata(extra_posterior={"tau_walking_min": tau})
    idata.posterior["logrr_walking_min"] = both
    return idata


def test_plateau_has_one_block_per_stratum(strat_idata):
    p = plateau_summary(strat_idata)
    assert p["stratum"] == "female" and p["probability"] == 1.0
    by = {b["stratum"]: b for b in p["strata"]}
    assert by["female"]["probability"] == 1.0
    assert by["male"]["probability"] == 0.0
    assert by["male"]["onset"]["median"] == pytest.approx(150 - np.log(1 / 0.98) / 0.02)
    male = plateau_summary(strat_idata, stratum="male")
    assert male["probability"] == 0.0
    with pytest.raises(FitFileError, match="strata: female, male"):
        plateau_summary(strat_idata, stratum="other")


def test_tau_posterior_reported(strat_idata):
    p = plateau_summary(strat_idata)
    assert p["tau"]["median"] == pytest.approx(100, abs=2)
    assert 0.9 < p["tau"]["p_near"] <= 1.0
    s = fit_summary(strat_idata, frequentist=False)
    assert s["tau"]["walking_min"]["median"] == pytest.approx(100, abs=2)


def test_curve_rows_per_stratum(strat_idata):
    rows = curve_rows(strat_idata)
    assert {r["stratum"] for r in rows} == {"female", "male"}
    f125 = next(r for r in rows if r["stratum"] == "female" and r["x"] == 125.0)
    m125 = next(r for r in rows if r["stratum"] == "male" and r["x"] == 125.0)
    assert f125["rr"]["median"] == pytest.approx(np.exp(-0.02 * 22))
    assert m125["rr"]["median"] == pytest.approx(np.exp(-0.02 * 47))
