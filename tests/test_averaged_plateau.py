"""The averaged plateau answer (answers/averaged.py): weights known, mixture, fallback."""

from __future__ import annotations

import json

import numpy as np
import pytest
from _helpers_checks import hand_made_fit
from _helpers_estimands import GRID_MIN, curve_array, plateau_curve

import bayes_walk as bw
from bayes_walk.answers import averaged
from bayes_walk.answers.stacking import weighted_quantile
from bayes_walk.cli.main import main
from bayes_walk.results import Fit

DESIGN_KEYS = (
    "exposure",
    "near",
    "within",
    "delta",
    "probability",
    "onset",
    "remaining_benefit_at_near",
    "definition",
)


def _fit(onsets: np.ndarray, name: str, *, seed: int = 5, model_beta: float | None = None) -> Fit:
    """Hand-made fit whose draw ``i`` is a hinge (slope 0.01) flat from ``onsets[i]``."""
    draws = onsets.size // 2
    idata = hand_made_fit(n=600, seed=seed, draws=draws, spec_name=name, model_beta=model_beta)
    curves = np.stack([plateau_curve(GRID_MIN, onset=o) for o in onsets]).reshape(2, draws, -1)
    idata.posterior["logrr_walking_min"] = curve_array(curves, GRID_MIN, "walking_min", 78.0)
    idata.attrs["designs"] = '{"exposures": {"walking_min": {"form": "hsgp", "reference": 78}}}'
    return Fit.from_idata(idata)


@pytest.fixture(scope="module")
def two_fits():
    rng = np.random.default_rng(0)
    a = _fit(rng.uniform(90.0, 110.0, 200), "near")  # every onset near 100 (delta 0)
    b = _fit(rng.uniform(140.0, 170.0, 200), "far", model_beta=0.0)
    return a, b


@pytest.mark.parametrize("w", [(0.3, 0.7), (0.8, 0.2), (0.5, 0.5)])
def test_given_weights_make_a_mixture(two_fits, w):
    a, b = two_fits
    out = bw.plateau([a, b], weights=list(w), delta=0.0)
    # per-draw onsets with delta = 0 are the hinges themselves
    oa = a.plateau(delta=0.0)
    ob = b.plateau(delta=0.0)
    assert out["weights_method"] == "given"
    assert out["weights"] == {"near": pytest.approx(w[0]), "far": pytest.approx(w[1])}
    assert out["probability"] == pytest.approx(w[0] * oa["probability"] + w[1] * ob["probability"])
    # the mixture's quantiles: build it by hand from the draws with their weights
    from bayes_walk.estimands.onset import onset_draws

    xa = onset_draws(a.idata.posterior["logrr_walking_min"], delta=0.0).values.ravel()
    xb = onset_draws(b.idata.posterior["logrr_walking_min"], delta=0.0).values.ravel()
    allx = np.concatenate([xa, xb])
    allw = np.concatenate([np.full(xa.size, w[0] / xa.size), np.full(xb.size, w[1] / xb.size)])
    for key, q in (("median", 0.5), ("lo", 0.025), ("hi", 0.975)):
        assert out["onset"][key] == pytest.approx(weighted_quantile(allx, allw, q))
    # the mixture CDF at the split point between the two components is w[0]
    assert np.sum(allw[allx <= 120.0]) == pytest.approx(w[0])
    if w[0] > 0.5:
        assert 90.0 <= out["onset"]["median"] <= 110.0
    elif w[0] < 0.5:
        assert 140.0 <= out["onset"]["median"] <= 170.0
    for key in DESIGN_KEYS:
        assert key in out
    assert [m["model"] for m in out["per_model"]] == ["near", "far"]


def test_weighted_quantile_known_values():
    v = np.array([1.0, 2.0, 3.0, np.inf])
    assert weighted_quantile(v, np.array([0.1, 0.1, 0.1, 0.7]), 0.5) == np.inf
    assert weighted_quantile(v, np.array([0.7, 0.1, 0.1, 0.1]), 0.5) == 1.0
    assert weighted_quantile(v, np.array([0.25, 0.25, 0.25, 0.25]), 0.5) == 2.0


def test_dominant_elpd_takes_the_stacking_weight(two_fits):
    a, b = two_fits  # "far" predicts with no slope: far worse elpd
    table = bw.compare([a, b])
    out = bw.plateau([a, b], delta=0.0)
    assert out["weights_method"] == "stacking"
    assert out["weights"]["near"] == pytest.approx(float(table["weight"][0]))
    assert out["weights"]["near"] > 0.9
    pa, pb = a.plateau(delta=0.0)["probability"], b.plateau(delta=0.0)["probability"]
    assert pa > 0.9 and pb == 0.0
    assert out["probability"] == pytest.approx(out["weights"]["near"] * pa)
    assert 90.0 <= out["onset"]["median"] <= 110.0


def test_degenerate_stacking_falls_back_to_pseudo_bma_with_warning(two_fits, monkeypatch):
    import bayes_walk.checks.compare as compare

    def broken(*args, **kwargs):
        raise FloatingPointError("optimiser did not converge")

    monkeypatch.setattr(compare, "compare_fits", broken)
    a, b = two_fits
    with pytest.warns(UserWarning, match="pseudo-BMA"):
        out = bw.plateau([a, b], delta=0.0)
    assert out["weights_method"] == "pseudo-BMA+"
    assert sum(out["weights"].values()) == pytest.approx(1.0)
    assert out["weights"]["near"] > 0.9  # the better model still wins


def test_nan_stacking_weights_fall_back(two_fits, monkeypatch):
    import bayes_walk.checks.compare as compare

    real = compare.compare_fits

    def nan_weights(*args, **kwargs):
        ranked = real(*args, **kwargs)
        for r in ranked:
            object.__setattr__(r, "weight", float("nan"))
        return ranked

    monkeypatch.setattr(compare, "compare_fits", nan_weights)
    with pytest.warns(UserWarning, match="stacking gave no usable weights"):
        out = averaged.averaged_plateau(list(two_fits), delta=0.0)
    assert out["weights_method"] == "pseudo-BMA+"


def test_bad_weights_and_single_fit_are_refused(two_fits):
    from bayes_walk.errors import BayesWalkError

    a, b = two_fits
    with pytest.raises(BayesWalkError, match="2 non-negative"):
        bw.plateau([a, b], weights=[1.0])
    with pytest.raises(BayesWalkError, match="non-negative"):
        bw.plateau([a, b], weights=[-1.0, 2.0])
    with pytest.raises(BayesWalkError, match="at least two"):
        averaged.averaged_plateau([a])


def test_averaged_definition_option(two_fits):
    a, b = two_fits
    out = bw.plateau([a, b], weights=[0.5, 0.5], definition="ed:50")
    assert out["onset_definition"] == "ed:50"
    # ED_50 of a hinge from 20 at onset o is (20 + o) / 2: the mixture's median sits
    # between the two components' ranges ((90+20)/2 .. (170+20)/2)
    assert 55.0 <= out["onset"]["median"] <= 95.0


def test_cli_averaged_json(two_fits, tmp_path, capsys):
    paths = []
    for fit in two_fits:
        p = tmp_path / f"{fit.name}.nc"
        fit.save(p)
        paths.append(str(p))
    assert main(["plateau", *paths, "--json", "--delta", "0"]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in DESIGN_KEYS:
        assert key in out
    assert set(out["weights"]) == {"near", "far"}
    assert sum(out["weights"].values()) == pytest.approx(1.0)
    assert {"model", "weight", "probability", "onset"} <= set(out["per_model"][0])
    assert main(["plateau", *paths]) == 0
    assert "per model:" in capsys.readouterr().out
