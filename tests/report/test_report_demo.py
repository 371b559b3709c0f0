"""``bayes-walk demo`` orchestration with the sampler mocked (the real run is reports/demo)."""

from __future__ import annotations

import numpy as np
import pytest
from _helpers_estimands import (
    GRID_METS,
    GRID_MIN,
    linear_curve,
    make_idata,
    plateau_curve,
    replicate,
)

from bayes_walk.cli.main import main


def _fake_fit(spec, cohort, **kw):
    rng = np.random.default_rng(kw.get("seed", 0))
    noise = rng.normal(0, 0.01, (2, 50, 1)) * (GRID_MIN - 78) / 50
    cat = any(e.form == "categorical" for e in spec.exposures.values())
    idata = make_idata(
        replicate(plateau_curve(GRID_MIN)) + noise,
        replicate(linear_curve(GRID_METS, 0.3, 3.0)),
        cat=cat,
        spec_name=spec.name,
        n=cohort.sizes["participant"],
    )
    del idata.constant_data
    idata.add_groups(
        constant_data=cohort[["walking_min", "walking_mets", *spec.adjust]],
        observed_data=cohort[["clbp"]],
    )
    idata.attrs["cohort_path"] = kw.get("cohort_path", "")
    idata.attrs["spec"] = spec.to_json()
    return idata


def test_demo_writes_report_with_timings(tmp_path, monkeypatch, capsys):
    import bayes_walk.inference.fit

    monkeypatch.setattr(bayes_walk.inference.fit, "fit", _fake_fit)
    out = tmp_path / "demo"
    code = main(["demo", "--out", str(out), "--n", "400", "--models", "quartiles,gp"])
    assert code == 0
    err = capsys.readouterr().err
    assert "fitting model 1/2 'quartiles'" in err and "demo finished" in err
    html = (out / "index.html").read_text()
    assert 'id="timing"' in html and "fit gp" in html
    assert (out / "fits" / "gp.nc").exists() and (out / "cohort.nc").exists()
    # built in a temporary sibling, the fits still record the final cohort path
    import arviz as az

    assert az.from_netcdf(out / "fits" / "gp.nc").attrs["cohort_path"] == str(out / "cohort.nc")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]
    md = (out / "report.md").read_text()
    assert "Inclusion flow" in md and "Table 1" in md


def test_demo_bad_model_writes_nothing(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--models", "no_such_model"]) == 2
    assert "no_such_model" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("flag", [["--draws", "0"], ["--n", "5"], ["--tune", "-1"]])
def test_demo_bad_settings_exit_2(tmp_path, flag):
    assert main(["demo", "--out", str(tmp_path / "d"), *flag]) == 2


def _recording_fit(calls):
    def fake(spec, cohort, **kw):
        calls[spec.name] = (kw["chains"], kw["tune"], kw["draws"])
        return _fake_fit(spec, cohort, **kw)

    return fake


def test_demo_fits_each_model_at_its_own_spec_settings(tmp_path, monkeypatch, capsys):
    """Without --tune/--draws every model runs its spec's tune and draws (the settings the
    robustness study measured), on 2 chains; the flags override them for every model."""
    import bayes_walk.inference.fit
    from bayes_walk.spec.model_spec import load_spec

    calls: dict = {}
    monkeypatch.setattr(bayes_walk.inference.fit, "fit", _recording_fit(calls))
    models = "quartiles,gp,changepoint"
    assert main(["demo", "--out", str(tmp_path / "a"), "--n", "400", "--models", models]) == 0
    for name in models.split(","):
        s = load_spec(name).sampler
        assert calls[name] == (2, s.tune, s.draws)
    # the shipped specs differ, so a fixed setting for all would show here
    assert len({calls[m][1:] for m in calls}) == 3
    md = (tmp_path / "a" / "report.md").read_text()
    gp = load_spec("gp").sampler
    assert f"gp {gp.tune} + {gp.draws}" in md
    calls.clear()
    flags = ["--tune", "50", "--draws", "60", "--chains", "1"]
    assert (
        main(["demo", "--out", str(tmp_path / "b"), "--n", "400", "--models", models, *flags]) == 0
    )
    assert set(calls.values()) == {(1, 50, 60)}
