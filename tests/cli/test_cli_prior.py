"""``bayes-walk prior``: the priors in force, prior RR spread, figures; priors stored in fits."""

from __future__ import annotations

import json

import pytest

import bayes_walk as bw
from bayes_walk.cli.main import main


@pytest.fixture(scope="module")
def cohort_path(tmp_path_factory):
    d = tmp_path_factory.mktemp("prior")
    bw.save_cohort(bw.simulate(n=500, seed=3), d / "cohort.nc")
    return d / "cohort.nc"


def test_prior_json_has_the_priors_spread_and_check(cohort_path, capsys):
    assert main(["prior", "gp", "--data", str(cohort_path), "--draws", "200", "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert set(s) == {"model", "draws", "priors", "exposures", "check"}
    gp = bw.load_spec("gp")
    assert s["priors"]["global"] == gp.global_priors()
    assert s["priors"]["exposures"]["walking_min"] == gp.exposure_priors("walking_min")
    rows = s["exposures"]["walking_min"]["rr"]
    assert s["exposures"]["walking_min"]["reference"] == 78.0
    assert len(rows) >= 3
    assert all(r["lo"] <= r["median"] <= r["hi"] for r in rows)
    # the prior of an HSGP curve is wide: its 95% interval leaves 1 well behind somewhere
    assert max(r["hi"] / r["lo"] for r in rows) > 1.5
    c = s["check"]
    assert c["x"] == 200.0 and c["versus"] == 78.0
    assert c["fraction_in_band"] >= 0.9  # shipped defaults (tested at 0.95 on 2000 draws)


def test_prior_out_writes_a_figure_per_exposure_and_json(cohort_path, tmp_path, capsys):
    out = tmp_path / "prior_out"
    assert (
        main(["prior", "gp", "--data", str(cohort_path), "--draws", "100", "--out", str(out)]) == 0
    )
    text = capsys.readouterr().out
    assert "Priors in force" in text and "Plausibility" in text
    names = sorted(p.name for p in out.iterdir())
    assert names == ["prior.json", "prior_walking_mets.png", "prior_walking_min.png"]
    assert (out / "prior_walking_min.png").read_bytes()[:4] == b"\x89PNG"
    assert json.loads((out / "prior.json").read_text())["model"] == "gp"


def test_bad_model_name_exits_2_and_writes_nothing(cohort_path, tmp_path, capsys):
    out = tmp_path / "never"
    code = main(["prior", "gpp", "--data", str(cohort_path), "--out", str(out)])
    assert code == 2
    assert "no shipped model 'gpp'" in capsys.readouterr().err
    assert not out.exists()


def test_spec_override_shows_in_the_printed_priors(cohort_path, tmp_path, capsys):
    spec = tmp_path / "tight.toml"
    spec.write_text(
        'name = "tight"\noutcome = "clbp"\nadjust = ["age", "sex"]\n'
        '[exposures.walking_min]\nform = "linear"\nreference = 78\n'
        "[priors.intercept]\nsigma = 0.123\n",
        encoding="utf-8",
    )
    assert main(["prior", str(spec), "--data", str(cohort_path), "--draws", "50"]) == 0
    text = capsys.readouterr().out
    line = next(ln for ln in text.splitlines() if " intercept " in ln)
    assert "sigma=0.123" in line
    assert bw.prior(str(spec), str(cohort_path), draws=50)["priors"]["global"]["intercept"][
        "sigma"
    ] == pytest.approx(0.123)


def test_a_fit_stores_the_priors_in_force(cohort_path, tmp_path, capsys):
    fit = bw.fit("linear", str(cohort_path), chains=1, draws=100, tune=100, seed=1)
    fit.save(tmp_path / "fit.nc")
    stored = json.loads(bw.load_fit(tmp_path / "fit.nc").idata.attrs["priors"])
    spec = bw.load_spec("linear")
    assert stored["global"] == spec.global_priors()
    assert stored["exposures"]["walking_min"] == spec.exposure_priors("walking_min")
    assert main(["summary", str(tmp_path / "fit.nc"), "--json", "--no-frequentist"]) == 0
    assert json.loads(capsys.readouterr().out)["priors"] == stored
    assert main(["summary", str(tmp_path / "fit.nc"), "--no-frequentist"]) == 0
    assert "Priors (defaults merged with the spec)" in capsys.readouterr().out


def test_prior_stderr_carries_progress_only(cohort_path):
    """In a fresh process (warnings fire once per process): no library warning, no log."""
    import subprocess
    import sys

    r = subprocess.run(
        [sys.executable, "-m", "bayes_walk.cli.main", "prior", "gp", "--data", str(cohort_path),
         "--draws", "50"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "Plausibility" in r.stdout
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert lines and all(ln.startswith("prior:") for ln in lines), r.stderr
