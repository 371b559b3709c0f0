"""Adapters on small hand-made files; derivation checked against hand-computed values."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _helpers_cohort import daily_long, participants_frame, write

from bayes_walk.cli.main import main
from bayes_walk.cohort import schema
from bayes_walk.cohort.adapters import import_cohort
from bayes_walk.cohort.store import load_cohort

COLS = ["lying", "sitting", "standing", "walk_slow", "walk_moderate", "walk_brisk"]


def hand_participants() -> pd.DataFrame:
    """A..F; D lacks the outcome, E lacks education."""
    p = participants_frame(6)
    p["participant_id"] = list("ABCDEF")
    p["clbp"] = [1, 0, 0, np.nan, 1, 0]
    p.loc[4, "education"] = None
    return p


def hand_daily() -> pd.DataFrame:
    rows = [
        # A: day 1 slow 600 s; day 2 moderate 1200 + brisk 600; day 3 no lying -> invalid
        ("A", 1, 100, 100, 100, 600, 0, 0),
        ("A", 2, 100, 100, 100, 0, 1200, 600),
        ("A", 3, 0, 100, 100, 1000, 0, 0),
        # B: never standing -> no valid day
        ("B", 1, 100, 100, 0, 600, 0, 0),
        # C: no rows at all
        ("D", 1, 100, 100, 100, 600, 0, 0),
        ("E", 1, 100, 100, 100, 600, 0, 0),
        ("F", 5, 100, 100, 100, 0, 0, 1200),
    ]
    df = pd.DataFrame(rows, columns=["participant_id", "day", *COLS])
    df[COLS] = df[COLS] * 20.0  # realistic magnitudes so totals are clearly seconds
    df[["lying", "sitting", "standing"]] *= 5.0
    return df


def expected_checks(ds) -> None:
    assert list(ds["participant"].values) == ["A", "F"]
    a = ds.sel(participant="A")
    # A: valid days 1 and 2; walk 12,000 s and 36,000 s (after x20) -> 200 and 600 min
    assert int(a["valid_days"]) == 2
    assert a["valid_day"].values.tolist() == [True, True, False, False, False, False, False]
    assert float(a["walking_min"]) == pytest.approx((200 + 600) / 2)
    # (12000*2.8 + 24000*3.8 + 12000*4.8) / 48000 = 3.8
    assert float(a["walking_mets"]) == pytest.approx(3.8)
    assert float(a["daily_walking_mets"].sel(day=2)) == pytest.approx((2 * 3.8 + 4.8) / 3)
    f = ds.sel(participant="F")
    assert float(f["walking_mets"]) == pytest.approx(4.8)
    assert float(f["walking_min"]) == pytest.approx(400.0)
    assert int(f["valid_days"]) == 1
    flow = schema.inclusion_flow(ds)
    assert [n for _, n in flow] == [6, 5, 4, 3, 2]
    assert flow[2][0] == "with accelerometer data" and flow[3][0] == ">= 1 valid day"
    assert flow[4][0].startswith("complete covariates (age, sex, education")


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_hunt_long_hand_computed(tmp_path: Path, suffix: str):
    pf = write(hand_participants(), tmp_path / f"p{suffix}")
    df = write(hand_daily(), tmp_path / f"d{suffix}")
    ds = import_cohort(pf, df, "hunt")
    expected_checks(ds)
    assert "no 'running' column" in ds.attrs["notes"]
    assert float(ds["activity_seconds"].sel(participant="A", day=1, activity="running")) == 0.0
    assert np.isnan(ds["activity_seconds"].sel(participant="A", day=4)).all()


def to_wide(daily: pd.DataFrame) -> pd.DataFrame:
    wide = daily.pivot(index="participant_id", columns="day", values=COLS)
    wide.columns = [f"{cls}_D{day}" for cls, day in wide.columns]
    return wide.reset_index()


def test_hunt_wide_in_daily_file_and_in_participants_file(tmp_path: Path):
    p = hand_participants()
    wide = to_wide(hand_daily())
    ds1 = import_cohort(write(p, tmp_path / "p.csv"), write(wide, tmp_path / "w.csv"), "hunt")
    expected_checks(ds1)
    both = p.merge(wide, on="participant_id", how="left")
    ds2 = import_cohort(write(both, tmp_path / "pw.csv"), None, "hunt")
    expected_checks(ds2)
    assert not any(c.endswith("_D1") for c in json.loads(ds2.attrs["covariates"]))


def test_dates_instead_of_day_numbers(tmp_path: Path):
    d = hand_daily()
    d["day"] = pd.to_datetime("2018-03-01") + pd.to_timedelta(d["day"] - 1, unit="D")
    d["day"] = d["day"].dt.strftime("%Y-%m-%d")
    ds = import_cohort(write(hand_participants(), tmp_path / "p.csv"), write(d, tmp_path / "d.csv"))
    a = ds.sel(participant="A")
    assert float(a["walking_min"]) == pytest.approx(400.0)
    # F's only day is its first calendar day
    assert bool(ds.sel(participant="F", day=1)["valid_day"])


def test_actimotus_exposures(tmp_path: Path):
    d = hand_daily()
    am = pd.DataFrame(
        {
            "participant_id": d["participant_id"],
            "datetime": pd.to_datetime("2024-09-02 00:00:00+02:00")
            + pd.to_timedelta(d["day"] - 1, unit="D"),
            "valid": True,
            "lie": pd.to_timedelta(d["lying"], unit="s"),
            # sitting is split into sit + kneel; standing into stand + shuffle + squat
            "sit": pd.to_timedelta(d["sitting"] - 50, unit="s"),
            "kneel": pd.to_timedelta(np.full(len(d), 50.0), unit="s"),
            "squat": pd.to_timedelta(np.zeros(len(d)), unit="s"),
            "stand": pd.to_timedelta(d["standing"] / 2, unit="s"),
            "shuffle": pd.to_timedelta(d["standing"] / 2, unit="s"),
            "slow-walk": pd.to_timedelta(d["walk_slow"], unit="s"),
            "walk": pd.to_timedelta(d["walk_moderate"], unit="s"),
            "fast-walk": pd.to_timedelta(d["walk_brisk"], unit="s"),
            "run": pd.to_timedelta(np.full(len(d), 30.0), unit="s"),
            "stairs": pd.to_timedelta(np.full(len(d), 99.0), unit="s"),
            "bicycle": pd.to_timedelta(np.full(len(d), 600.0), unit="s"),
        }
    )
    pf = write(hand_participants(), tmp_path / "p.csv")
    for path in (tmp_path / "am.parquet", tmp_path / "am.csv"):  # timedelta, then its text
        ds = import_cohort(pf, write(am, path), "actimotus")
        expected_checks(ds)
        a1 = ds["activity_seconds"].sel(participant="A", day=1)
        assert float(a1.sel(activity="sitting")) == pytest.approx(10000.0)
        assert float(a1.sel(activity="cycling")) == pytest.approx(600.0)
        assert ds.attrs["source"] == "actimotus"


def test_actimotus_two_pace_table_refused(tmp_path: Path):
    d = pd.DataFrame(
        {"participant_id": ["A"], "day": [1], "lie": [1.0], "sit": [1.0], "stand": [1.0]}
    )
    d["walk"], d["fast-walk"] = 100.0, 50.0
    code = main(
        [
            "import",
            "--participants",
            str(write(hand_participants(), tmp_path / "p.csv")),
            "--daily",
            str(write(d, tmp_path / "am.csv")),
            "--format",
            "actimotus",
            "--out",
            str(tmp_path / "c.nc"),
        ]
    )
    assert code == 2 and not (tmp_path / "c.nc").exists()


def test_actipass_minutes(tmp_path: Path):
    d = hand_daily()
    ap = pd.DataFrame(
        {
            "SubjectID": d["participant_id"],
            "Date": (pd.to_datetime("2019-05-06") + pd.to_timedelta(d["day"] - 1, unit="D")).astype(
                str
            ),
            "Day_QC": "OK",
            "Lie": d["lying"] / 60,
            "Sit": d["sitting"] / 60,
            "Stand": d["standing"] / 60 - 1,
            "Move": 1.0,
            "Walk_Slow": d["walk_slow"] / 60,
            "Walk_Fast": (d["walk_moderate"] + d["walk_brisk"]) / 60,
            "Run": 0.5,
            "Cycle": 10.0,
            "Stair": 2.0,
        }
    )
    extra = ap.iloc[[0]].assign(Date="2019-05-05", Day_QC="NotOK", Lie=1000.0)
    ap = pd.concat([extra, ap], ignore_index=True)  # a bad day first: dropped, not counted
    ds = import_cohort(
        write(hand_participants(), tmp_path / "p.csv"), write(ap, tmp_path / "ap.csv"), "actipass"
    )
    a = ds.sel(participant="A")
    assert float(a["walking_min"]) == pytest.approx(400.0)
    # Walk_Fast counts as moderate: (12000*2.8 + 36000*3.8) / 48000
    assert float(a["walking_mets"]) == pytest.approx((12000 * 2.8 + 36000 * 3.8) / 48000)
    assert float(
        ds["activity_seconds"].sel(participant="A", day=1, activity="standing")
    ) == pytest.approx(10000.0)
    assert "Day_QC NotOK dropped" in ds.attrs["notes"]
    brisk = import_cohort(
        tmp_path / "p.csv", tmp_path / "ap.csv", "actipass", fast_walk_as="walk_brisk"
    )
    assert float(brisk.sel(participant="F")["walking_mets"]) == pytest.approx(4.8)


def test_stepcount_without_and_with_cadence(tmp_path: Path):
    sc = pd.DataFrame(
        {
            "participant_id": ["A", "A", "A", "B", "F"],
            "Filename": "x.cwa",
            "Date": ["2021-01-04", "2021-01-05", "2021-01-06", "2021-01-04", "2021-01-04"],
            "Walk(mins)": [60.0, 120.0, np.nan, 0.0, 90.0],
            "Steps": [5400.0, 13200.0, np.nan, 0.0, 11250.0],
            "CadencePeak30(steps/min)": [120.0, 125.0, np.nan, np.nan, 130.0],
        }
    )
    p = hand_participants()
    p.loc[1, "clbp"] = 0
    pf = write(p, tmp_path / "p.csv")
    sf = write(sc, tmp_path / "Daily.csv")
    ds = import_cohort(pf, sf, "stepcount")
    assert "activity_seconds" not in ds
    assert float(ds.sel(participant="A")["walking_min"]) == pytest.approx(90.0)
    assert int(ds.sel(participant="A")["valid_days"]) == 2
    assert np.isnan(ds["walking_mets"]).all()
    assert "walking intensity (walking_mets) is not available" in ds.attrs["notes"]
    assert "B" not in ds["participant"].values  # 0 walking minutes: no valid day
    # cadence = Steps / Walk(mins): A 90 (slow) and 110 (moderate) spm; F 125 (brisk)
    ds2 = import_cohort(pf, sf, "stepcount", cadence="steps")
    assert float(ds2.sel(participant="A")["walking_mets"]) == pytest.approx(
        (60 * 2.8 + 120 * 3.8) / 180
    )
    assert float(ds2.sel(participant="F")["walking_mets"]) == pytest.approx(4.8)


def test_participants_only(tmp_path: Path):
    p = participants_frame(8)
    p["walking_min"] = [50.0, 80, 100, 120, np.nan, 90, 110, 130]
    p["walking_mets"] = [3.0, 3.1, 3.2, 3.3, 3.1, 3.0, 2.9, 3.4]
    p["valid_days"] = [7, 6, 5, 7, 0, 4, 3, 7]
    ds = import_cohort(write(p, tmp_path / "p.parquet"), None)
    assert ds.attrs["source"] == "participants"
    assert "activity_seconds" not in ds
    assert ds.sizes["participant"] == 7
    assert ds["walking_min"].values.tolist() == [50.0, 80, 100, 120, 90, 110, 130]
    assert ds["valid_days"].dtype == np.int16
    assert [n for _, n in schema.inclusion_flow(ds)] == [8, 8, 7, 7]


def test_integer_codes_and_labels(tmp_path: Path):
    p = participants_frame(6)
    levels = schema.paper_levels()
    p["education"] = [0, 5, 2, 1, 3, 4]  # 0-based codes
    p["sex"] = ["Female", " male", "female", "MALE", "female", "male"]  # labels, any case
    p["depression"] = [0, 1, 0, 1, np.nan, 0]
    p["bmi"] = [22.5, 30.1, 25.0, np.nan, 27.3, 24.0]
    p["region"] = ["north", "south", "north", "east", None, "south"]
    d = daily_long(list(p["participant_id"]))
    ds = import_cohort(
        write(p, tmp_path / "p.csv"), write(d, tmp_path / "d.csv"), required_covariates=["age"]
    )
    edu = schema.get_categorical(ds, "education")
    assert list(edu) == [levels["education"][i] for i in [0, 5, 2, 1, 3, 4]]
    assert list(schema.get_categorical(ds, "sex")) == ["female", "male"] * 3
    dep = schema.get_categorical(ds, "depression")
    assert pd.isna(dep[4]) and dep[1] == "yes"
    assert ds["bmi"].dtype == np.float64 and np.isnan(ds["bmi"].values[3])
    assert schema.levels_of(ds, "region") == ["east", "north", "south"]
    assert schema.levels_of(ds, "municipality") == ["5001", "5006", "5025"]
    assert ds["region"].values[4] == -1


def test_import_cli_writes_cohort(tmp_path: Path, capsys):
    p = participants_frame(10)
    d = daily_long(list(p["participant_id"]))
    out = tmp_path / "cohort.nc"
    code = main(
        [
            "import",
            "--participants",
            str(write(p, tmp_path / "p.csv")),
            "--daily",
            str(write(d, tmp_path / "d.csv")),
            "--out",
            str(out),
            "--class-mets",
            "3,4,5",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0 and captured.out == ""
    assert "participants file" in captured.err
    ds = load_cohort(out)
    assert json.loads(ds.attrs["class_mets"]) == {
        "walk_slow": 3.0,
        "walk_moderate": 4.0,
        "walk_brisk": 5.0,
    }
    assert ds.sizes["participant"] == 10
