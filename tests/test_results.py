"""The Fit object: save/load round trip, checks on reading, rr, plateau, summary, ppc."""

from __future__ import annotations

import json
import warnings

import arviz as az
import numpy as np
import pytest
from _helpers_checks import hand_made_fit
from _helpers_estimands import GRID_MIN, make_idata, plateau_curve, replicate

from bayes_walk.cli.main import main
from bayes_walk.errors import FitFileError
from bayes_walk.results import Fit, load_fit


def _noisy_idata(seed: int = 3):
    rng = np.random.default_rng(seed)
    base = replicate(plateau_curve(GRID_MIN))
    noise = rng.normal(0, 0.02, base.shape) * (GRID_MIN - 78) / 50
    return make_idata(base + noise, spec_name="gp")


@pytest.fixture
def fit_obj():
    return Fit.from_idata(_noisy_idata())


def test_save_load_round_trip(fit_obj, tmp_path):
    path = fit_obj.save(tmp_path / "gp.nc")
    assert path.exists() and fit_obj.path == path
    back = load_fit(path)
    assert back.path == path and back.name == "gp"
    assert back.spec == fit_obj.spec and back.designs == fit_obj.designs
    np.testing.assert_array_equal(
        back.posterior["logrr_walking_min"].values, fit_obj.posterior["logrr_walking_min"].values
    )
    assert back.attrs["bayes_walk_version"] == "0.1.0"
    assert Fit.load(path).name == "gp"
    # bw.load_fit is the same reader
    import bayes_walk as bw

    assert bw.load_fit(path).designs == fit_obj.designs


def _write(idata, path):
    idata.to_netcdf(str(path))
    return path


def test_foreign_inference_data_is_refused(tmp_path):
    foreign = az.from_dict(posterior={"theta": np.zeros((2, 10))})
    path = _write(foreign, tmp_path / "foreign.nc")
    with pytest.raises(FitFileError) as exc:
        load_fit(path)
    msg = str(exc.value)
    assert str(path) in msg and "not a bayes_walk fit" in msg
    assert "spec" in msg and "designs" in msg and "bayes_walk_version" in msg


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda a: a.pop("spec"), "lacks attr spec"),
        (lambda a: a.update(spec="{not json"), "attr spec is unreadable"),
        (lambda a: a.update(spec=json.dumps({"name": "x"})), "attr spec is unreadable"),
        (lambda a: a.update(designs="[]"), "attr designs is unreadable"),
        (lambda a: a.update(bayes_walk_version="banana"), "is not a version number"),
    ],
)
def test_damaged_attrs_give_clear_errors(tmp_path, change, words):
    idata = _noisy_idata()
    change(idata.attrs)
    path = _write(idata, tmp_path / "damaged.nc")
    with pytest.raises(FitFileError, match=words) as exc:
        load_fit(path)
    assert str(path) in str(exc.value)


def test_designs_without_their_curve(tmp_path):
    idata = _noisy_idata()
    idata.attrs["designs"] = json.dumps({"exposures": {"steps": {"form": "hsgp"}}})
    with pytest.raises(FitFileError, match="lacks the curve 'logrr_steps'"):
        load_fit(_write(idata, tmp_path / "f.nc"))


def test_version_check(tmp_path, capsys):
    newer = _noisy_idata()
    newer.attrs["bayes_walk_version"] = "99.0.0"
    path = _write(newer, tmp_path / "newer.nc")
    with pytest.raises(FitFileError, match="newer major version"):
        load_fit(path)
    assert main(["summary", str(path), "--json", "--no-frequentist"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "newer.nc" in captured.err and "99.0.0" in captured.err and "upgrade" in captured.err
    older = _noisy_idata()
    older.attrs["bayes_walk_version"] = "0.0.1"
    assert load_fit(_write(older, tmp_path / "older.nc")).name == "gp"


def test_rr_equals_the_curve_at_grid_points(fit_obj):
    curve = fit_obj.posterior["logrr_walking_min"]
    grid = curve["walking_min_grid"].values
    at = [float(grid[5]), float(grid[40]), float(grid[90])]
    table = fit_obj.rr("walking_min", at=at)
    assert list(table.columns) == ["x", "rr_median", "rr_lo", "rr_hi", "p_benefit"]
    for row, i in zip(table.itertuples(), (5, 40, 90), strict=True):
        draws = curve.values[..., i].ravel()
        assert row.x == grid[i]
        assert row.rr_median == pytest.approx(np.exp(np.median(draws)), rel=1e-12)
        assert row.rr_lo == pytest.approx(np.exp(np.quantile(draws, 0.025)), rel=1e-12)
        assert row.rr_hi == pytest.approx(np.exp(np.quantile(draws, 0.975)), rel=1e-12)
        assert row.p_benefit == pytest.approx(np.mean(draws < 0))


def test_rr_with_another_reference(fit_obj):
    curve = fit_obj.posterior["logrr_walking_min"]
    grid = curve["walking_min_grid"].values
    table = fit_obj.rr("walking_min", at=[grid[10], grid[60]], reference=grid[60])
    # P(RR < 1) is undefined at the reference (every draw is exactly RR = 1)
    assert table["rr_median"].iloc[1] == 1.0 and np.isnan(table["p_benefit"].iloc[1])
    diff = (curve.values[..., 10] - curve.values[..., 60]).ravel()
    assert table["rr_median"].iloc[0] == pytest.approx(np.exp(np.median(diff)), rel=1e-12)


def test_rr_outside_the_grid_is_nan_with_a_warning(fit_obj):
    grid = fit_obj.posterior["walking_min_grid"].values
    with pytest.warns(UserWarning, match="outside the fitted curve's range"):
        table = fit_obj.rr("walking_min", at=[grid[0] - 5, 100.0, grid[-1] + 1])
    assert np.isnan(table["rr_median"].iloc[0]) and np.isnan(table["p_benefit"].iloc[2])
    assert np.isfinite(table["rr_median"].iloc[1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit_obj.rr("walking_min", at=[100.0])  # inside: no warning
    with pytest.raises(FitFileError, match="logrr_steps"):
        fit_obj.rr("steps", at=[1.0])


def test_plateau_summary_ppc_diagnostics(fit_obj):
    p = Fit.from_idata(make_idata()).plateau(near=100, within=10)
    for key in (
        "exposure",
        "near",
        "within",
        "delta",
        "probability",
        "onset",
        "remaining_benefit_at_near",
        "definition",
    ):
        assert key in p
    assert p["probability"] == 1.0  # every draw levels off at 100 min/day
    s = fit_obj.summary(frequentist=False)
    assert s["model"] == "gp" and s["diagnostics"] == {**s["diagnostics"], **fit_obj.diagnostics}
    assert {"divergences", "max_rhat", "min_ess_bulk"} <= set(fit_obj.diagnostics)
    checks = Fit.from_idata(hand_made_fit(n=800, seed=1, draws=60)).ppc()
    assert {"passed", "band", "checks"} <= set(checks) and checks["checks"]


def test_cli_rr(tmp_path, fit_obj, capsys):
    path = fit_obj.save(tmp_path / "gp.nc")
    assert main(["rr", str(path), "--at", "60,100,500", "--reference", "78", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["exposure"] == "walking_min" and out["reference"] == 78.0
    assert [r["x"] for r in out["rows"]] == [60.0, 100.0, 500.0]
    assert out["rows"][2]["rr"]["median"] is None
    want = fit_obj.rr("walking_min", at=[100.0], reference=78)["rr_median"].iloc[0]
    assert out["rows"][1]["rr"]["median"] == pytest.approx(want)
    assert main(["rr", str(path), "--at", "60,100", "--format", "md"]) == 0
    assert capsys.readouterr().out.startswith("| x | rr_median")
    assert main(["rr", str(path), "--at", "sixty"]) == 2


def test_every_shipped_spec_survives_the_stored_spec_round_trip():
    from pathlib import Path

    from bayes_walk.spec.model_spec import load_spec, spec_from_dict

    models = sorted((Path(__file__).resolve().parents[1] / "models").glob("*.toml"))
    assert len(models) >= 6
    for path in models:
        spec = load_spec(path)
        assert spec_from_dict(json.loads(spec.to_json())) == spec, path.name
