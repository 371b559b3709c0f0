"""The true curves of the simulator: shapes, references and parsing."""

import numpy as np
import pytest

from bayes_walk.cohort.truth import (
    INTENSITY_GRID,
    PLATEAU_SLOPE,
    VOLUME_GRID,
    TruthError,
    parse_truth,
)
from bayes_walk.errors import BayesWalkError


@pytest.mark.parametrize(
    "name", ["paper", "plateau:100", "smooth:100", "u_shape", "linear", "null"]
)
def test_curves_are_zero_at_their_reference(name):
    tr = parse_truth(name)
    assert tr.volume.logrr(78.0) == pytest.approx(0.0, abs=1e-12)
    assert tr.intensity.logrr(3.0) == pytest.approx(0.0, abs=1e-12)


def test_plateau_100_is_exactly_flat_after_100_and_declines_before():
    vol = parse_truth("plateau:100").volume
    after = vol.logrr(VOLUME_GRID[VOLUME_GRID >= 100])
    assert np.all(after == after[0])
    before = vol.logrr(VOLUME_GRID[VOLUME_GRID <= 100])
    assert np.all(np.diff(before) < 0)
    # linear decline: constant slope below the onset
    np.testing.assert_allclose(np.diff(before), np.diff(before)[0], rtol=1e-9)
    assert after[0] == pytest.approx(-PLATEAU_SLOPE * 22, rel=1e-12)
    assert np.exp(parse_truth("plateau:200").volume.logrr(125.0)) == pytest.approx(0.76)


def test_plateau_onset_is_parsed():
    vol = parse_truth("plateau:80").volume
    assert vol.params["k"] == 80
    x = np.array([60.0, 80.0, 81.0, 200.0])
    lr = vol.logrr(x)
    assert lr[0] > lr[1] == lr[2] == lr[3]


def test_linear_has_no_plateau():
    tr = parse_truth("linear")
    slopes = np.diff(tr.volume.logrr(VOLUME_GRID))
    np.testing.assert_allclose(slopes, slopes[0], rtol=1e-9)
    assert slopes[0] < 0
    islopes = np.diff(tr.intensity.logrr(INTENSITY_GRID))
    assert np.all(islopes < 0)
    # RR 0.76 between 78 and 125 min/day
    assert np.exp(tr.volume.logrr(125.0)) == pytest.approx(0.76, abs=1e-9)


def test_null_is_zero_everywhere():
    tr = parse_truth("null")
    assert np.all(tr.volume.logrr(VOLUME_GRID) == 0)
    assert np.all(tr.intensity.logrr(INTENSITY_GRID) == 0)


def test_paper_volume_curve_levels_off_near_100():
    vol = parse_truth("paper").volume
    lr = vol.logrr(VOLUME_GRID)
    assert np.all(np.diff(lr) <= 0)  # monotone: more walking never raises risk
    # remaining benefit R(x) = f(x) - min_{x'>=x} f(x'); onset where R <= -log(0.98)
    remaining = lr - np.minimum.accumulate(lr[::-1])[::-1]
    onset = VOLUME_GRID[np.argmax(remaining <= -np.log(0.98))]
    assert 100 <= onset <= 110  # 107 with the frozen calibration
    # substantial benefit below the plateau, none to speak of beyond 150
    assert lr[VOLUME_GRID == 50][0] - lr[VOLUME_GRID == 150][0] > 0.2
    assert abs(lr[VOLUME_GRID == 150][0] - lr[-1]) < 1e-3


@pytest.mark.parametrize(
    "bad", ["", "plateau", "plateau:abc", "plateau:5", "plateau:-10", "quadratic", "plateau:nan"]
)
def test_bad_truth_strings_raise_a_user_error(bad):
    with pytest.raises(TruthError) as exc:
        parse_truth(bad)
    assert isinstance(exc.value, BayesWalkError)
    assert "truth" in str(exc.value)


def test_unknown_truth_message_lists_the_choices():
    with pytest.raises(
        TruthError, match=r"paper, plateau:<min>, smooth:<min>, u_shape, linear, null"
    ):
        parse_truth("quadratic")


def test_stratified_truth_gives_each_level_its_curves():
    tr = parse_truth("paper", stratum_truths={"female": "plateau:80", "male": "linear"})
    assert tr.stratify_by == "sex"
    assert tr.curves_for("female")[0].kind == "hinge"
    assert tr.curves_for("male")[0].kind == "linear"
    assert tr.curves_for(None)[0].kind == "logistic"
    assert "female=plateau:80" in tr.name and "male=linear" in tr.name


def _min_onset(curve, grid):
    """First x whose remaining benefit f(x) - min_{x' >= x} f(x') is at most DEFAULT_DELTA."""
    from bayes_walk.estimands.plateau import DEFAULT_DELTA

    f = curve.logrr(grid)
    remaining = f - np.minimum.accumulate(f[::-1])[::-1]
    return grid[np.argmax(remaining <= DEFAULT_DELTA)]


@pytest.mark.parametrize("onset", [100, 140])
def test_smooth_plateau_reaches_its_floor_at_the_named_onset(onset):
    vol = parse_truth(f"smooth:{onset}").volume
    grid = np.arange(20.0, 400.0, 0.1)
    assert _min_onset(vol, grid) == pytest.approx(onset, abs=0.1)
    f = vol.logrr(grid)
    assert np.all(np.diff(f) < 0)  # strictly decreasing: smooth, never exactly flat
    # well below the bend it declines at the plateau truth's slope
    low = grid < onset - 50
    np.testing.assert_allclose(np.diff(f[low]) / 0.1, -PLATEAU_SLOPE, rtol=0.02)
    # and it differs from the sharp hinge of the same onset around the bend
    sharp = parse_truth(f"plateau:{onset}").volume
    assert abs(vol.logrr(onset - 10) - sharp.logrr(onset - 10)) > 0.01


def test_u_shape_falls_levels_and_rises_again():
    vol = parse_truth("u_shape").volume
    f = vol.logrr(np.array([60.0, 100.0, 130.0, 160.0, 200.0]))
    assert f[0] > f[1] == f[2] == f[3] < f[4]
    assert _min_onset(vol, np.arange(20.0, 300.0, 0.5)) == pytest.approx(97.0, abs=0.5)
    assert parse_truth("u_shape").intensity == parse_truth("paper").intensity


def test_smooth_onset_is_checked():
    with pytest.raises(TruthError, match="smooth:100"):
        parse_truth("smooth:lots")
