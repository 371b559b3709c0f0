"""The reference must lie inside the curve grid; predictions beyond the data are NaN with a
warning, the same in Python (predict_curve, Fit.rr) and the CLI (rr)."""

from __future__ import annotations

import numpy as np
import pytest
from _helpers_model import toy_cohort

import bayes_walk as bw
from bayes_walk.cli.main import main
from bayes_walk.errors import SpecError
from bayes_walk.spec.model_spec import spec_from_dict, validate_spec

SPEC = {
    "name": "lin",
    "adjust": ["age", "sex"],
    "exposures": {"walking_min": {"form": "rcs", "reference": 78}},
    "sampler": {"chains": 1, "draws": 100, "tune": 100, "seed": 0},
}


def _spec(**over):
    d = {**SPEC, **over}
    return spec_from_dict(d)


def test_reference_beyond_p99_is_refused():
    cohort = toy_cohort(n=500, seed=2)
    x = cohort["walking_min"].values.copy()
    x[:3] = [410.0, 420.0, 430.0]  # a few long walkers: 400 is inside min..max
    cohort["walking_min"] = ("participant", x)
    p99 = np.percentile(x, 99)
    assert x.max() > 400 > p99  # but outside the curve grid
    spec = _spec(exposures={"walking_min": {"form": "rcs", "reference": 400}})
    with pytest.raises(SpecError) as err:
        validate_spec(spec, cohort)
    msg = str(err.value)
    assert "walking_min" in msg and "reference = 400" in msg and f"{p99:.4g}" in msg


def test_missing_covariate_names_import_require():
    cohort = toy_cohort(n=300, seed=2)
    bmi = np.full(300, 25.0)
    bmi[[4, 9]] = np.nan
    cohort["bmi"] = ("participant", bmi)
    spec = _spec(adjust=["age", "sex", "bmi"])
    with pytest.raises(SpecError, match=r"--require age,sex,bmi"):
        validate_spec(spec, cohort)


@pytest.fixture(scope="module")
def rcs_fit(tmp_path_factory):
    d = tmp_path_factory.mktemp("grid")
    fit = bw.fit(_spec(), toy_cohort(n=500, seed=2), progress=False)
    return fit.save(d / "fit.nc")


def test_predict_curve_and_rr_nan_beyond_data(rcs_fit, capsys):
    fit = bw.load_fit(rcs_fit)
    lo, hi = fit.curve_range("walking_min")
    with pytest.warns(UserWarning, match="outside the fitted curve's range"):
        pred = fit.predict_curve("walking_min", [100.0, hi + 50])
    assert np.isfinite(pred.sel(x=100.0)).all() and np.isnan(pred.isel(x=1)).all()
    with pytest.warns(UserWarning, match="450"):
        table = fit.rr("walking_min", at=[100, 450])
    assert np.isfinite(table["rr_median"][0]) and np.isnan(table["rr_median"][1])
    assert main(["rr", str(rcs_fit), "--at", "100,450"]) == 0
    captured = capsys.readouterr()
    assert "450" in captured.err and "outside the fitted curve's range" in captured.err
