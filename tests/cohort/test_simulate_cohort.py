"""The simulated cohort: form, reproducibility, marginals, stored truth and the CLI."""

import contextlib
import json

import numpy as np
import pytest
import xarray as xr

from bayes_walk.cli.main import main
from bayes_walk.cohort import schema
from bayes_walk.cohort.derive import derive_exposures
from bayes_walk.cohort.quartiles import quartile_cuts
from bayes_walk.cohort.simulate import simulate_cohort
from bayes_walk.cohort.store import load_cohort
from bayes_walk.cohort.truth import TruthError, parse_truth

PAPER_N = 11194


@pytest.fixture(scope="module")
def paper():
    return simulate_cohort(n=PAPER_N, seed=1)


def test_same_seed_same_cohort_other_seed_differs():
    a = simulate_cohort(n=400, seed=7)
    b = simulate_cohort(n=400, seed=7)
    c = simulate_cohort(n=400, seed=8)
    xr.testing.assert_identical(a, b)
    assert not np.array_equal(a["walking_min"].values, c["walking_min"].values)


def test_cohort_form_matches_the_contract(paper):
    ds = paper
    assert ds.sizes["participant"] == PAPER_N
    assert ds["day"].values.tolist() == list(range(1, 8))
    assert ds["activity"].values.tolist() == list(schema.ACTIVITIES)
    assert ds["activity_seconds"].dims == ("participant", "day", "activity")
    assert ds["activity_seconds"].dtype == np.float64
    assert ds["valid_day"].dims == ("participant", "day") and ds["valid_day"].dtype == bool
    for v in ("daily_walking_min", "daily_walking_mets"):
        assert ds[v].dims == ("participant", "day")
    for v in ("valid_days", "walking_min", "walking_mets", "clbp", "followup_years", "age"):
        assert ds[v].dims == ("participant",)
    assert ds["clbp"].dtype == np.int8 and set(np.unique(ds["clbp"])) == {0, 1}
    assert isinstance(ds["participant"].values[0], str)
    assert ds["participant"].to_index().is_unique
    levels = schema.paper_levels()
    for name, lv in levels.items():
        assert schema.levels_of(ds, name) == lv
        assert ds[name].values.min() >= 0  # complete cases only
    assert schema.is_categorical(ds, "municipality")
    assert len(schema.levels_of(ds, "municipality")) == 20
    for key in ("source", "units", "class_mets", "inclusion_flow", "created_by", "truth",
                "reference", "true_coefficients"):  # fmt: skip
        assert key in ds.attrs
    assert json.loads(ds.attrs["reference"]) == {"walking_min": 78.0, "walking_mets": 3.0}


def test_raw_days_obey_the_rules_and_rederive_identically(paper):
    secs = paper["activity_seconds"].values
    finite = np.isfinite(secs)
    assert (secs[finite] >= 0).all()
    day_total = np.nansum(secs, axis=-1)
    assert (day_total <= 86_400).all()
    assert np.all(secs[finite] == np.round(secs[finite]))  # whole seconds
    # some days missing, some recorded days invalid by the valid-day rule
    recorded = finite.all(axis=-1)
    assert 0.05 < 1 - recorded.mean() < 0.3
    invalid = recorded & ~paper["valid_day"].values
    assert 0.005 < invalid.sum() / recorded.sum() < 0.06
    again = derive_exposures(paper[["activity_seconds"]])
    np.testing.assert_array_equal(again["walking_min"].values, paper["walking_min"].values)
    np.testing.assert_array_equal(again["valid_days"].values, paper["valid_days"].values)


def test_paper_marginals(paper):
    ref = schema.reference()["cohort"]
    assert paper["valid_days"].mean() == pytest.approx(5.7, abs=0.15)
    assert paper["valid_days"].min() >= 1 and paper["valid_days"].max() == 7
    assert float(paper["clbp"].mean()) == pytest.approx(0.148, abs=0.01)
    np.testing.assert_allclose(quartile_cuts(paper["walking_min"].values), [78, 100, 124], atol=3)
    np.testing.assert_allclose(
        quartile_cuts(paper["walking_mets"].values), [3.0, 3.11, 3.26], atol=0.03
    )
    age = paper["age"].values
    assert age.mean() == pytest.approx(ref["age_mean"], abs=0.6)
    assert age.std() == pytest.approx(ref["age_sd"], abs=0.6)
    assert age.min() >= 20
    women = float((paper["sex"].values == 0).mean())
    assert women == pytest.approx(ref["female_fraction"], abs=0.015)
    assert paper["followup_years"].mean() == pytest.approx(4.2, abs=0.05)
    r = np.corrcoef(paper["walking_min"], paper["walking_mets"])[0, 1]
    assert 0.2 < r < 0.4  # positively correlated (docs/simulator.md gives the value)


def test_covariate_associations_are_plausible(paper):
    age = paper["age"].values
    emp = paper["employment"].values
    assert emp[age >= 70].mean() > 0.8 > 0.2 > emp[age < 50].mean()  # retirement
    edu = paper["education"].values
    assert edu[age < 40].mean() > edu[age >= 70].mean()  # younger are better educated
    mets = paper["walking_mets"].values
    assert mets[age < 40].mean() > mets[age >= 70].mean()  # pace falls with age


def test_inclusion_flow_counts_the_cohort(paper):
    flow = schema.inclusion_flow(paper)
    steps = [s for s, _ in flow]
    counts = [n for _, n in flow]
    assert steps == ["simulated", ">= 1 valid day", "complete covariates"]
    assert counts[-1] == PAPER_N
    assert counts[0] > counts[1] > counts[2]


def test_truth_is_stored_on_fine_grids(paper):
    vol = paper["true_logrr_walking_min"]
    assert vol.dims == ("truth_walking_min",)
    assert vol.sel(truth_walking_min=78.0).item() == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(
        vol.values, parse_truth("paper").volume.logrr(vol["truth_walking_min"].values)
    )
    mets = paper["true_logrr_walking_mets"]
    assert mets.sel(truth_walking_mets=3.0).item() == pytest.approx(0.0, abs=1e-12)
    x = paper["walking_min"].values
    assert vol["truth_walking_min"].min() <= x.min() and vol["truth_walking_min"].max() >= x.max()
    coef = json.loads(paper.attrs["true_coefficients"])
    assert {"intercept", "age", "sex", "municipality", "curves"} <= set(coef)
    assert paper.attrs["truth"] == "paper"


def test_outcome_follows_the_stored_truth_null_vs_linear():
    # Same seed, same people: under null the crude risk does not fall with volume,
    # under linear it does (strongly).
    null = simulate_cohort(n=20000, seed=3, truth="null", keep_daily=False)
    lin = simulate_cohort(n=20000, seed=3, truth="linear", keep_daily=False)
    np.testing.assert_array_equal(null["walking_min"].values, lin["walking_min"].values)
    assert lin.attrs["truth"] == "linear"
    assert np.all(null["true_logrr_walking_min"].values == 0)
    for ds, lo, hi in ((null, 0.85, 1.2), (lin, 0.3, 0.7)):
        x = ds["walking_min"].values
        y = ds["clbp"].values
        ratio = y[x > np.quantile(x, 0.75)].mean() / y[x < np.quantile(x, 0.25)].mean()
        assert lo < ratio < hi
        assert float(y.mean()) == pytest.approx(0.148, abs=0.012)


def test_keep_daily_false_gives_the_same_cohort_without_daily_arrays():
    full = simulate_cohort(n=1500, seed=4)
    lean = simulate_cohort(n=1500, seed=4, keep_daily=False)
    assert "activity_seconds" not in lean and "valid_day" not in lean
    for v in ("walking_min", "walking_mets", "valid_days", "clbp", "age", "education"):
        np.testing.assert_array_equal(full[v].values, lean[v].values)
    assert schema.inclusion_flow(full) == schema.inclusion_flow(lean)


def test_stratified_truth_carries_a_stratum_dim():
    ds = simulate_cohort(
        n=800, seed=2, stratum_truths={"female": "plateau:80", "male": "linear"}, stratify_by="sex"
    )
    vol = ds["true_logrr_walking_min"]
    assert vol.dims == ("stratum", "truth_walking_min")
    assert vol.attrs["curve_by"] == "sex"
    assert vol["stratum"].values.tolist() == ["female", "male"]
    fem = vol.sel(stratum="female").values
    grid = vol["truth_walking_min"].values
    assert np.all(fem[grid >= 80] == fem[grid == 80])
    male = vol.sel(stratum="male").values
    np.testing.assert_allclose(np.diff(male), np.diff(male)[0], rtol=1e-9)
    assert json.loads(ds.attrs["true_coefficients"])["curves"]["stratify_by"] == "sex"


def test_bad_stratification_is_a_user_error():
    with pytest.raises(TruthError, match="unknown level"):
        simulate_cohort(n=50, stratum_truths={"woman": "linear"})
    with pytest.raises(TruthError, match="stratify_by"):
        simulate_cohort(n=50, stratum_truths={"x": "linear"}, stratify_by="bmi")
    with pytest.raises(TruthError, match="n must be"):
        simulate_cohort(n=0)


def test_cli_simulate_writes_a_loadable_cohort(tmp_path, capsys):
    out = tmp_path / "c.nc"
    assert (
        main(["simulate", "--n", "300", "--seed", "2", "--truth", "plateau:100", "--out", str(out)])
        == 0
    )
    ds = load_cohort(out)
    assert ds.sizes["participant"] == 300
    assert ds.attrs["truth"] == "plateau:100"
    xr.testing.assert_allclose(
        ds["walking_min"], simulate_cohort(n=300, seed=2, truth="plateau:100")["walking_min"]
    )
    assert schema.levels_of(ds, "education") == schema.paper_levels()["education"]
    assert "wrote" in capsys.readouterr().err


@pytest.mark.parametrize("truth", ["plateau:x", "wiggly", "plateau:1000"])
def test_cli_bad_truth_exits_2_and_writes_nothing(tmp_path, capsys, truth):
    out = tmp_path / "c.nc"
    assert main(["simulate", "--truth", truth, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("bayes-walk simulate: error:") and "truth" in err
    assert "Traceback" not in err
    assert not out.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--n", "0"], "--n must be"),
        (["--seed", "-1"], "--seed must be"),
        (["--n", "ten"], "invalid int"),
    ],
)
def test_cli_bad_numbers_exit_2_and_write_nothing(tmp_path, capsys, argv, needle):
    out = tmp_path / "c.nc"
    with pytest.raises(SystemExit) if needle == "invalid int" else contextlib.nullcontext():
        code = main(["simulate", *argv, "--out", str(out)])
        assert code == 2
    assert needle in capsys.readouterr().err
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_cli_out_is_a_directory(tmp_path, capsys):
    assert main(["simulate", "--n", "10", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "is a directory" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []
