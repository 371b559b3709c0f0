"""Inputs that used to slip through: each is refused with exit 2 and a message naming the
file, column, row or rule (or, for a CSV dialect, read correctly), and nothing written."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _helpers_faults import participants_only

from bayes_walk.cli.main import main
from bayes_walk.cohort.adapters import import_cohort


def _run(capsys, *argv) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    err = capsys.readouterr().err
    assert "Traceback" not in err and "np.float64" not in err and "np.int64" not in err
    return code, err


def _import(tmp_path, capsys, table_path, *extra) -> tuple[int, str]:
    out = tmp_path / "cohort.nc"
    code, err = _run(
        capsys, "import", "--participants", table_path, "--require", "", "--out", out, *extra
    )
    if code != 0:
        assert not out.exists()
    return code, err


def test_adjust_containing_the_outcome(tmp_path, capsys, cohort_nc):
    spec = tmp_path / "bad.toml"
    spec.write_text(
        'name = "bad"\noutcome = "clbp"\nadjust = ["age", "clbp"]\n'
        '[exposures.walking_min]\nform = "linear"\nreference = 78\n'
    )
    out = tmp_path / "fit.nc"
    code, err = _run(capsys, "fit", spec, "--data", cohort_nc, "--out", out)
    assert code == 2 and "'clbp' is listed in 'adjust'" in err and str(spec) in err
    assert not out.exists()


def test_duplicated_header(tmp_path, capsys):
    df = participants_only(20)
    path = tmp_path / "p.csv"
    text = df.to_csv(index=False).splitlines()
    text[0] += ",walking_min"
    text[1:] = [line + ",12" for line in text[1:]]
    path.write_text("\n".join(text) + "\n")
    code, err = _import(tmp_path, capsys, path)
    assert code == 2 and "column 'walking_min'" in err and "2 times" in err and str(path) in err


@pytest.mark.parametrize("mets", ["nan,3,4", "2.8,3.8,inf", "0,3.8,4.8", "-1,3,4"])
def test_class_mets_must_be_finite_and_positive(tmp_path, capsys, mets):
    path = tmp_path / "p.csv"
    participants_only(20).to_csv(path, index=False)
    code, err = _import(tmp_path, capsys, path, f"--class-mets={mets}")
    assert code == 2 and "--class-mets" in err and "finite positive" in err


def test_parquet_column_of_lists(tmp_path, capsys):
    df = participants_only(20)
    df["age"] = [[float(a), 1.0] for a in df["age"]]
    path = tmp_path / "p.parquet"
    df.to_parquet(path, index=False)
    code, err = _import(tmp_path, capsys, path)
    assert code == 2 and "column 'age'" in err and "lists or arrays" in err


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--near", "nan"], "not a finite number"),
        (["--near", "inf"], "not a finite number"),
        (["--near", "-5"], "must be >= 0"),
        (["--within", "0"], "must be > 0"),
        (["--within", "-1"], "must be > 0"),
    ],
)
@pytest.mark.parametrize("cmd", ["plateau", "report"])
def test_plateau_numbers_checked_by_argparse(tmp_path, capsys, cmd, argv, needle):
    extra = ["--out", str(tmp_path / "r")] if cmd == "report" else ["--json"]
    with pytest.raises(SystemExit) as exc:
        main([cmd, str(tmp_path / "fit.nc"), *extra, *(f"{k}={v}" for k, v in [argv])])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("events", ["none", "all"])
def test_zero_or_all_events_refused_at_fit(tmp_path, capsys, cohort_nc, events):
    from bayes_walk.cohort.store import load_cohort, save_cohort

    ds = load_cohort(cohort_nc)
    ds["clbp"] = ds["clbp"] * 0 + (1 if events == "all" else 0)
    path = save_cohort(ds, tmp_path / "c.nc")
    out = tmp_path / "fit.nc"
    code, err = _run(capsys, "fit", "linear", "--data", path, "--out", out)
    which = "no participant has" if events == "none" else "every participant has"
    assert code == 2 and which in err and "'clbp'" in err
    assert not out.exists()


def test_semicolon_and_decimal_comma_csv_read_correctly(tmp_path):
    df = participants_only(30)
    plain = tmp_path / "plain.csv"
    df.to_csv(plain, index=False)
    euro = tmp_path / "euro.csv"
    df.to_csv(euro, index=False, sep=";", decimal=",")
    assert "," in euro.read_text().splitlines()[1]  # decimal commas really are there
    a = import_cohort(plain, None, "participants", required_covariates=())
    b = import_cohort(euro, None, "participants", required_covariates=())
    for var in ("walking_min", "walking_mets", "age", "clbp"):
        np.testing.assert_array_equal(a[var].values, b[var].values)


def test_semicolon_csv_without_decimal_commas(tmp_path):
    df = participants_only(10).round(0)
    path = tmp_path / "semi.csv"
    df.to_csv(path, index=False, sep=";")
    ds = import_cohort(path, None, "participants", required_covariates=())
    np.testing.assert_array_equal(ds["walking_min"].values, df["walking_min"].values)


def test_non_utf8_bytes_named_with_row_column_and_rule(tmp_path, capsys):
    df = participants_only(10)
    df["municipality"] = "Oslo"
    df.loc[3, "municipality"] = "Tromsø"
    path = tmp_path / "latin1.csv"
    df.to_csv(path, index=False, encoding="latin-1")
    code, err = _import(tmp_path, capsys, path)
    assert code == 2
    for needle in (str(path), "column 'municipality'", "data row 4", "byte offset", "UTF-8"):
        assert needle in err, (needle, err)


def test_numpy_reprs_do_not_leak(tmp_path, capsys):
    df = participants_only(10)
    df["clbp"] = df["clbp"].astype(float)
    df.loc[2, "clbp"] = 2.0
    path = tmp_path / "p.csv"
    df.to_csv(path, index=False)
    code, err = _import(tmp_path, capsys, path)
    assert code == 2 and "found 2)" in err and "np." not in err


def test_show_value():
    from bayes_walk.errors import show_value

    assert show_value(np.float64(2.0)) == "2"
    assert show_value(np.float64(2.5)) == "2.5"
    assert show_value(np.int64(7)) == "7"
    assert show_value(np.str_("x")) == "'x'"
    assert show_value(float("nan")) == "nan"
    assert show_value(pd.NA) == "<NA>"


def test_gp_habit_on_a_cohort_without_daily_data(tmp_path, capsys, cohort_nc):
    """The shipped measurement-error spec on a participants-only cohort: exit 2, the
    message names the option and the missing series, nothing written."""
    from bayes_walk.cohort.store import load_cohort, save_cohort

    ds = load_cohort(cohort_nc)
    daily = [v for v in ds.data_vars if v.startswith("daily_") or v == "valid_day"]
    assert "daily_walking_min" in daily
    path = save_cohort(ds.drop_vars(daily), tmp_path / "c.nc")
    out = tmp_path / "fit.nc"
    code, err = _run(capsys, "fit", "gp_habit", "--data", path, "--out", out)
    assert code == 2 and "measurement" in err and "daily_walking_min" in err, err
    assert not out.exists()
