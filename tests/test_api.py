"""The public API: names, a fast import, compare and the averaged plateau, the example."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from _helpers_checks import hand_made_fit
from _helpers_estimands import GRID_MIN, curve_array, plateau_curve, replicate

import bayes_walk as bw
from bayes_walk.results import Fit

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = (
    "simulate",
    "import_cohort",
    "load_cohort",
    "load_spec",
    "fit",
    "load_fit",
    "sweep",
    "compare",
    "plateau",
    "report",
    "Fit",
)


def test_public_names():
    for name in PUBLIC:
        assert name in bw.__all__ and getattr(bw, name) is not None
    assert bw.Fit is Fit
    assert bw.load_spec("gp").name == "gp"
    with pytest.raises(AttributeError):
        bw.no_such_thing  # noqa: B018


def test_import_is_light():
    code = (
        "import sys, bayes_walk as bw; bw.__version__;"
        "print(','.join(m for m in ('pymc', 'arviz', 'pytensor', 'nutpie', 'jax') "
        "if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0 and out.stdout.strip() == ""


def _with_curve(onset: float, seed: int, name: str, model_beta: float | None = None) -> Fit:
    """A hand-made fit (log-likelihood included) whose curve levels off at ``onset``."""
    idata = hand_made_fit(n=600, seed=seed, draws=100, spec_name=name, model_beta=model_beta)
    curve = replicate(plateau_curve(GRID_MIN, onset=onset), draws=100)
    idata.posterior["logrr_walking_min"] = curve_array(curve, GRID_MIN, "walking_min", 78.0)
    idata.attrs["designs"] = '{"exposures": {"walking_min": {"form": "hsgp", "reference": 78}}}'
    return Fit.from_idata(idata)


def test_compare_and_averaged_plateau():
    a = _with_curve(100.0, seed=5, name="near")
    b = _with_curve(160.0, seed=5, name="far", model_beta=0.0)
    table = bw.compare([a, b])
    assert list(table["model"]) == ["near", "far"]  # the right slope predicts better
    assert {"elpd_loo", "se", "elpd_diff", "dse", "weight", "pareto_k_bad"} <= set(table)
    assert table["weight"].sum() == pytest.approx(1.0)
    pa, pb = a.plateau()["probability"], b.plateau()["probability"]
    assert pa > 0.9 and pb < 0.1
    given = bw.plateau([a, b], weights=[0.25, 0.75])
    assert given["probability"] == pytest.approx(0.25 * pa + 0.75 * pb)
    assert [m["weight"] for m in given["per_model"]] == [0.25, 0.75]
    only_a = bw.plateau([a, b], weights=[1.0, 0.0])
    assert only_a["onset"] == a.plateau()["onset"]
    stacked = bw.plateau([a, b])
    w = dict(zip(table["model"], table["weight"], strict=True))
    assert stacked["weights_method"] == "stacking"
    assert stacked["probability"] == pytest.approx(w["near"] * pa + w["far"] * pb)
    for key in (
        "exposure",
        "near",
        "within",
        "delta",
        "onset",
        "remaining_benefit_at_near",
        "definition",
        "per_model",
    ):
        assert key in stacked
    assert bw.plateau([a])["probability"] == pa


def test_report_accepts_fit_objects(tmp_path):
    a = _with_curve(100.0, seed=5, name="near")
    paths = bw.report([a], out=tmp_path / "rep")
    assert paths["html"].exists() and "near" in paths["html"].read_text()


def test_quickstart_example_runs(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "quickstart.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert "P(plateau onset within 10 min/day of 100)" in out.stdout
    assert (tmp_path / "gp.nc").exists()
    assert bw.load_fit(tmp_path / "gp.nc").name == "gp"


def test_report_stays_a_function_after_the_reporting_package_is_imported(tmp_path):
    import bayes_walk.reporting.build  # binds bayes_walk.reporting, not bayes_walk.report  # noqa: F401

    a = _with_curve(100.0, seed=6, name="near")
    assert bw.report([a], out=tmp_path / "r2")["markdown"].exists()


def test_cli_plateau_of_several_fits(tmp_path, capsys):
    import json

    from bayes_walk.cli.main import main

    a = _with_curve(100.0, seed=5, name="near").save(tmp_path / "near.nc")
    b = _with_curve(160.0, seed=5, name="far", model_beta=0.0).save(tmp_path / "far.nc")
    assert main(["plateau", str(a), str(b), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    want = bw.plateau([bw.load_fit(a), bw.load_fit(b)])
    assert out["probability"] == pytest.approx(want["probability"])
    assert [m["model"] for m in out["per_model"]] == ["near", "far"]
    assert main(["plateau", str(a), str(b)]) == 0
    assert "averaged with stacking weights" in capsys.readouterr().out
    assert main(["plateau", str(a), str(b), "--stratum", "x"]) == 2
