"""Plateau onset, remaining benefit and minimal dose on curves whose answer is known."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _helpers_estimands import GRID_MIN, curve_array, linear_curve, plateau_curve, replicate

from bayes_walk.estimands.plateau import (
    DEFAULT_DELTA,
    minimal_dose,
    near_probability,
    plateau_onset,
    remaining_benefit,
)


def _curve(values, chains=2, draws=20):
    return curve_array(replicate(values, chains, draws), GRID_MIN, "walking_min", 78.0)


def test_flat_from_100_has_onset_100_with_zero_delta():
    onset = plateau_onset(_curve(plateau_curve(GRID_MIN, 100.0)), delta=0.0)
    assert np.allclose(onset.values, 100.0)
    assert float(near_probability(onset, near=100, within=10)) == 1.0


def test_flat_from_100_onset_is_100_minus_delta_over_slope():
    slope = 0.01
    onset = plateau_onset(_curve(plateau_curve(GRID_MIN, 100.0, slope)))
    assert np.allclose(onset.values, 100.0 - DEFAULT_DELTA / slope, atol=1e-9)
    assert float(near_probability(onset)) == 1.0
    # and it is not near 140
    assert float(near_probability(onset, near=140, within=10)) == 0.0


def test_remaining_benefit_known_values():
    slope = 0.01
    r = remaining_benefit(_curve(plateau_curve(GRID_MIN, 100.0, slope)))
    x = GRID_MIN
    expected = slope * np.clip(100.0 - x, 0, None)
    assert np.allclose(r.isel(chain=0, draw=0).values, expected)
    assert (r.values >= 0).all()


def test_remaining_benefit_ignores_later_rise():
    # U-shape: the minimum is at 120, after which the curve rises again
    f = 0.0001 * (GRID_MIN - 120.0) ** 2 - 0.5
    r = remaining_benefit(_curve(f)).isel(chain=0, draw=0).values
    assert np.allclose(r[GRID_MIN >= 120], 0.0)
    assert np.allclose(r[GRID_MIN < 120], f[GRID_MIN < 120] + 0.5)


def test_linear_curve_has_no_plateau_within_grid():
    onset = plateau_onset(_curve(linear_curve(GRID_MIN, 0.004)))
    assert np.isinf(onset.values).all()
    assert float(near_probability(onset)) == 0.0
    # without censoring the "onset" sits just below the grid's end
    raw = plateau_onset(_curve(linear_curve(GRID_MIN, 0.004)), tail=0.0)
    assert np.allclose(raw.values, 200.0 - DEFAULT_DELTA / 0.004)


def test_flat_curve_onset_at_grid_min():
    onset = plateau_onset(_curve(np.zeros_like(GRID_MIN)))
    assert np.allclose(onset.values, GRID_MIN[0])
    assert float(near_probability(onset)) == 0.0


def test_onset_mixture_probability():
    vals = np.stack(
        [plateau_curve(GRID_MIN, 100.0, 0.05)] * 30 + [plateau_curve(GRID_MIN, 150.0, 0.05)] * 10
    )
    onset = plateau_onset(curve_array(vals[None], GRID_MIN, "walking_min", 78.0))
    assert float(near_probability(onset)) == pytest.approx(0.75)


def test_stratum_dim_is_kept():
    a = replicate(plateau_curve(GRID_MIN, 100.0, 0.05), 2, 10)
    b = replicate(plateau_curve(GRID_MIN, 60.0, 0.05), 2, 10)
    import xarray as xr

    curve = (
        xr.concat([_curve(a[0, 0], 2, 10), _curve(b[0, 0], 2, 10)], dim="stratum")
        .assign_coords(stratum=["female", "male"])
        .transpose("chain", "draw", "stratum", "walking_min_grid")
    )
    onset = plateau_onset(curve)
    assert onset.dims == ("chain", "draw", "stratum")
    p = near_probability(onset)
    assert float(p.sel(stratum="female")) == 1.0
    assert float(p.sel(stratum="male")) == 0.0


def test_minimal_dose_exact_and_unreached():
    slope = 0.01
    c = _curve(plateau_curve(GRID_MIN, 100.0, slope))
    # RR 0.85 needs log RR -0.1625 -> 78 + 16.25 = 94.25 min
    dose = minimal_dose(c, 0.85)
    assert np.allclose(dose.values, 78.0 - math.log(0.85) / slope)
    # RR 0.5 is never reached (the curve stops at exp(-0.22) = 0.80)
    assert np.isinf(minimal_dose(c, 0.5).values).all()
