"""A new sampler backend is one function plus one registry entry: a toy one, used by ``fit``,
by ``bw.fit`` and by ``bayes-walk fit --sampler toy``; and the ModelCache reuse."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from _helpers_model import toy_cohort

from bayes_walk.errors import SpecError
from bayes_walk.inference.fit import fit
from bayes_walk.inference.samplers.registry import SAMPLERS, register_sampler, sampler_names
from bayes_walk.spec.model_spec import load_spec, spec_from_dict

CALLS: list[dict] = []


def toy_sampler(request):
    """Draws from the prior (a 'posterior' of the right layout, no divergences)."""
    import arviz as az
    import pymc as pm

    CALLS.append({"chains": request.chains, "draws": request.draws, "seed": request.seed})
    c, d = request.chains, request.draws
    with request.built.model:
        prior = pm.sample_prior_predictive(
            draws=c * d, var_names=request.trace_vars(), random_seed=request.seed
        ).prior
    post = {
        name: (("chain", "draw", *da.dims[2:]), da.values.reshape((c, d, *da.shape[2:])))
        for name, da in prior.data_vars.items()
    }
    coords = {k: v for k, v in prior.coords.items() if k not in ("chain", "draw")}
    stats = {"diverging": (("chain", "draw"), np.zeros((c, d), dtype=bool))}
    return az.InferenceData(
        posterior=xr.Dataset(post, coords=coords), sample_stats=xr.Dataset(stats)
    )


@pytest.fixture
def toy():
    register_sampler("toy", toy_sampler, description="prior draws (test)")
    CALLS.clear()
    yield
    SAMPLERS.pop("toy", None)


@pytest.fixture(scope="module")
def cohort():
    return toy_cohort(300, seed=4)


def test_builtin_registry_and_spec_backends():
    assert sampler_names()[:3] == ("nutpie", "pymc", "numpyro")
    with pytest.raises(SpecError, match="sampler.backend must be one of nutpie, pymc, numpyro"):
        spec_from_dict(
            {
                "name": "x",
                "exposures": {"walking_min": {"form": "linear", "reference": 78}},
                "sampler": {"backend": "toy"},
            }
        )


def test_toy_backend_through_fit(toy, cohort):
    spec = spec_from_dict(
        {
            "name": "toyfit",
            "adjust": ["age", "sex"],
            "exposures": {"walking_min": {"form": "linear", "reference": 78}},
            "sampler": {"backend": "toy"},  # accepted now that it is registered
        }
    )
    idata = fit(spec, cohort, chains=2, draws=40, tune=5, seed=9, progress=False)
    assert CALLS == [{"chains": 2, "draws": 40, "seed": 9}]
    assert idata.attrs["sampler"] == "toy"
    assert idata.posterior["intercept"].shape == (2, 40)
    assert idata.posterior["logrr_walking_min"].dims == ("chain", "draw", "walking_min_grid")
    # the fit added its own groups to the toy's draws: log-likelihood = Poisson at mu
    ll = idata.log_likelihood["clbp"]
    assert ll.shape == (2, 40, 300)
    y = idata.observed_data["clbp"].values.astype(float)
    mu = idata.posterior_predictive["mu"].values.astype(float)
    np.testing.assert_allclose(ll.values, y * np.log(mu) - mu, rtol=1e-4, atol=1e-5)
    # the curve draws are the toy's prior draws: they differ draw by draw, and a linear
    # curve through 0 at the reference is (x - 78) times a per-draw slope
    grid = idata.posterior["walking_min_grid"].values
    curve = idata.posterior["logrr_walking_min"].values
    assert not np.allclose(curve[0, 0], curve[0, 1])
    slope = curve[..., -1] / (grid[-1] - 78.0)
    np.testing.assert_allclose(curve, slope[..., None] * (grid - 78.0), rtol=1e-6, atol=1e-9)


def test_toy_backend_through_api_and_cli(toy, cohort, tmp_path, capsys):
    import bayes_walk as bw
    from bayes_walk.cli.main import main
    from bayes_walk.cohort.store import save_cohort

    f = bw.fit("linear", cohort, sampler="toy", chains=1, draws=30, tune=0, seed=1)
    assert f.attrs["sampler"] == "toy" and f.posterior.sizes["draw"] == 30
    data = tmp_path / "cohort.nc"
    save_cohort(cohort, data)
    out = tmp_path / "fit.nc"
    args = ["fit", "linear", "--data", str(data), "--out", str(out), "--sampler", "toy"]
    rc = main([*args, "--chains", "2", "--draws", "20", "--tune", "0", "--quiet"])
    assert rc == 0 and out.exists()
    loaded = bw.load_fit(out)
    assert loaded.attrs["sampler"] == "toy" and loaded.posterior.sizes["draw"] == 20
    assert CALLS[-1] == {"chains": 2, "draws": 20, "seed": loaded.spec.sampler.seed}


def test_cli_rejects_unregistered_sampler(tmp_path, capsys):
    from bayes_walk.cli.main import main

    with pytest.raises(SystemExit) as exc:
        main(["fit", "linear", "--data", "x.nc", "--out", "y.nc", "--sampler", "toy"])
    assert exc.value.code == 2
    assert "invalid choice: 'toy'" in capsys.readouterr().err


def test_unknown_sampler_override_is_a_spec_error(cohort):
    with pytest.raises(SpecError, match="unknown sampler 'nope'; choose one of nutpie"):
        fit(load_spec("linear"), cohort, sampler="nope", progress=False)


def test_model_cache_compiles_once(cohort):
    from bayes_walk.inference.compiled import ModelCache

    spec = load_spec("linear")
    cache = ModelCache.for_spec(spec, cohort)
    tiny = {"chains": 1, "draws": 30, "tune": 30, "progress": False, "seed": 1}
    a = fit(spec, cohort, cache=cache, posterior_predictive=False, **tiny)
    assert "nutpie" in cache
    compiled = cache._compiled["nutpie"]
    other = cohort.copy()
    y = other["clbp"].values.copy()
    y[:120] = 1
    other["clbp"] = other["clbp"].copy(data=y)
    b = fit(spec, other, cache=cache, posterior_predictive=False, **tiny)
    assert cache._compiled["nutpie"] is compiled
    assert b.attrs["n_cases"] == int(y.sum()) != a.attrs["n_cases"]
    assert float(b.posterior["intercept"].mean()) > float(a.posterior["intercept"].mean()) + 0.3
