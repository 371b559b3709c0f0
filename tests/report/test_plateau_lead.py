"""The plateau section leads with one answer, its calibration and its limits."""

from __future__ import annotations

import json

import numpy as np
import pytest
from _helpers_checks import hand_made_fit
from _helpers_estimands import GRID_MIN, curve_array, plateau_curve

import bayes_walk as bw
from bayes_walk.reporting.plateau_lead import STUDY, calibration_sentence, nearest_cell
from bayes_walk.reporting.sections import FitEntry, plateau_section
from bayes_walk.results import Fit


def _fit(onsets: np.ndarray, name: str, *, model_beta: float | None = None, form="hsgp") -> Fit:
    """Hand-made fit (log-likelihood included) whose draw ``i`` is flat from ``onsets[i]``."""
    draws = onsets.size // 2
    idata = hand_made_fit(n=400, seed=5, draws=draws, spec_name=name, model_beta=model_beta)
    curves = np.stack([plateau_curve(GRID_MIN, onset=o) for o in onsets]).reshape(2, draws, -1)
    idata.posterior["logrr_walking_min"] = curve_array(curves, GRID_MIN, "walking_min", 78.0)
    idata.attrs["designs"] = json.dumps({"exposures": {"walking_min": {"form": form}}})
    spec = json.loads(idata.attrs["spec"])
    spec["exposures"]["walking_min"]["form"] = form
    idata.attrs["spec"] = json.dumps(spec)
    return Fit.from_idata(idata)


@pytest.fixture(scope="module")
def fits():
    rng = np.random.default_rng(0)
    near = _fit(rng.uniform(90.0, 110.0, 200), "near")
    far = _fit(rng.uniform(140.0, 170.0, 200), "far", model_beta=0.0)
    # a quartile-form fit that still stores a curve: a step function, never averaged
    cat = _fit(rng.uniform(95.0, 105.0, 200), "quartiles", form="categorical")
    return near, far, cat


def _texts(section) -> list[str]:
    return [b[1] for b in section.blocks if b[0] in ("p", "warn")]


def test_section_leads_with_the_averaged_answer(fits):
    near, far, cat = fits
    entries = [FitEntry(f.name, None, f.idata) for f in (near, far, cat)]
    s = plateau_section(entries, delta=0.0)
    expected = bw.plateau([near, far], delta=0.0)
    assert expected["weights_method"] == "stacking" and expected["weights"]["near"] > 0.9
    kind, first = s.blocks[0]
    assert kind == "p" and first.startswith("Averaged answer over 2 models (stacking weights)")
    assert f"= {expected['probability']:.3f}" in first
    assert f"{expected['onset']['median']:.1f} min/day" in first
    # the weights table: the two curve fits with their stacking weights, not the step fit
    kind, weights = s.blocks[1]
    assert kind == "table" and "weights" in weights.caption
    assert [r[0] for r in weights.rows] == ["near", "far"]
    assert weights.rows[0][1] == f"{expected['weights']['near']:.3f}"
    texts = _texts(s)
    cal = next(t for t in texts if t.startswith("Calibration at this cohort size"))
    assert "n = 400" in cal and "nearest studied n = 11,194" in cal
    assert "0.50" in cal and STUDY.source in cal
    assert "this section uses 100, 10 and 0.0000" in cal  # not the study's settings
    assert "outside the studied sizes" in cal  # n = 400
    limits = next(t for t in texts if t.startswith("What the data can and cannot say"))
    assert "'not ruled out'" in limits
    assert f"falls up to about {expected['onset']['lo']:.0f} min/day" in limits
    # then the per-model table as before, one row per curve fit (the step fit left out)
    table = next(b[1] for b in s.blocks if b[0] == "table" and b[1].caption.startswith("Plateau"))
    assert [r[0] for r in table.rows] == ["near", "far"]


def test_pseudo_bma_fallback_is_named(fits, monkeypatch):
    import bayes_walk.checks.compare as compare

    def broken(*args, **kwargs):
        raise FloatingPointError("optimiser did not converge")

    monkeypatch.setattr(compare, "compare_fits", broken)
    near, far, _ = fits
    s = plateau_section([FitEntry(f.name, None, f.idata) for f in (near, far)], delta=0.0)
    assert "pseudo-BMA+" in s.blocks[0][1]
    assert "stacking fell back" in s.blocks[1][1].caption


def test_single_curve_fit_leads_with_its_own_answer(fits):
    near, _, cat = fits
    s = plateau_section([FitEntry(f.name, None, f.idata) for f in (near, cat)])
    first = s.blocks[0][1]
    assert first.startswith("Answer (near, the one fit with a walking-volume curve)")
    assert s.blocks[1][1].startswith("Calibration at this cohort size")
    assert "this section uses" not in s.blocks[1][1]  # the study's own settings
    assert s.blocks[2][1].startswith("What the data can and cannot say")


def test_nearest_studied_size():
    assert nearest_cell(11_194).n == 11_194
    assert nearest_cell(30_000).n == 50_000  # nearest on the log scale
    assert nearest_cell(200_000).n == 50_000
    assert nearest_cell(None).n == 11_194
    text = calibration_sentence(50_000, near=100.0, within=10.0, delta=STUDY.delta)
    assert "mean P(near 100) of 0.60" in text and "outside" not in text
    assert "outside the studied sizes" in calibration_sentence(
        500, near=100.0, within=10.0, delta=STUDY.delta
    )
