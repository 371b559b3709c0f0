"""The frequentist column of Table 2: the fit's cohort found by file or rebuilt from the fit."""

from __future__ import annotations

import json

import numpy as np
import pytest
from _helpers_estimands import make_idata

from bayes_walk.answers.cohort_link import cohort_for_fit
from bayes_walk.answers.summary import fit_summary
from bayes_walk.checks.frequentist import modified_poisson
from bayes_walk.cohort.quartiles import quartile_cuts
from bayes_walk.cohort.simulate import simulate_cohort
from bayes_walk.cohort.store import save_cohort

ADJ = ["age", "sex", "education", "income", "employment", "smoking", "depression"]


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    ds = simulate_cohort(2000, seed=11, truth="paper", keep_daily=False)
    path = tmp_path_factory.mktemp("c") / "cohort.nc"
    save_cohort(ds, path)
    idata = make_idata(cat=True, n=2000)
    cuts = [float(c) for c in quartile_cuts(ds["walking_min"].values)]
    cats = json.loads(idata.attrs["categories"])
    cats["walking_min"]["cuts"] = cuts
    idata.attrs["categories"] = json.dumps(cats)
    idata.attrs["cohort_path"] = str(path)
    idata.attrs["n_participants"] = 2000
    idata.attrs["spec"] = json.dumps({"name": "q", "adjust": ADJ, "exposures": {}})
    const = ds[["walking_min", "walking_mets", *ADJ]]
    del idata.constant_data
    idata.add_groups(constant_data=const, observed_data=ds[["clbp"]])
    return ds, idata, path, cuts


def test_frequentist_column_equals_modified_poisson(linked):
    ds, idata, path, cuts = linked
    expect = modified_poisson(ds, "walking_min", adjust=ADJ, other="linear", cuts=cuts)
    got = fit_summary(idata)
    assert "cohort file" in got["frequentist_source"]["cohort"]
    rows = got["rr_table"]
    assert rows[0]["frequentist"]["rr"] == 1.0 and rows[0]["frequentist"]["lo"] is None
    for r, (_, e) in zip(rows[1:], expect.iloc[1:].iterrows(), strict=True):
        assert r["frequentist"]["rr"] == pytest.approx(e["rr"])
        assert r["frequentist"]["hi"] == pytest.approx(e["hi"])


def test_cohort_rebuilt_from_constant_data_when_file_is_gone(linked, tmp_path):
    ds, idata, path, cuts = linked
    moved = idata.copy()
    moved.attrs = dict(idata.attrs, cohort_path=str(tmp_path / "gone.nc"))
    link = cohort_for_fit(moved)
    assert link.cohort is not None and "constant_data" in link.how
    expect = modified_poisson(ds, "walking_min", adjust=ADJ, other="linear", cuts=cuts)
    got = modified_poisson(link.cohort, "walking_min", adjust=ADJ, other="linear", cuts=cuts)
    assert np.allclose(got["rr"], expect["rr"])
