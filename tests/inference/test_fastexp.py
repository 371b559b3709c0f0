"""The vectorised exp of the fused likelihood is within 1 ulp of np.exp."""

from __future__ import annotations

import numpy as np

from bayes_walk.inference.fast.fastexp import compiled_exp_block


def _exp(x: np.ndarray) -> np.ndarray:
    out, scratch = np.empty_like(x), np.empty_like(x)
    compiled_exp_block()(x, out, scratch, x.size)
    return out


def test_within_one_ulp_over_the_whole_range():
    rng = np.random.default_rng(0)
    x = np.concatenate(
        [
            np.linspace(-708.0, 709.0, 400_001),
            rng.normal(-1.5, 1.0, 100_000),  # where the linear predictor lives
            [0.0, -0.0, 1e-300, -1e-300, 0.5 * np.log(2), -0.5 * np.log(2)],
        ]
    )
    got, want = _exp(x), np.exp(x)
    assert np.max(np.abs(got / want - 1.0)) <= 2.3e-16


def test_clamps_beyond_the_double_range_and_keeps_nan():
    got = _exp(np.array([-1000.0, 1000.0, np.nan, np.inf, -np.inf]))
    want = np.exp([-708.0, 709.0, np.nan, 709.0, -708.0])
    np.testing.assert_allclose(got, want, rtol=3e-16)  # NaN equals NaN here
    assert np.isnan(got[2])


def test_only_the_first_m_values_are_written():
    x = np.zeros(8)
    out = np.full(8, -1.0)
    compiled_exp_block()(x, out, np.empty(8), 5)
    assert np.all(out[:5] == 1.0) and np.all(out[5:] == -1.0)
