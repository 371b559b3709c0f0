"""A spec whose outcome is not ``clbp``: every command uses the spec's outcome and label;
ArviZ's plot_ppc and plot_loo_pit work on the stored fit."""

from __future__ import annotations

import json

import numpy as np
import pytest

import bayes_walk as bw
from bayes_walk.cli.main import main

SPEC = """name = "np_linear"
outcome = "neckpain"
likelihood = "poisson"
adjust = ["age", "sex"]
[exposures.walking_min]
form = "linear"
reference = 78
[sampler]
backend = "nutpie"
chains = 1
draws = 100
tune = 100
seed = 0
"""


@pytest.fixture(scope="module")
def neck(tmp_path_factory):
    d = tmp_path_factory.mktemp("neck")
    cohort = bw.simulate(n=400, seed=1)
    rng = np.random.default_rng(0)
    cohort["neckpain"] = ("participant", (rng.uniform(size=400) < 0.2).astype(np.int8))
    cohort.attrs["outcome_label"] = "neck pain"
    bw.save_cohort(cohort, d / "cohort.nc")
    (d / "np.toml").write_text(SPEC)
    fit = bw.fit(str(d / "np.toml"), str(d / "cohort.nc"), progress=False)
    fit.save(d / "fit.nc")
    return d


def test_all_commands_use_the_outcome(neck, capsys):
    fit = str(neck / "fit.nc")
    assert main(["summary", fit]) == 0
    out = capsys.readouterr().out
    assert "neck pain" in out and "chronic low back pain" not in out
    assert main(["plateau", fit, "--json"]) == 0
    capsys.readouterr()
    assert main(["ppc", fit, "--json"]) == 0
    assert "checks" in json.loads(capsys.readouterr().out)
    assert main(["compare", fit, fit]) == 0
    capsys.readouterr()
    assert main(["report", fit, "--out", str(neck / "rep")]) == 0
    md = (neck / "rep" / "report.md").read_text()
    assert md.splitlines()[0] == "# bayes_walk report: walking and neck pain"


def test_fit_records_the_outcome(neck):
    fit = bw.load_fit(neck / "fit.nc")
    assert fit.outcome == "neckpain" and fit.outcome_label == "neck pain"
    assert "neckpain" in fit.idata.log_likelihood and "clbp" not in fit.idata.observed_data


def test_arviz_plots_on_the_stored_fit(neck):
    import arviz as az
    import matplotlib

    matplotlib.use("Agg")
    fit = bw.load_fit(neck / "fit.nc")
    # small fit: the posterior predictive has every posterior draw
    assert fit.idata.posterior_predictive.sizes["draw"] == fit.posterior.sizes["draw"]
    az.plot_loo_pit(fit.idata, y="neckpain")
    az.plot_ppc(fit.idata)
    # a thinned one (as large fits are stored): arviz_data() lines the groups up
    thin = fit.idata.copy()
    thin.posterior_predictive = thin.posterior_predictive.isel(draw=slice(None, None, 2))
    with pytest.raises(ValueError):
        az.plot_loo_pit(thin, y="neckpain")
    aligned = bw.results.Fit(thin, fit.spec, fit.designs).arviz_data()
    assert aligned.posterior.sizes["draw"] == 50 == aligned.log_likelihood.sizes["draw"]
    az.plot_loo_pit(aligned, y="neckpain")
    az.plot_ppc(aligned)
