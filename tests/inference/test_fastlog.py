"""The vectorised log of the log-binomial likelihood is within 3 ulp of np.log."""

from __future__ import annotations

import numpy as np

from bayes_walk.inference.fast.fastlog import compiled_log_block, log_block


def _log(x: np.ndarray) -> np.ndarray:
    out, scratch = np.empty_like(x), np.empty_like(x)
    compiled_log_block()(x, out, scratch, x.size)
    return out


def test_within_three_ulp_over_the_range_it_is_used_on_and_beyond():
    rng = np.random.default_rng(0)
    x = np.concatenate(
        [
            1.0 - rng.uniform(0.0, 1.0 - 1e-6, 200_000),  # 1 - p, p a risk
            1.0 - rng.uniform(0.0, 1e-3, 20_000),  # near 1: log(1 - p) ~ -p
            np.geomspace(1e-300, 1e300, 50_001),
            [1.0, 2.0, 0.5, np.sqrt(2.0), np.nextafter(np.sqrt(2.0), 0.0), 1e-6],
        ]
    )
    got, want = _log(x), np.log(x)
    assert got[x == 1.0][0] == 0.0
    nonzero = want != 0.0
    ulps = np.abs(got - want)[nonzero] / np.spacing(np.abs(want[nonzero]))
    assert ulps.max() <= 3.0


def test_numpy_and_numba_versions_agree_and_only_m_values_are_written():
    x = np.linspace(0.1, 3.0, 16)
    out = np.full(16, -7.0)
    compiled_log_block()(x, out, np.empty(16), 10)
    assert np.all(out[10:] == -7.0)
    ref = np.empty(16)
    log_block(x, ref, np.empty(16), 16)
    np.testing.assert_allclose(out[:10], ref[:10], rtol=0, atol=2e-15)
