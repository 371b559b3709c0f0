"""Calibration table and figure on hand-made fits."""

from __future__ import annotations

import numpy as np
from _helpers_checks import hand_made_fit

from bayes_walk.checks.calibration import calibration_figure, calibration_table, wilson_interval


def test_wilson_interval_matches_hand_value():
    from statsmodels.stats.proportion import proportion_confint

    lo, hi = wilson_interval(np.array([15, 3]), np.array([100, 40]))
    ref = proportion_confint(np.array([15, 3]), np.array([100, 40]), method="wilson")
    np.testing.assert_allclose(lo, ref[0], rtol=1e-10)
    np.testing.assert_allclose(hi, ref[1], rtol=1e-10)
    assert abs(lo[0] - 0.0931) < 1e-4 and abs(hi[0] - 0.2328) < 1e-4


def test_calibration_table_correct_model_tracks_the_diagonal():
    tab = calibration_table(hand_made_fit(n=6000, seed=5, beta=-0.5))
    assert len(tab) == 10 and tab["n"].sum() == 6000
    assert np.all(np.diff(tab["predicted"]) > 0)
    inside = (tab["observed_lo"] <= tab["predicted"]) & (tab["predicted"] <= tab["observed_hi"])
    assert inside.sum() >= 8
    assert np.all(tab["replicated_lo"] <= tab["replicated_hi"])


def test_calibration_slope_shows_an_exaggerated_effect():
    # A model whose exposure effect is 2.4 times too strong spreads predicted risks too
    # widely: observed incidence rises with only about half the slope.
    bad = calibration_table(hand_made_fit(n=6000, seed=5, beta=-0.5, model_beta=-1.2))
    slope = np.polyfit(bad["predicted"], bad["observed"], 1)[0]
    good = calibration_table(hand_made_fit(n=6000, seed=5, beta=-0.5))
    slope_good = np.polyfit(good["predicted"], good["observed"], 1)[0]
    assert abs(slope_good - 1.0) < 0.3 and slope < 0.65


def test_calibration_figure_returns_a_figure_with_points():
    import matplotlib.figure

    fig = calibration_figure(hand_made_fit(n=1000, seed=6, draws=40))
    assert isinstance(fig, matplotlib.figure.Figure)
    ax = fig.axes[0]
    assert "predicted risk" in ax.get_xlabel()
    assert len(ax.lines) >= 2
