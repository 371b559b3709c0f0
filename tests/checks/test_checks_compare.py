"""LOO comparison on hand-made log-likelihoods."""

from __future__ import annotations

import numpy as np
import pytest
from _helpers_checks import hand_made_fit

from bayes_walk.checks.compare import CompareError, compare_fits, format_table, to_json


def test_true_model_ranks_first_with_a_clear_margin():
    right = hand_made_fit(n=5000, seed=7, beta=-0.6, spec_name="right")
    wrong = hand_made_fit(n=5000, seed=7, beta=-0.6, model_beta=0.0, spec_name="flat")
    ranked = compare_fits([wrong, right])
    assert [r.model for r in ranked] == ["right", "flat"]
    assert ranked[0].elpd_diff == 0.0 and ranked[1].elpd_diff > 4 * ranked[1].dse
    assert ranked[0].weight > 0.9
    assert all(r.pareto_k_bad == 0 for r in ranked)
    assert np.isclose(sum(r.weight for r in ranked), 1.0)
    row = to_json(ranked)["ranking"][0]
    assert set(row) >= {"model", "elpd_loo", "se", "elpd_diff", "dse", "weight", "pareto_k_bad"}
    assert "predicts clearly better" in format_table(ranked)


def test_elpd_matches_a_hand_computation_when_draws_are_identical():
    # With no posterior spread, LOO equals the plain log-likelihood sum.
    a = hand_made_fit(n=400, seed=8, noise=0.0, spec_name="a")
    b = hand_made_fit(n=400, seed=8, noise=0.0, model_beta=0.0, spec_name="b")
    ranked = {r.model: r for r in compare_fits({"a": a, "b": b})}
    for name, idata in (("a", a), ("b", b)):
        direct = float(idata.log_likelihood["clbp"].isel(chain=0, draw=0).sum())
        assert ranked[name].elpd_loo == pytest.approx(direct, rel=1e-5)


def test_fits_of_different_data_are_refused():
    a = hand_made_fit(n=300, seed=9, cohort_hash="aaa")
    b = hand_made_fit(n=300, seed=9, cohort_hash="bbb")
    with pytest.raises(CompareError, match="cohort_hash differs"):
        compare_fits({"a": a, "b": b})


def test_one_fit_is_refused_and_names_are_made_unique():
    a = hand_made_fit(n=300, seed=10, spec_name="gp")
    with pytest.raises(CompareError, match="at least two"):
        compare_fits([a])
    ranked = compare_fits([a, hand_made_fit(n=300, seed=10, spec_name="gp")])
    assert sorted(r.model for r in ranked) == ["gp", "gp#2"]


def test_pareto_k_warning_in_plain_words():
    from bayes_walk.checks.compare import Ranked, pareto_warnings

    r = Ranked("gp", -10.0, 1.0, 0.0, 0.0, 1.0, 3.0, 4, 0.7, 100)
    (msg,) = pareto_warnings([r])
    assert "4 of 100 participants" in msg and "unreliable" in msg


def test_identical_fits_are_not_called_clearly_better():
    a = hand_made_fit(n=300, seed=12, spec_name="same")
    text = format_table(compare_fits([a, a]))
    assert "not clearly better" in text
