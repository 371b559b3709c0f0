"""SBC ranks and uniformity tests on an exactly solvable model (no MCMC)."""

from __future__ import annotations

import numpy as np
import pytest
from _helpers_sbc import GammaPoissonSBC

from bayes_walk.checks.sbc import (
    chi2_uniformity,
    ecdf_inside,
    rank_of_truth,
    run_sbc,
)


def test_rank_of_truth_counts_thinned_draws_below():
    rng = np.random.default_rng(0)
    draws = np.arange(1000, dtype=float)
    # Thinned to 99 draws spread over 0..999; 500.5 has 50 of them below.
    assert rank_of_truth(draws, 500.5, 99, rng) == 49 or rank_of_truth(draws, 500.5, 99, rng) == 50
    assert rank_of_truth(draws, -1.0, 99, rng) == 0
    assert rank_of_truth(draws, 1e9, 99, rng) == 99
    with pytest.raises(ValueError):
        rank_of_truth(np.arange(10.0), 0.0, 99, rng)


def test_uniform_ranks_pass_and_piled_up_ranks_fail():
    rng = np.random.default_rng(1)
    uniform = rng.integers(0, 100, size=200)
    assert chi2_uniformity(uniform, 99, 10) > 0.01
    assert ecdf_inside(uniform, 99, 0.99)[0]
    # Over-confident posterior: truth too often in the tails.
    tails = np.concatenate([rng.integers(0, 8, 100), rng.integers(92, 100, 100)])
    assert chi2_uniformity(tails, 99, 10) < 1e-6
    assert not ecdf_inside(tails, 99, 0.99)[0]


def test_correct_setup_passes_sbc():
    res = run_sbc(GammaPoissonSBC(), replicates=200, seed=2, progress=False)
    table = res.uniformity()
    assert res.passed, table
    assert set(table["quantity"]) == {"rate", "log_rate"}
    assert abs(table["mean_fractional_rank"].mean() - 0.5) < 0.06
    d = res.to_dict()
    assert d["passed"] and len(d["ranks"]["rate"]) == 200


def test_prior_mismatch_fails_sbc():
    # Data simulated with rates around 0.5 but the model's prior says around 0.15:
    # the posterior is pulled down, the truth ranks pile up at the top.
    broken = GammaPoissonSBC(sim_a=10.0, sim_b=20.0, n=10)
    res = run_sbc(broken, replicates=100, seed=3, progress=False)
    table = res.uniformity()
    assert not res.passed
    assert (table["mean_fractional_rank"] > 0.6).all()


def test_false_alarm_rate_of_the_sbc_gate():
    fails = sum(
        not run_sbc(GammaPoissonSBC(draws=200), replicates=100, seed=100 + s, progress=False).passed
        for s in range(20)
    )
    assert fails <= 1


def test_sbc_figure_has_one_panel_per_quantity():
    import matplotlib.figure

    from bayes_walk.checks.sbc_plot import sbc_figure

    res = run_sbc(GammaPoissonSBC(), replicates=100, seed=4, progress=False)
    fig = sbc_figure(res)
    assert isinstance(fig, matplotlib.figure.Figure)
    assert sum(ax.get_visible() for ax in fig.axes) == 2
