"""RR interpolation, intervals and category tables on hand-made draws."""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr
from _helpers_estimands import GRID_MIN, curve_array, linear_curve, make_idata, replicate

from bayes_walk.estimands.categories import category_table
from bayes_walk.estimands.curve import logrr_at, rr_summary
from bayes_walk.estimands.draws import interval, quantile_sorted
from bayes_walk.estimands.joint import category_midpoints, curve_joint_table, joint_table


def test_logrr_at_interpolates_linearly_and_nan_outside():
    c = curve_array(replicate(linear_curve(GRID_MIN, 0.004)), GRID_MIN, "walking_min", 78.0)
    got = logrr_at(c, [78.0, 100.0, 101.3, 10.0, 250.0]).isel(chain=0, draw=0).values
    assert got[0] == 0.0
    assert got[1] == pytest.approx(-0.088)
    assert got[2] == pytest.approx(-0.004 * (101.3 - 78))
    assert np.isnan(got[3]) and np.isnan(got[4])


def test_rr_summary_known_quantiles():
    # draws of the slope 0.001..0.010 equally spaced: RR(178) = exp(-100 * slope)
    slopes = np.linspace(0.001, 0.010, 100)
    vals = np.stack([linear_curve(GRID_MIN, s) for s in slopes])[None]
    c = curve_array(vals, GRID_MIN, "walking_min", 78.0)
    s = rr_summary(c, [178.0]).isel(x=0)
    assert float(s["median"]) == pytest.approx(math.exp(-100 * np.median(slopes)))
    assert float(s["lo"]) == pytest.approx(math.exp(-100 * np.quantile(slopes, 0.975)))
    assert float(s["hi"]) == pytest.approx(math.exp(-100 * np.quantile(slopes, 0.025)))
    assert float(s["p_benefit"]) == 1.0
    h = rr_summary(c, [178.0], hdi=True).isel(x=0)
    assert float(h["hi"] - h["lo"]) <= float(s["hi"] - s["lo"]) + 1e-12


def test_interval_with_infinite_draws():
    x = np.array([1.0, 2.0, 3.0, np.inf, np.inf])
    srt = np.sort(x)
    assert quantile_sorted(srt, 0.5) == 3.0
    assert np.isinf(quantile_sorted(srt, 0.975))
    da = xr.DataArray(x.reshape(1, 5), dims=("chain", "draw"))
    iv = interval(da)
    assert float(iv["median"]) == 3.0 and np.isinf(float(iv["hi"]))
    assert float(iv["lo"]) == pytest.approx(np.quantile([1, 2, 3, 4, 5], 0.025))


def test_category_table_reference_and_counts():
    idata = make_idata(cat=True)
    t = category_table(idata, "walking_min")
    assert list(t["category"]) == ["<78", "78-100", "101-124", ">=125"]
    assert t["reference"].tolist() == [True, False, False, False]
    assert t.loc[0, "rr_median"] == 1.0 and t.loc[0, "rr_lo"] == 1.0
    assert t["n"].tolist() == [100, 100, 100, 100]
    assert t.loc[1, "rr_median"] == pytest.approx(0.87, abs=0.03)


def test_joint_tables_from_joint_and_additive_curve_fits():
    chains, draws = 2, 20
    labels = {
        "walking_min": ["<78", "78-100", "101-124", ">=125"],
        "walking_mets": ["a", "b", "c", "d"],
    }
    cell = np.log(np.outer([1.0, 0.9, 0.8, 0.8], [1.0, 0.95, 0.9, 0.9]))
    joint = xr.DataArray(
        np.broadcast_to(cell, (chains, draws, 4, 4)).copy(),
        dims=("chain", "draw", "walking_min_category", "walking_mets_category"),
        coords={
            "walking_min_category": labels["walking_min"],
            "walking_mets_category": labels["walking_mets"],
        },
    )
    jt = joint_table(
        make_idata(
            replicate(linear_curve(GRID_MIN), chains, draws),
            chains=chains,
            draws=draws,
            extra_posterior={"logrr_joint": joint},
        )
    )
    assert len(jt) == 16
    assert jt.loc[
        (jt.walking_min == ">=125") & (jt.walking_mets == "d"), "rr_median"
    ].item() == pytest.approx(0.72)

    mets_grid = np.linspace(2.7, 3.7, 101)
    mets = replicate(-0.5 * (mets_grid - 3.0), chains, draws)
    idata = make_idata(
        replicate(linear_curve(GRID_MIN, 0.004), chains, draws),
        None,
        chains=chains,
        draws=draws,
        extra_posterior={"logrr_walking_mets": curve_array(mets, mets_grid, "walking_mets", 3.0)},
    )
    cuts = {"walking_min": [78.0, 100.0, 124.0], "walking_mets": [3.0, 3.11, 3.26]}
    gt = curve_joint_table(idata, cuts, labels)
    mid_v = category_midpoints(cuts["walking_min"], 20.0, 200.0)
    mid_m = category_midpoints(cuts["walking_mets"], 2.7, 3.7)
    assert mid_v.tolist() == [49.0, 89.0, 112.0, 162.0]
    expect = math.exp(-0.004 * (mid_v[3] - mid_v[0]) - 0.5 * (mid_m[2] - mid_m[0]))
    row = gt[(gt.walking_min == ">=125") & (gt.walking_mets == "c")]
    assert row["rr_median"].item() == pytest.approx(expect)
    assert gt.loc[0, "rr_median"] == 1.0
