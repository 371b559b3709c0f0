"""Absolute risks by g-computation against the simulator's known truth; the risk command
and the absolute risks of ``summary`` (the shared ``risk_sim`` fit of tests/conftest.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from _helpers_risk import true_linear_predictor, true_risk

import bayes_walk as bw
from bayes_walk.cli.main import main


@pytest.fixture(scope="module")
def sim(risk_sim):
    cohort, _, fit_path = risk_sim
    return cohort, fit_path


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


def _trio_equal(a: dict, b: dict) -> bool:
    return all(a[k] == pytest.approx(b[k], rel=1e-12, abs=1e-15) for k in ("median", "lo", "hi"))


def test_summary_absolute_risks(sim, capsys):
    cohort, path = sim
    assert main(["summary", str(path), "--json", "--no-frequentist"]) == 0
    out = json.loads(capsys.readouterr().out)
    ar, rd, af = out["absolute_risk"], out["risk_difference"], out["attributable_fraction"]
    assert ar["exposure"] == "walking_min" and ar["scale"] == "risk" and ar["note"] is None
    assert ar["draws"] == ar["draws_stored"] == 300 and ar["n_participants"] == 2000
    # the same round values as the curve rows, the reference (rcs: p10) among them
    curve = [r for r in out["curve"] if r["exposure"] == "walking_min"]
    ref = curve[0]["reference"]
    xs = [r["x"] for r in ar["rows"]]
    assert xs == sorted({*(r["x"] for r in curve), ref}) and [r["x"] for r in rd["rows"]] == xs
    assert rd["versus"] == ar["reference"] == ref
    at_ref = xs.index(ref)
    assert _trio_equal(ar["rows"][at_ref]["risk"], rd["baseline"])
    assert rd["rows"][at_ref]["rd"] == {"median": 0.0, "lo": 0.0, "hi": 0.0}
    assert rd["rows"][at_ref]["p_lower"] is None
    assert all(r["p_lower"] is not None for i, r in enumerate(rd["rows"]) if i != at_ref)
    for row in rd["rows"]:
        k, d = row["prevented_per_1000"], row["rd"]
        assert k["median"] == pytest.approx(-1000 * d["median"])
        assert k["lo"] == pytest.approx(-1000 * d["hi"]) and k["hi"] == pytest.approx(
            -1000 * d["lo"]
        )
    # the same numbers as the Python API on the same draws
    fit = bw.load_fit(path)
    api = fit.risk_difference("walking_min", ref, 125).iloc[0]
    at125 = rd["rows"][xs.index(125.0)]
    assert at125["rd"]["median"] == pytest.approx(api["rd_median"])
    assert at125["p_lower"] == pytest.approx(api["p_lower"])
    assert ar["rows"][xs.index(125.0)]["risk"]["lo"] == pytest.approx(api["risk2_lo"])
    paf = fit.attributable_fraction("walking_min", ref).iloc[0]
    assert af["threshold"] == ref and af["paf"]["median"] == pytest.approx(paf["paf_median"])
    assert af["share_below"] == pytest.approx((cohort["walking_min"].values < ref).mean())
    # a re-referenced summary compares with the new reference
    assert (
        main(["summary", str(path), "--json", "--no-frequentist", "--reference", "walking_min=100"])
        == 0
    )
    re = json.loads(capsys.readouterr().out)
    assert (
        re["risk_difference"]["versus"] == 100.0
        and re["attributable_fraction"]["threshold"] == 100.0
    )
    assert _trio_equal(re["risk_difference"]["baseline"], ar["rows"][xs.index(100.0)]["risk"])
    assert main(["summary", str(path), "--json", "--no-frequentist", "--no-risk"]) == 0
    assert json.loads(capsys.readouterr().out)["absolute_risk"] is None


def test_summary_absolute_risks_text_and_exports(sim, capsys):
    _, path = sim
    assert main(["summary", str(path), "--no-frequentist", "--reference", "walking_min=78"]) == 0
    text = capsys.readouterr().out
    assert "Absolute risks (g-computation over 2000 participants, 300 draws)" in text
    assert "If everyone walked 100 instead of 78 min/day, about" in text
    assert "Population attributable fraction of walking_min below 78 min/day" in text
    row78 = next(line for line in text.splitlines() if line.strip().startswith("78 "))
    assert row78.rstrip().endswith("-")  # no P(lower) of the reference against itself
    assert main(["summary", str(path), "--no-frequentist", "--format", "csv"]) == 0
    csv = capsys.readouterr().out
    assert "# Absolute risks (g-computation, 300 draws)" in csv
    assert "exposure,x,versus,risk_median,risk_lo,risk_hi,rd_median" in csv
    assert "# Attributable fraction\nexposure,threshold,share_below,paf_median" in csv
    assert main(["summary", str(path), "--no-frequentist", "--format", "md"]) == 0
    assert "**Absolute risks (g-computation, 300 draws)**" in capsys.readouterr().out


def test_summary_risks_thinned_and_categorical(sim, tmp_path):
    from bayes_walk.answers.summary_risk import summary_risks

    cohort, path = sim
    fit = bw.load_fit(path)
    thin = summary_risks(fit, max_draws=100)["absolute_risk"]
    assert thin["draws"] == 100 and thin["draws_stored"] == 300
    assert "100 of the 300 stored draws (thinned)" in thin["note"]
    # quartiles: one row per category, the lowest (reference) one the baseline
    cat = bw.fit("quartiles", cohort, chains=1, draws=150, tune=150, seed=2, progress=False)
    r = summary_risks(cat)
    labels = cat.designs["exposures"]["walking_min"]["labels"]
    assert [row["category"] for row in r["absolute_risk"]["rows"]] == labels
    assert all(row["x"] is None for row in r["absolute_risk"]["rows"])
    rd = r["risk_difference"]
    assert rd["versus_category"] == labels[0]
    assert rd["rows"][0]["rd"] == {"median": 0.0, "lo": 0.0, "hi": 0.0}
    assert r["absolute_risk"]["rows"][0]["risk"] == rd["baseline"]
    # the fraction of walking below the reference quartile's upper cut
    cut = cat.designs["exposures"]["walking_min"]["cuts"][0]
    assert r["attributable_fraction"]["threshold"] == cut
    assert r["attributable_fraction"]["share_below"] == pytest.approx(0.25, abs=0.01)
