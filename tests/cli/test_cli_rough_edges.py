"""Rough edges a new user hit (issue 15), each through the real commands on a hand-made fit."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr
from _helpers_estimands import (
    GRID_METS,
    GRID_MIN,
    curve_array,
    linear_curve,
    make_idata,
    plateau_curve,
    replicate,
)

from bayes_walk.cli.main import main


@pytest.fixture(scope="module")
def fit_file(tmp_path_factory):
    rng = np.random.default_rng(3)
    noise = rng.normal(0, 0.01, (2, 50, 1)) * (GRID_MIN - 78) / 50
    idata = make_idata(
        replicate(plateau_curve(GRID_MIN, 100.0, 0.01)) + noise,
        replicate(linear_curve(GRID_METS, 0.3, 3.0)),
        cat=True,
        extra_posterior={},
    )
    path = tmp_path_factory.mktemp("fit") / "fit.nc"
    idata.to_netcdf(str(path))
    return path


def test_rr_p_benefit_is_undefined_at_the_reference(fit_file, capsys):
    assert main(["rr", str(fit_file), "--at", "78,100", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert rows[0]["x"] == 78.0 and rows[0]["rr"]["median"] == 1.0
    assert rows[0]["p_benefit"] is None
    assert rows[1]["p_benefit"] == pytest.approx(1.0)
    assert main(["rr", str(fit_file), "--at", "60,100", "--reference", "100"]) == 0
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.split()[:1] == ["100.000"])
    assert line.split()[-1] == "-"


def test_summary_p_benefit_is_undefined_at_the_reference(fit_file, capsys):
    assert main(["summary", str(fit_file), "--json", "--no-frequentist"]) == 0
    curve = json.loads(capsys.readouterr().out)["curve"]
    at_ref = next(r for r in curve if r["exposure"] == "walking_min" and r["x"] == 78.0)
    assert at_ref["p_benefit"] is None
    assert all(r["p_benefit"] is not None for r in curve if r["x"] != r["reference"])
    assert main(["summary", str(fit_file), "--no-frequentist"]) == 0
    text = capsys.readouterr().out
    row = next(ln for ln in text.splitlines() if ln.split()[:1] == ["78"])
    assert row.split()[-1] == "-" and "0.00" not in row


def test_summary_tau_lists_only_the_user_facing_changepoint(tmp_path, capsys):
    rng = np.random.default_rng(0)

    def draws(loc):
        return xr.DataArray(
            rng.normal(loc, 1.0, (2, 50)),
            dims=("chain", "draw"),
            coords={"chain": [0, 1], "draw": np.arange(50)},
        )

    # what a changepoint fit's posterior holds: tau in minutes plus the sampler's copies
    idata = make_idata(
        extra_posterior={
            "tau_walking_min": draws(100.0),
            "tau_walking_min_scaled": draws(0.5),
            "tau_walking_min_scaled_interval__": draws(0.0),
        }
    )
    path = tmp_path / "cp.nc"
    idata.to_netcdf(str(path))
    assert main(["summary", str(path), "--json", "--no-frequentist"]) == 0
    tau = json.loads(capsys.readouterr().out)["tau"]
    assert list(tau) == ["walking_min"]
    assert 99 < tau["walking_min"]["median"] < 101


@pytest.fixture(scope="module")
def offset_fit(tmp_path_factory):
    idata = make_idata(cat=True)
    spec = json.loads(idata.attrs["spec"])
    idata.attrs["spec"] = json.dumps({**spec, "offset": "followup_years"})
    path = tmp_path_factory.mktemp("offset") / "offset.nc"
    idata.to_netcdf(str(path))
    return path, idata


def test_offset_fits_are_labelled_rate_ratios(offset_fit, fit_file, capsys):
    path, _ = offset_fit
    assert main(["summary", str(path), "--no-frequentist"]) == 0
    text = capsys.readouterr().out
    assert "incidence rate ratios (IRR)" in text and "Bayesian IRR" in text
    assert "IRR versus 78" in text and "P(IRR<1)" in text
    assert "Bayesian RR" not in text and " RR versus" not in text
    assert main(["rr", str(path), "--at", "100"]) == 0
    assert capsys.readouterr().out.startswith("Rate ratio (IRR) of walking_min versus 78")
    # JSON keys are the same for both kinds of fit
    assert main(["summary", str(path), "--json", "--no-frequentist"]) == 0
    assert "rr" in json.loads(capsys.readouterr().out)["curve"][0]
    # a fit without an offset keeps "RR"
    assert main(["summary", str(fit_file), "--no-frequentist"]) == 0
    text = capsys.readouterr().out
    assert "IRR" not in text and "Bayesian RR" in text


def test_report_labels_offset_fits_as_rate_ratios(offset_fit):
    from bayes_walk.reporting.build import intro_lines
    from bayes_walk.reporting.sections import FitEntry, table2_section

    _, idata = offset_fit
    fits = [FitEntry("ratefit", None, idata)]
    assert "IRR = incidence rate ratio (fits with a person-time offset: ratefit)" in " ".join(
        intro_lines(fits)
    )
    html = repr(table2_section(fits, None).__dict__)
    assert "Bayesian IRR (95% CrI)" in html and "IRR of chronic low back pain" in html


@pytest.fixture(scope="module")
def strata_fit(tmp_path_factory):
    idata = make_idata()
    one = idata.posterior["logrr_walking_min"]
    # women plateau at 100, men keep falling linearly: different blocks per stratum
    men = curve_array(replicate(linear_curve(GRID_MIN, 0.004)), GRID_MIN, "walking_min", 78.0)
    both = xr.concat([one, men], dim="stratum").assign_coords(stratum=["female", "male"])
    both.attrs = {**one.attrs, "curve_by": "sex"}
    idata.posterior["logrr_walking_min"] = both.transpose("chain", "draw", "stratum", ...)
    path = tmp_path_factory.mktemp("strata") / "strata.nc"
    idata.to_netcdf(str(path))
    return path


def test_plateau_stratum_prints_only_that_stratum(strata_fit, capsys):
    assert main(["plateau", str(strata_fit)]) == 0
    text = capsys.readouterr().out
    assert "Stratum female:" in text and "Stratum male:" in text
    assert main(["plateau", str(strata_fit), "--stratum", "male"]) == 0
    text = capsys.readouterr().out
    assert "Stratum male:" in text and "female" not in text
    assert main(["plateau", str(strata_fit), "--stratum", "male", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["stratum"] == "male" and [b["stratum"] for b in out["strata"]] == ["male"]
    assert out["p_no_plateau"] == out["strata"][0]["p_no_plateau"]
