"""Pipeline tier: tiny real fits with each sampler, seeds, fit.nc round trip, CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
from _helpers_model import toy_cohort

from bayes_walk.errors import FitFileError
from bayes_walk.inference.fit import fit
from bayes_walk.results import load_fit, save_fit
from bayes_walk.spec.model_spec import load_spec

TINY = {"draws": 60, "tune": 60, "chains": 2, "progress": False}


@pytest.fixture(scope="module")
def cohort():
    return toy_cohort(400, seed=5)


@pytest.fixture(scope="module")
def gp_fit(cohort):
    return fit(load_spec("gp"), cohort, seed=3, **TINY)


def test_fit_layout(gp_fit, cohort):
    idata = gp_fit
    for g in (
        "posterior",
        "sample_stats",
        "log_likelihood",
        "posterior_predictive",
        "observed_data",
        "constant_data",
    ):
        assert g in idata.groups()
    post = idata.posterior
    assert post["logrr_walking_min"].dims == ("chain", "draw", "walking_min_grid")
    assert post["logrr_walking_min"].attrs["reference"] == 78.0
    assert post["logrr_walking_min"].attrs["form"] == "hsgp"
    ll = idata.log_likelihood["clbp"]
    assert ll.dtype == np.float32 and ll.shape == (2, 60, 400)
    pp = idata.posterior_predictive
    assert pp["clbp"].dtype == np.int8 and pp["mu"].dtype == np.float32
    assert pp.sizes["chain"] * pp.sizes["draw"] <= 500
    # the stored log-likelihood is the Poisson log-density of the outcome at the same mu
    y = idata.observed_data["clbp"].values.astype(float)
    mu = pp["mu"].values.astype(float)
    want = y * np.log(mu) - mu  # log(y!) = 0 for a 0/1 outcome
    np.testing.assert_allclose(ll.sel(draw=pp["draw"]).values, want, rtol=1e-4, atol=1e-5)
    assert "diverging" in idata.sample_stats
    for a in (
        "spec",
        "spec_name",
        "cohort_hash",
        "bayes_walk_version",
        "seed",
        "sampler",
        "n_participants",
        "categories",
    ):
        assert a in idata.attrs
    assert idata.attrs["n_participants"] == 400
    diag = json.loads(idata.attrs["diagnostics"])
    assert {"divergences", "max_rhat", "min_ess_bulk", "min_ess_tail", "min_bfmi"} <= set(diag)
    assert "walking_min" in idata.constant_data and "municipality" in idata.constant_data
    # log-likelihood agrees with the Poisson pmf of the stored expected counts
    mu = pp["mu"].values[0, 0].astype(np.float64)
    y = idata.observed_data["clbp"].values
    step = pp.attrs["thin_step"]
    assert step == 1
    np.testing.assert_allclose(ll.values[0, 0], y * np.log(mu) - mu, rtol=1e-4, atol=1e-5)


def test_seed_reproducible(cohort, gp_fit):
    again = fit(load_spec("gp"), cohort, seed=3, **TINY)
    np.testing.assert_array_equal(
        again.posterior["intercept"].values, gp_fit.posterior["intercept"].values
    )


def test_round_trip_and_predict(gp_fit, tmp_path):
    path = save_fit(gp_fit, tmp_path / "fit.nc")
    lf = load_fit(path)
    grid = lf.posterior["walking_min_grid"].values
    pred = lf.predict_curve("walking_min", grid)
    np.testing.assert_allclose(pred.values, lf.posterior["logrr_walking_min"].values, atol=1e-10)
    at = lf.predict_curve("walking_min", [78.0, 150.0])
    assert at.dims == ("chain", "draw", "x")
    assert np.all(at.sel(x=78.0).values == 0.0)
    assert lf.built.designs == lf.designs


def test_load_fit_errors(tmp_path, gp_fit):
    with pytest.raises(FitFileError, match="not found"):
        load_fit(tmp_path / "nope.nc")
    bad = tmp_path / "bad.nc"
    bad.write_bytes(b"not a netcdf file")
    with pytest.raises(FitFileError, match="corrupt or truncated"):
        load_fit(bad)
    empty = tmp_path / "empty.nc"
    empty.write_bytes(b"")
    with pytest.raises(FitFileError, match="empty"):
        load_fit(empty)
    good = save_fit(gp_fit, tmp_path / "fit.nc")
    raw = good.read_bytes()
    trunc = tmp_path / "trunc.nc"
    trunc.write_bytes(raw[: len(raw) // 3])
    with pytest.raises(FitFileError):
        load_fit(trunc)


@pytest.mark.parametrize("sampler", ["pymc", "numpyro"])
def test_other_samplers(cohort, sampler):
    from bayes_walk.spec.model_spec import spec_from_dict

    # a small model: these backends compile slowly, the layout is what is tested here
    spec = spec_from_dict(
        {
            "name": "small",
            "adjust": ["age", "sex"],
            "exposures": {"walking_min": {"form": "linear", "reference": 78}},
            "hierarchy": {"intercept_by": "municipality"},
        }
    )
    idata = fit(spec, cohort, sampler=sampler, seed=2, **TINY)
    assert idata.attrs["sampler"] == sampler
    assert idata.log_likelihood["clbp"].shape == (2, 60, 400)
    assert idata.posterior["logrr_walking_min"].dims == ("chain", "draw", "walking_min_grid")
    assert idata.posterior_predictive["mu"].dtype == np.float32


def test_cli_fit(cohort, tmp_path, capsys):
    from bayes_walk.cli.main import main
    from bayes_walk.cohort.store import save_cohort

    data = tmp_path / "cohort.nc"
    save_cohort(cohort, data)
    out = tmp_path / "fit.nc"
    rc = main(
        [
            "fit",
            "linear",
            "--data",
            str(data),
            "--out",
            str(out),
            "--draws",
            "50",
            "--tune",
            "50",
            "--chains",
            "2",
            "--quiet",
        ]
    )
    assert rc == 0 and out.exists()
    lf = load_fit(out)
    assert lf.attrs["cohort_path"] == str(data)
    # bad spec: exit 2, clear message, nothing written
    out2 = tmp_path / "fit2.nc"
    rc = main(["fit", "nosuchmodel", "--data", str(data), "--out", str(out2)])
    assert rc == 2 and not out2.exists()
    assert "no shipped model 'nosuchmodel'" in capsys.readouterr().err
    rc = main(["fit", "linear", "--data", str(tmp_path / "missing.nc"), "--out", str(out2)])
    assert rc == 2 and not out2.exists()
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "b"\n[exposures.walking_min]\nform = "linear"\nreference = 9999\n')
    rc = main(["fit", str(bad), "--data", str(data), "--out", str(out2)])
    assert rc == 2 and not out2.exists()
    assert "outside the data range" in capsys.readouterr().err
    # --strict: a 10-draw fit has not converged -> exit 1, the file is still written
    out3 = tmp_path / "fit3.nc"
    args = ["fit", "linear", "--data", str(data), "--out", str(out3), "--quiet", "--strict"]
    rc = main([*args, "--draws", "10", "--tune", "10", "--chains", "2"])
    assert rc == 1 and out3.exists()
    assert "--strict" in capsys.readouterr().err
    # a cohort file is not a fit
    with pytest.raises(FitFileError, match="not a bayes_walk fit"):
        load_fit(data)


def test_reuse_built_model_with_new_data(cohort):
    from bayes_walk.model.builder import build_model

    spec = load_spec("linear")
    built = build_model(spec, cohort)
    a = fit(spec, cohort, built=built, seed=1, posterior_predictive=False, **TINY)
    other = cohort.copy()
    y = other["clbp"].values.copy()
    y[:150] = 1  # many more cases: the intercept must move up
    other["clbp"] = other["clbp"].copy(data=y)
    b = fit(spec, other, built=built, seed=1, posterior_predictive=False, **TINY)
    assert float(b.posterior["intercept"].mean()) > float(a.posterior["intercept"].mean()) + 0.3
    assert b.attrs["n_cases"] == int(y.sum())
    assert b.attrs["cohort_hash"] != a.attrs["cohort_hash"]


def test_pointwise_mu_thinning_keeps_every_kth_draw(gp_fit, cohort):
    from bayes_walk.inference.pointwise import pointwise_function
    from bayes_walk.model.builder import build_model

    fn = pointwise_function(build_model(load_spec("gp"), cohort))
    ll1, mu1 = fn(gp_fit.posterior)
    ll7, mu7 = fn(gp_fit.posterior, mu_step=7)
    np.testing.assert_array_equal(ll1, ll7)
    assert mu7.shape == (2, len(range(0, 60, 7)), 400)
    np.testing.assert_array_equal(mu7, mu1[:, ::7, :])
