"""Absolute risks by g-computation against the simulator's known truth; the risk command."""

from __future__ import annotations

import json

import numpy as np
import pytest
from _helpers_risk import true_linear_predictor, true_risk

import bayes_walk as bw
from bayes_walk.cli.main import main


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    d = tmp_path_factory.mktemp("risk")
    cohort = bw.simulate(n=2000, seed=5)
    bw.save_cohort(cohort, d / "cohort.nc")
    fit = bw.fit("rcs", str(d / "cohort.nc"), chains=1, draws=300, tune=300, seed=1)
    fit.save(d / "fit.nc")
    return cohort, d / "fit.nc"


def test_truth_helper_reproduces_the_incidence(sim):
    cohort, _ = sim
    p = np.minimum(np.exp(true_linear_predictor(cohort)), 0.99)
    # the simulated outcomes are Bernoulli(p): their mean is within 3 binomial SEs
    se = np.sqrt(p.mean() * (1 - p.mean()) / p.size)
    assert abs(cohort["clbp"].values.mean() - p.mean()) < 3 * se


def test_risk_difference_covers_the_truth(sim):
    cohort, path = sim
    fit = bw.load_fit(path)
    rd = fit.risk_difference("walking_min", 40, 120).iloc[0]
    truth = true_risk(cohort, 120) - true_risk(cohort, 40)
    assert truth < -0.02  # a real effect to recover
    assert rd["rd_lo"] <= truth <= rd["rd_hi"]
    assert rd["prevented_per_1000_median"] == pytest.approx(-1000 * rd["rd_median"])
    risks = fit.absolute_risk("walking_min", at=[40, 120])
    for x, row in zip((40, 120), risks.itertuples(), strict=True):
        assert row.risk_lo <= true_risk(cohort, x) <= row.risk_hi
    # the observed average risk lies inside the standardised risks' range
    paf = fit.attributable_fraction("walking_min", 78).iloc[0]
    assert paf["share_below"] == pytest.approx((cohort["walking_min"].values < 78).mean())
    assert paf["paf_lo"] < paf["paf_median"] < paf["paf_hi"]


def test_risk_command(sim, capsys):
    _, path = sim
    assert main(["risk", str(path), "--at", "40,120", "--versus", "78", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["versus"] == 78.0 and [r["x"] for r in out["rows"]] == [40.0, 120.0]
    fit = bw.load_fit(path)
    rd = fit.risk_difference("walking_min", 78, 120).iloc[0]
    assert out["rows"][1]["rd"]["median"] == pytest.approx(rd["rd_median"])
    assert out["paf"] is None
    assert main(["risk", str(path), "--at", "40,120", "--paf", "78", "--format", "csv"]) == 0
    csv = capsys.readouterr().out
    assert "x,risk_median,risk_lo,risk_hi,rd_median" in csv and "threshold,share_below" in csv
    assert main(["risk", str(path), "--at", "40,999"]) == 0
    captured = capsys.readouterr()
    assert "999" in captured.err and "outside" in captured.err
