"""Stacking weights from pointwise elpd, and the mixture of stored plateau pieces."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from bayes_walk.answers.stacking import PlateauPiece, mix, stacking_weights


def test_each_model_best_for_half_the_observations_gets_half():
    lpd = np.zeros((200, 2))
    lpd[:100, 1] = -10.0
    lpd[100:, 0] = -10.0
    np.testing.assert_allclose(stacking_weights(lpd), [0.5, 0.5], atol=1e-4)


def test_known_optimum_of_an_unequal_split():
    # model 0 best on 150 observations, model 1 on 50 (the other is e^-20 times worse):
    # the log score sum log(w_k) is maximised at w = (0.75, 0.25)
    lpd = np.full((200, 2), -20.0)
    lpd[:150, 0] = 0.0
    lpd[150:, 1] = 0.0
    np.testing.assert_allclose(stacking_weights(lpd), [0.75, 0.25], atol=1e-3)


def test_a_dominated_model_gets_no_weight_and_shift_does_not_matter():
    rng = np.random.default_rng(0)
    a = rng.normal(-0.5, 0.2, 300)
    lpd = np.column_stack([a, a - 1.0, a - 0.5])
    w = stacking_weights(lpd)
    assert w[0] == pytest.approx(1.0, abs=1e-4)
    # a per-observation constant leaves the optimum unchanged
    np.testing.assert_allclose(stacking_weights(lpd + rng.normal(0, 50, (300, 1))), w, atol=1e-6)


def test_same_weights_as_arviz_compare():
    import arviz as az

    rng = np.random.default_rng(3)
    n, s = 400, 500
    y = rng.normal(size=n)
    idatas = {}
    for name, (loc, scale) in {"m1": (0.0, 1.0), "m2": (0.3, 1.4), "m3": (-0.2, 0.8)}.items():
        mu = loc + 0.05 * rng.normal(size=(1, s, 1))
        ll = -0.5 * ((y - mu) / scale) ** 2 - np.log(scale) - 0.5 * np.log(2 * np.pi)
        idatas[name] = az.from_dict(
            posterior={"mu": mu[..., 0]}, log_likelihood={"y": ll}, observed_data={"y": y}
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loos = {k: az.loo(v, pointwise=True) for k, v in idatas.items()}
        table = az.compare(loos, method="stacking")
    expected = np.array([table.loc[k, "weight"] for k in loos])
    lpd = np.column_stack([np.asarray(loos[k].loo_i) for k in loos])
    np.testing.assert_allclose(stacking_weights(lpd), expected, atol=2e-3)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="model >= 2"):
        stacking_weights(np.zeros((5, 1)))
    with pytest.raises(ValueError, match="finite"):
        stacking_weights(np.array([[0.0, np.nan]]))


def test_mixture_of_pieces_with_known_answer():
    # model a: onsets 90..109 (P near = 1), model b: no plateau (inf, P = 0); weights 3:1
    a = PlateauPiece(np.arange(90.0, 110.0), np.full(20, 0.01), 1.0)
    b = PlateauPiece(np.full(40, np.inf), np.full(40, 0.2), 0.0)
    out = mix([a, b], np.array([0.75, 0.25]), prob=0.9)
    assert out["probability"] == pytest.approx(0.75)
    # 75% of the mass on 90..109: the median is the 14th of a's 20 values (14 x 0.0375 >= 0.5)
    assert out["onset"]["median"] == pytest.approx(103.0)
    assert out["onset"]["lo"] == pytest.approx(91.0)  # each draw of a weighs 0.0375
    assert out["onset"]["hi"] is None  # the upper 5% lies in b's "no plateau"
    assert out["remaining_benefit_at_near"]["median"] == pytest.approx(0.01)
    with pytest.raises(ValueError, match="2 pieces"):
        mix([a, b], np.array([1.0]), prob=0.9)
