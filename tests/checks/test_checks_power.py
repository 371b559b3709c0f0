"""Power of the checks on real fits: wrong models fail, the right one passes.

The cohort is simulated, then its outcome is redrawn from a known, strong plateau truth
(log RR falls linearly by 2.0 from 40 to 100 min/day, flat after; no other effects), so
the effect is far stronger than the paper's and the checks must see it at n = 6000.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

pytestmark = pytest.mark.slow

N = 6000
FIT = {"draws": 250, "tune": 250, "chains": 2, "seed": 1, "progress": False}


def strong_plateau_risk(walking_min: np.ndarray) -> np.ndarray:
    ramp = np.clip((walking_min - 40.0) / 60.0, 0.0, 1.0)
    return 0.4 * np.exp(-2.0 * ramp)


@pytest.fixture(scope="module")
def fits(tmp_path_factory):
    from bayes_walk.cohort.simulate import simulate_cohort
    from bayes_walk.cohort.store import save_cohort
    from bayes_walk.inference.fit import fit
    from bayes_walk.spec.model_spec import spec_from_dict

    cohort = simulate_cohort(n=N, seed=3, truth="plateau:100", keep_daily=False)
    rng = np.random.default_rng(3)
    p = strong_plateau_risk(cohort["walking_min"].values)
    cohort["clbp"] = ("participant", (rng.random(N) < p).astype(np.int8))
    forms = {
        "gp": {"walking_min": {"form": "hsgp", "reference": 78}},
        "linear": {"walking_min": {"form": "linear", "reference": 78}},
        # Wrong: no volume term at all (intensity only).
        "no_volume": {"walking_mets": {"form": "linear", "reference": 3.0}},
    }
    d = tmp_path_factory.mktemp("power")
    paths = {"cohort": str(d / "cohort.nc")}
    save_cohort(cohort, paths["cohort"])
    for name, exposures in forms.items():
        spec = spec_from_dict({"name": name, "exposures": exposures})
        idata = fit(spec, cohort, cohort_path=paths["cohort"], **FIT)
        paths[name] = str(d / f"{name}.nc")
        idata.to_netcdf(paths[name])
    return paths


def test_right_model_passes_ppc(fits, capsys):
    from bayes_walk.cli.main import main

    assert main(["ppc", fits["gp"], "--data", fits["cohort"], "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["passed"] and {c["name"].split(":")[0] for c in out["checks"]} >= {
        "calibration",
        "walking_min",
        "walking_mets",
        "sex",
        "age",
        "municipality",
    }


def test_model_without_the_exposure_term_fails_ppc(fits, capsys):
    from bayes_walk.cli.main import main

    # The fit of an intensity-only model stores no volume; the cohort supplies it, given
    # explicitly or found through the fit's recorded cohort_path.
    assert main(["ppc", fits["no_volume"], "--data", fits["cohort"], "--json"]) == 1
    explicit = json.loads(capsys.readouterr().out)
    assert main(["ppc", fits["no_volume"], "--json"]) == 1
    captured = capsys.readouterr()
    assert "read from" in captured.err
    out = json.loads(captured.out)
    assert out == explicit
    failed = [c for c in out["checks"] if not c["passed"]]
    assert any(c["name"].startswith("walking_min") for c in failed)
    q1 = next(c for c in out["checks"] if c["name"].startswith("walking_min: quintile 1"))
    assert q1["observed"] > q1["expected"] and q1["p_value"] < 1e-4


def test_linear_curve_on_a_strong_plateau_fails_ppc(fits, capsys):
    from bayes_walk.cli.main import main

    assert main(["ppc", fits["linear"], "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    failed = {c["name"] for c in out["checks"] if not c["passed"]}
    # A straight line cannot bend into the plateau: volume groups and calibration misfit.
    assert "walking_min: all groups (chi-square)" in failed


def test_gp_ranks_above_linear_on_a_strong_plateau(fits, capsys):
    from bayes_walk.cli.main import main

    assert main(["compare", fits["linear"], fits["gp"], fits["no_volume"], "--json"]) == 0
    ranking = json.loads(capsys.readouterr().out)["ranking"]
    assert [r["model"] for r in ranking] == ["gp", "linear", "no_volume"]
    assert ranking[1]["elpd_diff"] > 2.5 * ranking[1]["dse"]
    assert ranking[0]["weight"] > 0.7


def test_ppc_refuses_a_cohort_that_is_not_the_fitted_one(fits, tmp_path, capsys):
    from bayes_walk.cli.main import main
    from bayes_walk.cohort.simulate import simulate_cohort
    from bayes_walk.cohort.store import save_cohort

    other = tmp_path / "other.nc"
    save_cohort(simulate_cohort(n=N, seed=4, keep_daily=False), other)
    assert main(["ppc", fits["gp"], "--data", str(other)]) == 2
    assert "give the cohort file the model was fitted to" in capsys.readouterr().err
