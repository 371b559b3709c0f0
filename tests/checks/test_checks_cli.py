"""``bayes-walk ppc`` and ``bayes-walk compare`` on hand-made fit files."""

from __future__ import annotations

import json

import pytest
from _helpers_checks import hand_made_fit

from bayes_walk.cli.main import main


@pytest.fixture(scope="module")
def fit_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("fits")
    paths = {}
    for name, kwargs in {
        "right": {},
        "flat": {"model_beta": 0.0},
        "other": {"cohort_hash": "zzz"},
    }.items():
        path = d / f"{name}.nc"
        hand_made_fit(n=3000, seed=11, beta=-0.5, spec_name=name, **kwargs).to_netcdf(path)
        paths[name] = str(path)
    return paths


def test_ppc_passes_on_the_right_model(fit_files, capsys):
    assert main(["ppc", fit_files["right"], "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["passed"] is True and out["band"] == [0.005, 0.995]
    assert all({"name", "observed", "p_value", "passed"} <= set(c) for c in out["checks"])


def test_ppc_fails_with_exit_1_on_the_wrong_model(fit_files, capsys, tmp_path):
    fig = tmp_path / "calib.png"
    assert main(["ppc", fit_files["flat"], "--figure", str(fig)]) == 1
    captured = capsys.readouterr()
    assert "ppc: FAILED" in captured.out and "walking_min" in captured.err
    assert fig.stat().st_size > 1000


def test_ppc_user_errors_exit_2_without_traceback(fit_files, tmp_path, capsys):
    assert main(["ppc", str(tmp_path / "missing.nc")]) == 2
    assert "no such fit file" in capsys.readouterr().err
    bad = tmp_path / "bad.nc"
    bad.write_text("not a netcdf file")
    assert main(["ppc", str(bad)]) == 2
    assert "not a readable fit file" in capsys.readouterr().err
    assert main(["ppc", fit_files["right"], "--band", "0.7", "0.9"]) == 2
    assert "band" in capsys.readouterr().err


def test_compare_ranks_and_refuses_other_data(fit_files, capsys):
    assert main(["compare", fit_files["flat"], fit_files["right"], "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [r["model"] for r in out["ranking"]] == ["right", "flat"]
    assert main(["compare", fit_files["right"], fit_files["other"]]) == 2
    assert "cohort_hash differs" in capsys.readouterr().err
