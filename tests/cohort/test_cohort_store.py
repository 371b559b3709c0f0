"""Cohort NetCDF round trip and clear errors on unreadable files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from _helpers_cohort import daily_long, participants_frame, write

from bayes_walk.cli.main import main
from bayes_walk.cohort import schema
from bayes_walk.cohort.adapters import import_cohort
from bayes_walk.cohort.describe import describe_cohort
from bayes_walk.cohort.store import load_cohort, save_cohort
from bayes_walk.errors import CohortError


@pytest.fixture
def cohort(tmp_path: Path) -> xr.Dataset:
    p = participants_frame(15)
    p.loc[2, "participant_id"] = "007"  # leading zeros must survive
    p.loc[4, "income"] = None  # excluded by complete cases
    d = daily_long(list(p["participant_id"]), days=5)
    return import_cohort(write(p, tmp_path / "p.csv"), write(d, tmp_path / "d.csv"), "hunt")


def test_round_trip_loses_nothing(tmp_path: Path, cohort: xr.Dataset):
    path = save_cohort(cohort, tmp_path / "c.nc")
    back = load_cohort(path)
    xr.testing.assert_identical(back, cohort)
    for name in cohort.variables:
        assert back[name].dtype == cohort[name].dtype, name
        assert back[name].attrs == cohort[name].attrs, name
    assert back.attrs == cohort.attrs
    assert all(isinstance(i, str) for i in back["participant"].values)
    assert "007" in back["participant"].values
    assert schema.levels_of(back, "education") == schema.paper_levels()["education"]
    assert back["valid_day"].dtype == bool
    assert back["clbp"].dtype == np.int8
    flow = schema.inclusion_flow(back)
    assert flow[0] == ("participants file", 15) and flow[-1][1] == 14
    assert back.sizes["participant"] == 14


def test_activity_seconds_not_decoded_as_timedelta(tmp_path: Path, cohort: xr.Dataset):
    cohort["activity_seconds"].attrs["units"] = "seconds"
    back = load_cohort(save_cohort(cohort, tmp_path / "c.nc"))
    assert back["activity_seconds"].dtype == np.float64


def test_save_is_atomic_on_failure(tmp_path: Path, cohort: xr.Dataset):
    target = tmp_path / "c.nc"
    target.write_bytes(b"previous")
    bad = cohort.assign_attrs(bad={"nested": "dict"})  # NetCDF attrs cannot hold a dict
    with pytest.raises(Exception):  # noqa: B017 - any writer error
        save_cohort(bad, target)
    assert target.read_bytes() == b"previous"
    assert not list(tmp_path.glob(".c.nc.*"))


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (None, "file not found"),
        (b"", "empty file"),
        (b"this is not netcdf at all" * 10, "corrupt or truncated"),
        ("truncated", "corrupt or truncated"),
    ],
)
def test_unreadable_files(tmp_path: Path, cohort: xr.Dataset, capsys, content, rule):
    path = tmp_path / "c.nc"
    if content == "truncated":
        save_cohort(cohort, path)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(CohortError, match=rule) as exc:
        load_cohort(path)
    assert str(path) in str(exc.value)
    code = main(["describe", str(path), "--json"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert rule in err and str(path) in err and "Traceback" not in err


def test_netcdf_that_is_not_a_cohort(tmp_path: Path, capsys):
    path = tmp_path / "other.nc"
    xr.Dataset({"x": ("t", np.arange(3.0))}).to_netcdf(path, engine="h5netcdf")
    with pytest.raises(CohortError, match="not a bayes_walk cohort"):
        load_cohort(path)
    assert main(["describe", str(path)]) == 2
    assert "not a bayes_walk cohort" in capsys.readouterr().err


def test_describe_json(tmp_path: Path, cohort: xr.Dataset, capsys):
    path = save_cohort(cohort, tmp_path / "c.nc")
    assert main(["describe", str(path), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["n"] == 14
    assert set(d["quartile_cuts"]) == {"walking_min", "walking_mets"}
    assert len(d["quartile_cuts"]["walking_min"]) == 3
    assert [s["step"] for s in d["inclusion_flow"]][0] == "participants file"
    assert sum(c["n"] for c in d["table1"]["columns"][:-1]) == 14


def test_simulated_cohort_round_trip(tmp_path: Path):
    from bayes_walk.cohort.simulate import simulate_cohort

    sim = simulate_cohort(n=300, seed=3)
    back = load_cohort(save_cohort(sim, tmp_path / "sim.nc"))
    xr.testing.assert_identical(back, sim.assign_attrs(created_by=back.attrs["created_by"]))
    assert schema.inclusion_flow(back) == schema.inclusion_flow(sim)
    d = describe_cohort(back)
    assert d["n"] == 300 and len(d["table1"]["columns"]) == 5
