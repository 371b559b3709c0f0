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


@pytest.mark.parametrize("flag", [["--draws", "0"], ["--n", "5"]])
def test_demo_bad_settings_exit_2(tmp_path, flag):
    assert main(["demo", "--out", str(tmp_path / "d"), *flag]) == 2
