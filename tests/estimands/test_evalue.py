"""E-values against values computed by hand from VanderWeele and Ding's formula."""

import math

import numpy as np
import pytest

from bayes_walk.estimands.evalue import evalue, evalue_limit, evalue_summary, evalues


def test_evalue_by_hand():
    # RR = 2: 2 + sqrt(2 * 1) = 3.41421...
    assert evalue(2.0) == pytest.approx(2 + math.sqrt(2))
    # RR = 3.9 (VanderWeele & Ding's example): 3.9 + sqrt(3.9 * 2.9) = 7.2630...
    assert evalue(3.9) == pytest.approx(7.263, abs=5e-4)
    # protective RR = 0.8 -> 1/0.8 = 1.25: 1.25 + sqrt(1.25 * 0.25) = 1.80902
    assert evalue(0.8) == pytest.approx(1.25 + math.sqrt(0.3125))
    assert evalue(1.0) == 1.0
    assert np.isnan(evalue(0.0)) and np.isnan(evalue(float("nan")))
    np.testing.assert_allclose(evalue([0.5, 2.0]), [2 + math.sqrt(2)] * 2)


def test_evalue_limit_limit_closer_to_one():
    # protective interval 0.70-0.90: the limit nearer 1 is 0.90 -> 1/0.9 = 1.1111
    r = 1 / 0.9
    assert evalue_limit(0.70, 0.90) == pytest.approx(r + math.sqrt(r * (r - 1)))
    assert evalue_limit(1.2, 1.5) == pytest.approx(1.2 + math.sqrt(1.2 * 0.2))
    assert evalue_limit(0.8, 1.1) == 1.0


def test_evalue_summary_of_draws():
    rng = np.random.default_rng(0)
    draws = np.exp(rng.normal(np.log(0.8), 0.05, 40_000))
    s = evalue_summary(draws)
    assert s["evalue"] == pytest.approx(evalue(0.8), rel=2e-3)
    hi = float(np.quantile(draws, 0.975))
    assert s["evalue_ci"] == pytest.approx(evalue(hi))
    assert s["evalue_ci"] < s["evalue"]
    # draws on both sides of 1: the interval's E-value is 1
    assert evalue_summary(np.exp(rng.normal(0, 0.1, 4000)))["evalue_ci"] == 1.0


def test_point_evalues_by_hand():
    # RR = 2: 2 + sqrt(2 * 1) = 3.41421356
    assert evalue(2.0) == pytest.approx(3.41421356, abs=1e-8)
    # protective RRs use 1/RR: RR = 0.5 is as strong as RR = 2
    assert evalue(0.5) == pytest.approx(3.41421356, abs=1e-8)
    # RR = 3.9: 3.9 + sqrt(3.9 * 2.9) = 3.9 + 3.36303434 = 7.26303434
    assert evalue(3.9) == pytest.approx(7.26303434, abs=1e-8)
    assert evalue(1.0) == 1.0
    assert math.isnan(evalue(float("nan"))) and math.isnan(evalue(0.0))


def test_limit_nearest_one_by_hand():
    # (1.1, 2.0): the lower limit; 1.1 + sqrt(1.1 * 0.1) = 1.1 + 0.33166248 = 1.43166248
    assert evalue_limit(1.1, 2.0) == pytest.approx(1.43166248, abs=1e-8)
    # (0.5, 0.9): the upper limit, 1/0.9 = 1.1111: 1.1111 + sqrt(1.1111 * 0.1111) = 1.46247
    assert evalue_limit(0.5, 0.9) == pytest.approx(1.1111111 + 0.3513642, abs=1e-6)
    assert evalue_limit(0.8, 1.2) == 1.0
    assert evalue_limit(1.0, 3.0) == 1.0
    assert evalue_limit(1.2, float("inf")) == pytest.approx(1.2 + math.sqrt(1.2 * 0.2))


def test_evalues_json_ready():
    assert evalues(0.5, 0.3, 0.9)["point"] == pytest.approx(3.41421356, abs=1e-8)
    assert evalues(float("nan"), 0.3, 0.9)["point"] is None
