"""E-values against hand-computed values (VanderWeele and Ding 2017)."""

from __future__ import annotations

import math

import pytest

from bayes_walk.estimands.evalue import evalue, evalue_limit, evalues


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
