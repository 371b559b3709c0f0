"""Every bad-input class: exit 2, a message naming file, column, ids and rule, no --out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from _helpers_cohort import daily_long, participants_frame, write

from bayes_walk.cli.main import main


@pytest.fixture
def tables(tmp_path: Path):
    p = participants_frame(12)
    d = daily_long(list(p["participant_id"]))
    return tmp_path, p, d


def run_import(capsys, tmp: Path, p, d, *extra: str, fmt: str = "hunt", suffix: str = ".csv"):
    pf = write(p, tmp / f"participants{suffix}") if p is not None else tmp / "participants.csv"
    args = ["import", "--participants", str(pf), "--out", str(tmp / "cohort.nc")]
    if d is not None:
        df = write(d, tmp / f"daily{suffix}")
        args += ["--daily", str(df), "--format", fmt]
    code = main([*args, *extra])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    assert "bayes-walk import: error: " in err
    assert not (tmp / "cohort.nc").exists()
    assert not list(tmp.glob(".cohort.nc.*"))  # no temporary left behind
    return err


def test_negative_time(capsys, tables):
    tmp, p, d = tables
    d.loc[(d.participant_id == "P03") & (d.day == 2), "sitting"] = -5
    err = run_import(capsys, tmp, p, d)
    assert "daily.csv" in err and "column 'sitting'" in err
    assert "negative time" in err and "P03" in err


def test_more_than_24h_in_a_day(capsys, tables):
    tmp, p, d = tables
    d.loc[d.participant_id == "P07", "lying"] = 80_000
    err = run_import(capsys, tmp, p, d)
    assert "daily.csv" in err and "86,400" in err and "P07" in err and "lying" in err


def test_non_numeric_values(capsys, tables):
    tmp, p, d = tables
    d["walk_brisk"] = d["walk_brisk"].astype(object)
    d.loc[(d.participant_id == "P05") & (d.day == 1), "walk_brisk"] = "lots"
    err = run_import(capsys, tmp, p, d)
    assert "column 'walk_brisk'" in err and "non-numeric" in err
    assert "'lots'" in err and "P05" in err


def test_non_numeric_age(capsys, tables):
    tmp, p, d = tables
    p["age"] = p["age"].astype(object)
    p.loc[p.participant_id == "P02", "age"] = "forty"
    err = run_import(capsys, tmp, p, d)
    assert "participants.csv" in err and "column 'age'" in err and "P02" in err


def test_outcome_not_binary(capsys, tables):
    tmp, p, d = tables
    p.loc[p.participant_id == "P04", "clbp"] = 2
    err = run_import(capsys, tmp, p, d)
    assert "participants.csv" in err and "column 'clbp'" in err
    assert "0 or 1" in err and "P04" in err


def test_duplicate_ids(capsys, tables):
    tmp, p, d = tables
    p.loc[p.participant_id == "P06", "participant_id"] = "P05"
    err = run_import(capsys, tmp, p, d)
    assert "duplicate participant ids" in err and "P05" in err
    assert "column 'participant_id'" in err


def test_duplicate_day_rows(capsys, tables):
    tmp, p, d = tables
    d.loc[(d.participant_id == "P08") & (d.day == 3), "day"] = 2
    err = run_import(capsys, tmp, p, d)
    assert "more than once" in err and "P08" in err and "column 'day'" in err


def test_unknown_category_label(capsys, tables):
    tmp, p, d = tables
    p.loc[p.participant_id == "P09", "smoking"] = "sometimes"
    err = run_import(capsys, tmp, p, d)
    assert "unknown category" in err and "column 'smoking'" in err
    assert "'sometimes'" in err and "P09" in err and "0-based" in err


def test_unknown_category_code(capsys, tables):
    tmp, p, d = tables
    p["sex"] = np.where(p["sex"] == "female", 0, 1)
    p.loc[p.participant_id == "P10", "sex"] = 2  # 1-based coding would put male at 2
    err = run_import(capsys, tmp, p, d)
    assert "unknown category" in err and "column 'sex'" in err and "P10" in err


def test_no_valid_day_for_anyone(capsys, tables):
    tmp, p, d = tables
    d["lying"] = 0.0
    err = run_import(capsys, tmp, p, d)
    assert "no valid day" in err and "daily.csv" in err and "P01" in err


def test_empty_participants_file(capsys, tmp_path):
    (tmp_path / "participants.csv").write_text("")
    err = run_import(capsys, tmp_path, None, None)
    assert "participants.csv" in err and "empty file" in err


def test_header_only_daily_file(capsys, tables):
    tmp, p, d = tables
    err = run_import(capsys, tmp, p, d.iloc[:0])
    assert "daily.csv" in err and "empty file" in err


def test_minutes_instead_of_seconds(capsys, tables):
    tmp, p, d = tables
    classes = [c for c in d.columns if c not in ("participant_id", "day")]
    d[classes] = (d[classes] / 60).round(1)
    err = run_import(capsys, tmp, p, d)
    assert "look like minutes, not seconds" in err and "daily.csv" in err


def test_required_covariate_missing(capsys, tables):
    tmp, p, d = tables
    err = run_import(capsys, tmp, p.drop(columns=["income"]), d)
    assert "column 'income'" in err and "missing" in err and "participants.csv" in err


def test_user_named_covariate_missing(capsys, tables):
    tmp, p, d = tables
    err = run_import(capsys, tmp, p, d, "--require", "age,sex,bmi")
    assert "column 'bmi'" in err and "covariate column is missing" in err


def test_daily_ids_not_in_participants(capsys, tables):
    tmp, p, d = tables
    d.loc[d.participant_id == "P12", "participant_id"] = "X99"
    err = run_import(capsys, tmp, p, d)
    assert "X99" in err and "not in the participants file" in err and "daily.csv" in err


def test_day_out_of_range(capsys, tables):
    tmp, p, d = tables
    d.loc[(d.participant_id == "P01") & (d.day == 7), "day"] = 8
    err = run_import(capsys, tmp, p, d)
    assert "1 to 7" in err and "P01" in err


def test_missing_participants_file(capsys, tmp_path):
    code = main(
        [
            "import",
            "--participants",
            str(tmp_path / "nope.csv"),
            "--out",
            str(tmp_path / "cohort.nc"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "nope.csv" in err and "file not found" in err
    assert not (tmp_path / "cohort.nc").exists()


def test_participants_only_in_seconds(capsys, tables):
    tmp, p, _ = tables
    p["walking_min"] = 6000.0
    p["walking_mets"] = 3.2
    err = run_import(capsys, tmp, p, None)
    assert "walking_min" in err and "look like seconds" in err


def test_existing_out_left_untouched(capsys, tables):
    tmp, p, d = tables
    (tmp / "cohort.nc").write_bytes(b"old")
    d.loc[0, "sitting"] = -1
    pf, df = write(p, tmp / "participants.csv"), write(d, tmp / "daily.csv")
    code = main(
        ["import", "--participants", str(pf), "--daily", str(df), "--out", str(tmp / "cohort.nc")]
    )
    assert code == 2
    assert (tmp / "cohort.nc").read_bytes() == b"old"


def test_actipass_given_in_seconds(capsys, tables):
    tmp, p, d = tables
    ap = d.rename(
        columns={
            "participant_id": "SubjectID",
            "lying": "Lie",
            "sitting": "Sit",
            "standing": "Stand",
            "walk_slow": "Walk_Slow",
        }
    )
    ap["Walk_Fast"] = ap["walk_moderate"] + ap["walk_brisk"]
    ap["Date"] = "2020-01-0" + ap["day"].astype(str)
    err = run_import(capsys, tmp, p, ap, fmt="actipass")
    assert "86,400" in err and "ActiPASS daily tables are in minutes" in err


def test_nobody_left_after_complete_cases(capsys, tables):
    tmp, p, d = tables
    p["income"] = None
    err = run_import(capsys, tmp, p, d)
    assert "no participant left" in err and "complete covariates" in err
    assert "participants file: 12" in err


def test_unknown_file_type(capsys, tables):
    tmp, p, d = tables
    pf = tmp / "participants.xlsx"
    pf.write_bytes(b"PK\x03\x04 not really excel")
    code = main(["import", "--participants", str(pf), "--out", str(tmp / "cohort.nc")])
    err = capsys.readouterr().err
    assert code == 2 and "unknown file type" in err and "participants.xlsx" in err
    assert not (tmp / "cohort.nc").exists()


def test_corrupt_parquet(capsys, tables):
    tmp, p, d = tables
    pf = tmp / "participants.parquet"
    pf.write_bytes(b"PAR1 garbage garbage")
    code = main(["import", "--participants", str(pf), "--out", str(tmp / "cohort.nc")])
    err = capsys.readouterr().err
    assert code == 2 and "cannot read the table" in err and "participants.parquet" in err
    assert not (tmp / "cohort.nc").exists()


def test_stepcount_negative_minutes(capsys, tables):
    tmp, p, _ = tables
    sc = p[["participant_id"]].assign(Date="2021-01-04", **{"Walk(mins)": 60.0})
    sc.loc[3, "Walk(mins)"] = -2.0
    err = run_import(capsys, tmp, p, sc, fmt="stepcount")
    assert "negative time" in err and "Walk(mins)" in err and "P04" in err
