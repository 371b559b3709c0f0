"""Every onset definition on hand-made curves with known answers (estimands/onset.py)."""

from __future__ import annotations

import numpy as np
import pytest
from _helpers_estimands import GRID_MIN, curve_array, linear_curve, plateau_curve, replicate

from bayes_walk.estimands.onset import (
    OnsetDefinitionError,
    definition_label,
    isotonic_decreasing,
    onset_definition_names,
    onset_draws,
    remaining_draws,
)
from bayes_walk.estimands.plateau import DEFAULT_DELTA, plateau_onset

G = GRID_MIN  # 20..200 plus round values
SLOPE = 0.01


def _c(values, chains=1, draws=3):
    return curve_array(replicate(values, chains, draws), G, "walking_min", 78.0)


def _one(values, definition, **kw):
    out = onset_draws(_c(values), definition, **kw).values
    assert np.all(out == out.flat[0]) or np.all(np.isnan(out))
    return float(out.flat[0])


HINGE = plateau_curve(G, 100.0, SLOPE)  # falls by 0.01/min from 20 to 100, flat after
SMOOTH = -0.8 / (1 + np.exp(-(G - 70.0) / 6.0))  # logistic step, flat well before 120
LINEAR = linear_curve(G)
# falls to -1.0 at 120, rises again (0.005/min) to -0.6 at 200
U = np.where(G < 120, -SLOPE * (G - 20), -1.0 + 0.005 * (G - 120))


def test_registry_names_and_labels():
    assert set(onset_definition_names()) == {"min", "edge", "isotonic", "ed", "slope"}
    assert definition_label("ed") == "ed:95"
    assert definition_label("slope") == "slope:0.1"
    assert definition_label("ED:90") == "ed:90"
    for bad in ("nope", "min:3", "ed:abc", "ed:0", "ed:150", "slope:-1"):
        with pytest.raises(OnsetDefinitionError):
            definition_label(bad)


def test_hinge_at_100_every_definition():
    before = 100.0 - DEFAULT_DELTA / SLOPE  # where R first drops to delta
    assert _one(HINGE, "min") == pytest.approx(before)
    assert _one(HINGE, "edge") == pytest.approx(before)
    assert _one(HINGE, "isotonic") == pytest.approx(before)
    # ED_95: 95% of the total drop 0.8 is reached at 20 + 0.95 * 80 = 96
    assert _one(HINGE, "ed") == pytest.approx(96.0)
    assert _one(HINGE, "ed:50") == pytest.approx(60.0)
    # slope: 0.01 * 180 = 1.8 > 0.1 up to 100, 0 after
    assert _one(HINGE, "slope") == pytest.approx(100.0)
    assert _one(HINGE, "min", delta=0.0) == pytest.approx(100.0)


def test_min_definition_is_todays_plateau_onset():
    rng = np.random.default_rng(0)
    draws = HINGE + rng.normal(0, 0.02, size=(2, 30, G.size))
    c = curve_array(draws, G, "walking_min", 78.0)
    np.testing.assert_array_equal(onset_draws(c, "min").values, plateau_onset(c).values)


def test_smooth_plateau():
    # logistic: f(x) - f_end = 0.8 * (1 - s(x)) roughly (s = sigmoid); R <= delta where
    # 0.8 * (1 - s) <= delta, i.e. x = 70 + 6 * log(0.8 / delta - 1)
    expected = 70.0 + 6.0 * np.log(0.8 / DEFAULT_DELTA - 1.0)
    for d in ("min", "edge", "isotonic"):
        assert _one(SMOOTH, d) == pytest.approx(expected, abs=0.3)
    # ED_95 of a nearly complete logistic step: s(x) = 0.95 -> x = 70 + 6 log 19
    assert _one(SMOOTH, "ed") == pytest.approx(70.0 + 6.0 * np.log(19.0), abs=0.6)
    # slope: s'(x) * 0.8 * 180 <= 0.1 on the right flank
    on = _one(SMOOTH, "slope")
    x = np.linspace(70, 200, 20001)
    s = 1 / (1 + np.exp(-(x - 70) / 6))
    steep = 0.8 * s * (1 - s) / 6 * 180 > 0.1
    assert on == pytest.approx(x[steep].max(), abs=2.0)  # to the grid spacing


def test_linear_curve_is_censored_for_every_definition():
    for d in ("min", "edge", "isotonic", "ed", "slope"):
        assert np.isinf(_one(LINEAR, d)), d
    # ED_50 of a line is the middle of the range (not censored)
    assert _one(LINEAR, "ed:50") == pytest.approx(110.0)


def test_u_shape():
    # min: R(x) = f(x) - f(120) <= delta at x = 120 - delta / 0.01
    assert _one(U, "min") == pytest.approx(120.0 - DEFAULT_DELTA / SLOPE)
    # edge: f(200) = -0.6, reached within delta at 20 + (0.6 - delta) / 0.01
    assert _one(U, "edge") == pytest.approx(20.0 + (0.6 - DEFAULT_DELTA) / SLOPE)
    # ED_95: 95% of the 1.0 drop at 20 + 95 = 115
    assert _one(U, "ed") == pytest.approx(115.0)
    # slope: the rising arm is steep up to the end -> censored
    assert np.isinf(_one(U, "slope"))
    # isotonic: the decreasing projection pools the rise into one level; the onset lies
    # before the minimum at 120 and after the edge onset
    iso = _one(U, "isotonic")
    assert _one(U, "edge") < iso < 120.0


def test_flat_curve_has_onset_at_grid_min():
    flat = np.zeros_like(G)
    for d in ("min", "edge", "isotonic", "ed", "slope"):
        assert _one(flat, d) == pytest.approx(G[0]), d


def test_isotonic_projection_is_decreasing_and_exact_on_decreasing_rows():
    rng = np.random.default_rng(1)
    v = HINGE + rng.normal(0, 0.05, size=(5, G.size))
    g = isotonic_decreasing(v)
    assert np.all(np.diff(g, axis=-1) <= 1e-12)
    np.testing.assert_allclose(isotonic_decreasing(HINGE[None, :])[0], HINGE)
    # least squares: the mean is kept (pooled blocks are means)
    np.testing.assert_allclose(g.mean(axis=-1), v.mean(axis=-1))


def test_noisy_copies_min_moves_right_edge_does_not():
    """min over a wiggly flat stretch leaves remaining benefit in every dip: its onset
    moves right (isotonic too: it pools the wiggles but still ends on their low level);
    edge compares with one point and stays put; slope reads the wiggles as steep."""
    rng = np.random.default_rng(2)
    # smooth noise: random low-frequency wiggles (sd 0.06 for the first harmonic)
    k = np.arange(1, 9)
    phase = rng.uniform(0, 2 * np.pi, size=(400, 1, k.size))
    amp = rng.normal(0, 0.06, size=(400, 1, k.size)) / k
    wig = (amp * np.sin(np.pi * k * (G[:, None] - 20) / 180 + phase)).sum(-1)
    draws = (HINGE + wig)[None]
    c = curve_array(draws, G, "walking_min", 78.0)
    med = {d: np.median(onset_draws(c, d, tail=0).values) for d in onset_definition_names()}
    true = 100.0 - DEFAULT_DELTA / SLOPE
    assert med["min"] - true > 10.0
    assert med["isotonic"] - true > 10.0
    assert abs(med["edge"] - true) < 3.0
    assert abs(med["ed"] - 96.0) < 8.0
    assert med["slope"] > 150.0


def test_nan_draw_gives_nan_and_stratum_dim_kept():
    values = replicate(HINGE, 1, 3)
    values[0, 1, 5] = np.nan
    out = onset_draws(curve_array(values, G, "walking_min", 78.0), "isotonic")
    assert np.isnan(out.values[0, 1]) and np.isfinite(out.values[0, 0])
    assert out.attrs["definition"] == "isotonic"
    c = _c(HINGE).expand_dims(stratum=["a", "b"])
    for d in onset_definition_names():
        o = onset_draws(c, d)
        assert set(o.dims) == {"chain", "draw", "stratum"}


def test_onset_invariant_to_reference_shift():
    rng = np.random.default_rng(3)
    draws = HINGE + rng.normal(0, 0.02, size=(1, 20, G.size))
    a = curve_array(draws, G, "walking_min", 78.0)
    b = curve_array(draws + 0.37, G, "walking_min", 78.0)
    for d in onset_definition_names():
        np.testing.assert_allclose(onset_draws(a, d).values, onset_draws(b, d).values)


def test_remaining_draws_per_definition():
    r = remaining_draws(_c(U), "edge").values[0, 0]
    np.testing.assert_allclose(r, U - U[-1])
    r = remaining_draws(_c(U), "min").values[0, 0]
    assert r[-1] == 0 and np.all(r >= 0)


def test_definition_sentences_fill_in_the_parameter():
    from bayes_walk.estimands.onset import definition_sentence

    assert "95% of its total benefit" in definition_sentence("ed")
    assert "90% of its total benefit" in definition_sentence("ed:90")
    assert "below 0.05" in definition_sentence("slope:0.05")
    assert definition_sentence("edge").startswith("R_edge(x)")
