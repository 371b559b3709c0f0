"""Exposure derivation on hand-computed examples (the paper's valid-day rule)."""

import json

import numpy as np
import pytest
import xarray as xr

from bayes_walk.cohort.derive import derive_exposures
from bayes_walk.cohort.schema import ACTIVITIES


def _cohort(days: list[list[dict[str, float]]]) -> xr.Dataset:
    arr = np.full((len(days), 7, len(ACTIVITIES)), np.nan)
    for p, person in enumerate(days):
        for d, day in enumerate(person):
            arr[p, d] = [day.get(a, 0.0) for a in ACTIVITIES]
    return xr.Dataset(
        {"activity_seconds": (("participant", "day", "activity"), arr)},
        coords={
            "participant": [f"p{i}" for i in range(len(days))],
            "day": np.arange(1, 8),
            "activity": list(ACTIVITIES),
        },
    )


BASE = {"lying": 28000.0, "sitting": 30000.0, "standing": 10000.0}


def test_walking_minutes_and_mets_are_time_weighted_over_valid_days():
    day1 = {**BASE, "walk_slow": 3600.0, "walk_moderate": 1800.0}  # 90 min
    day2 = {**BASE, "walk_brisk": 1800.0}  # 30 min
    out = derive_exposures(_cohort([[day1, day2]]))
    assert out["valid_days"].item() == 2
    assert out["walking_min"].item() == pytest.approx(60.0)
    expected_mets = (3600 * 2.8 + 1800 * 3.8 + 1800 * 4.8) / 7200
    assert out["walking_mets"].item() == pytest.approx(expected_mets)
    assert out["daily_walking_min"].sel(day=1).item() == pytest.approx(90.0)
    assert np.isnan(out["daily_walking_min"].sel(day=3).item())


def test_day_without_lying_or_walking_is_not_valid():
    good = {**BASE, "walk_slow": 600.0}
    no_lying = {**BASE, "lying": 0.0, "walk_slow": 6000.0}
    no_walking = dict(BASE)
    out = derive_exposures(_cohort([[good, no_lying, no_walking]]))
    assert out["valid_day"].sel(participant="p0").values[:3].tolist() == [True, False, False]
    assert out["walking_min"].item() == pytest.approx(10.0)


def test_participant_without_valid_day_gets_nan_exposures():
    out = derive_exposures(_cohort([[dict(BASE)]]))
    assert out["valid_days"].item() == 0
    assert np.isnan(out["walking_min"].item())
    assert np.isnan(out["walking_mets"].item())


def test_class_mets_are_configurable_and_recorded():
    day = {**BASE, "walk_slow": 600.0, "walk_brisk": 600.0}
    mets = {"walk_slow": 2.0, "walk_moderate": 3.0, "walk_brisk": 4.0}
    out = derive_exposures(_cohort([[day]]), class_mets=mets)
    assert out["walking_mets"].item() == pytest.approx(3.0)
    assert json.loads(out.attrs["class_mets"]) == mets
