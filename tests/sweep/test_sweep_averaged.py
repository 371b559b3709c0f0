"""The averaged plateau answer per cohort of a sweep, from the tasks' stored pieces."""

import json

import numpy as np
import pandas as pd
import pytest
from _sweep_files import write_sweep  # noqa: I001

from bayes_walk.sweep.averaged import average_group, averaged_table, read_piece, write_piece


def _piece(onset, elpd, probability, remaining=0.0):
    onset = np.asarray(onset, dtype=float)
    return {
        "onset": onset,
        "remaining": np.full(onset.size, remaining),
        "probability": np.float64(probability),
        "elpd_i": np.asarray(elpd, dtype=float),
    }


def test_group_with_known_weights():
    # "a" predicts 150 of 200 participants far better, "b" the other 50: weights 0.75 / 0.25
    ea, eb = np.full(200, -20.0), np.full(200, -20.0)
    ea[:150], eb[150:] = 0.0, 0.0
    a = _piece(np.arange(90.0, 110.0), ea, 1.0, 0.01)
    b = _piece(np.full(40, np.inf), eb, 0.0, 0.2)
    row = average_group(["a", "b"], [a, b])
    w = json.loads(row["weights"])
    assert w["a"] == pytest.approx(0.75, abs=1e-3) and w["b"] == pytest.approx(0.25, abs=1e-3)
    assert row["weights_method"] == "stacking"
    assert row["plateau_probability"] == pytest.approx(0.75, abs=1e-3)
    assert row["onset_median"] == pytest.approx(103.0)
    assert row["onset_lo90"] == pytest.approx(91.0) and row["onset_lo"] == pytest.approx(90.0)
    assert np.isnan(row["onset_hi90"]) and np.isnan(row["onset_hi"])  # "no plateau" mass


def test_group_of_different_cohorts_is_refused():
    a = _piece([100.0], np.zeros(10), 1.0)
    b = _piece([100.0], np.zeros(11), 1.0)
    with pytest.raises(ValueError, match="different numbers of participants"):
        average_group(["a", "b"], [a, b])


def test_table_groups_by_cohort_and_skips_lone_fits(tmp_path):
    e = np.zeros(20)
    recs = []
    for i, (cohort, spec) in enumerate([("c1", "gp"), ("c1", "rcs"), ("c2", "gp")]):
        rel = f"pieces/k{i}.npz"
        write_piece(tmp_path / rel, _piece([100.0, 120.0], e, 0.5))
        recs.append(
            {
                "status": "done",
                "piece_path": rel,
                "cohort": cohort,
                "variant": "main",
                "replicate": 0,
                "spec": spec,
            }
        )
    recs.append({**recs[0], "status": "failed"})
    np.testing.assert_array_equal(read_piece(tmp_path / "pieces/k0.npz")["onset"], [100, 120])
    df = averaged_table(recs, tmp_path)
    assert list(df["cohort"]) == ["c1"] and int(df["n_fits"].iloc[0]) == 2
    assert df["models"].iloc[0] == "gp,rcs"


@pytest.mark.slow
def test_sweep_averaged_equals_the_plateau_command_on_the_same_fits(tmp_path):
    from bayes_walk.answers.averaged import averaged_plateau
    from bayes_walk.results import load_fit
    from bayes_walk.sweep import run_sweep

    sweep = write_sweep(tmp_path, specs='["linear", "rcs"]', seeds="[1]", variants=False)
    # fit files are kept by default: the test averages them the command line's way too
    sweep.write_text(sweep.read_text().replace("[fit]", "[estimands]\naveraged = true\n[fit]"))
    out = tmp_path / "out"
    run_sweep(sweep, out, workers=1, progress=False)
    avg = pd.read_parquet(out / "averaged.parquet")
    assert len(avg) == 1 and set(avg["models"].iloc[0].split(",")) == {"linear", "rcs"}
    res = pd.read_parquet(out / "results.parquet").drop_duplicates("task")
    fits = [load_fit(out / p) for p in res.sort_values("spec")["fit_path"]]
    direct = averaged_plateau(fits, prob=0.95)
    w = json.loads(avg["weights"].iloc[0])
    for f in fits:
        assert w[f.name] == pytest.approx(direct["weights"][f.name], abs=5e-3)
    row = avg.iloc[0]
    assert row["plateau_probability"] == pytest.approx(direct["probability"], abs=5e-3)
    for key, col in (("median", "onset_median"), ("lo", "onset_lo"), ("hi", "onset_hi")):
        expected = direct["onset"][key]
        if expected is None:
            assert np.isnan(row[col])
        else:
            assert row[col] == pytest.approx(expected, abs=2.0)
