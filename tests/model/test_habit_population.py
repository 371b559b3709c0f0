"""The habit population (Box-Cox normal with covariates) of the measurement-error model."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, stats

from bayes_walk.model import habit_population as population

SHAPES = [0.0, 1e-9, 0.5, -0.7, 1.2]


def _density(h, a, sd, lam):
    return np.exp(stats.norm.logpdf(h, a, sd) + population.log_correction(np, h, a, sd, lam))


@pytest.mark.parametrize("lam", SHAPES)
def test_density_is_proper(lam):
    a, sd = 4.5, 0.3
    lo, hi = a - 40 * sd, a + 40 * sd
    # split at the median so quad sees the peak
    mass = sum(integrate.quad(_density, *ab, args=(a, sd, lam), limit=400)[0]
               for ab in ((lo, a), (a, hi)))  # fmt: skip
    assert mass == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("lam", [0.0, 0.5, -0.7])
def test_draws_follow_the_density(lam):
    a, sd = 4.5, 0.3
    h = population.draw(np.random.default_rng(11), a, sd, lam, 20_000)

    def cdf(x):
        return integrate.quad(_density, a - 40 * sd, x, args=(a, sd, lam), limit=400)[0]

    grid = np.quantile(h, [0.05, 0.25, 0.5, 0.75, 0.95])
    emp = np.array([0.05, 0.25, 0.5, 0.75, 0.95])
    # binomial SE of an empirical CDF at 20,000 draws is at most 0.0035
    assert np.abs(np.array([cdf(x) for x in grid]) - emp).max() < 0.015


def test_square_root_normal_is_shape_one_half():
    """The simulator's habits (sqrt(H) normal) are the Box-Cox family at lambda = 0.5."""
    rng = np.random.default_rng(2)
    s_mean, s_sd = 10.0, 1.5
    h = np.log(rng.normal(s_mean, s_sd, 200_000) ** 2)
    a, sd = np.log(s_mean**2), 2 * s_sd / s_mean  # median; log-scale SD at the median
    ours = population.draw(np.random.default_rng(3), a, sd, 0.5, 200_000)
    qs = [0.01, 0.1, 0.5, 0.9, 0.99]
    np.testing.assert_allclose(np.quantile(ours, qs), np.quantile(h, qs), atol=0.02)
    # the log-normal with the same median and SD at the median misses the tails
    lognormal = population.draw(np.random.default_rng(3), a, sd, 0.0, 200_000)
    assert abs(np.quantile(lognormal, 0.01) - np.quantile(h, 0.01)) > 0.1


def test_covariates_move_the_median():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((50, 3))
    beta = np.array([0.2, -0.1, 0.05])
    np.testing.assert_allclose(population.location(np, 4.5, beta, X), 4.5 + X @ beta)
    # per draw (leading axes), as the stored habits and the SBC use it
    per_draw = population.location(np, np.array([4.5, 4.0]), np.stack([beta, 2 * beta]), X)
    assert per_draw.shape == (2, 50)
    np.testing.assert_allclose(per_draw[1], 4.0 + X @ (2 * beta))
    assert population.location(np, 4.5) == 4.5


def test_graph_matches_numpy_with_finite_gradient_at_log_normal():
    import pytensor
    import pytensor.tensor as pt

    h, lam = pt.dscalar("h"), pt.dscalar("lam")
    expr = population.log_correction(pt, h, 4.5, 0.3, lam)
    f = pytensor.function([h, lam], [expr, pytensor.grad(expr, lam)])
    for value in (0.0, 1e-9, 0.4, -0.6):
        v, g = f(4.9, value)
        assert float(v) == pytest.approx(population.log_correction(np, 4.9, 4.5, 0.3, value))
        assert np.isfinite(g)
    eps = 1e-5
    num = (population.log_correction(np, 4.9, 4.5, 0.3, eps)
           - population.log_correction(np, 4.9, 4.5, 0.3, -eps)) / (2 * eps)  # fmt: skip
    assert float(f(4.9, 0.0)[1]) == pytest.approx(num, rel=1e-4)
