"""Quartile cuts, the paper's labels, categorisation and Table 1 on hand-computed data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from bayes_walk.cohort import schema
from bayes_walk.cohort.describe import describe_cohort, format_table1
from bayes_walk.cohort.quartiles import categorize, quartile_cuts, quartile_labels


def test_labels_reproduce_the_paper_exactly():
    ref = schema.reference()["exposures"]
    assert quartile_labels(ref["walking_min"]["quartile_cuts"], 0) == ref["walking_min"]["labels"]
    assert quartile_labels(ref["walking_mets"]["quartile_cuts"], 2) == ref["walking_mets"]["labels"]


def test_labels_round_unrounded_cuts():
    assert quartile_labels([77.6, 100.4, 123.5], 0) == ["<78", "78-100", "101-124", ">=125"]
    assert quartile_labels([2.996, 3.113, 3.2649], 2) == [
        "<3.00",
        "3.00-3.11",
        "3.12-3.26",
        ">=3.27",
    ]


def test_cuts_ignore_nan():
    x = np.array([1.0, 2, 3, 4, 5, np.nan, 7, 8, 9])
    assert quartile_cuts(x).tolist() == pytest.approx(
        np.percentile([1, 2, 3, 4, 5, 7, 8, 9], [25, 50, 75])
    )
    with pytest.raises(ValueError):
        quartile_cuts([np.nan])


def test_categorize_bins_are_left_closed():
    cat = categorize([77.9, 78.0, 99.99, 100.0, 124.0, 300.0, np.nan], [78, 100, 124])
    assert cat.ordered and list(cat.categories) == ["<78", "78-100", "101-124", ">=125"]
    assert np.asarray(cat.codes).tolist() == [0, 1, 1, 2, 3, 3, -1]
    labels = quartile_labels([3.0, 3.11, 3.26], 2)
    mets = categorize([2.9, 3.0, 3.26], [3.0, 3.11, 3.26], labels)
    assert list(mets.astype(str)) == ["<3.00", "3.00-3.11", ">=3.27"]


def tiny_cohort() -> xr.Dataset:
    ids = [f"p{i}" for i in range(8)]
    ds = xr.Dataset(
        {
            "walking_min": ("participant", [10.0, 20, 30, 40, 50, 60, 70, 80]),
            "walking_mets": ("participant", [3.0, 3.1, 3.2, 3.3, 3.0, 3.1, 3.2, 3.3]),
            "clbp": ("participant", np.array([1, 1, 0, 0, 1, 0, 0, 0], dtype=np.int8)),
            "age": ("participant", [30.0, 50, 40, 60, 20, 40, 60, 80]),
            "valid_days": ("participant", np.array([7, 5, 6, 7, 4, 7, 7, 3], dtype=np.int16)),
        },
        coords={"participant": ids},
    )
    ds = schema.set_categorical(ds, "sex", ["female", "male"] * 4, ["female", "male"])
    ds = schema.set_categorical(
        ds,
        "smoking",
        ["never", None, "current", "never", "former", "never", "never", "never"],
        ["never", "former", "current"],
    )
    ds.attrs["covariates"] = '["age", "sex", "smoking"]'
    return schema.with_inclusion_flow(ds, [("participants file", 10), ("complete", 8)])


def test_describe_hand_computed():
    d = describe_cohort(tiny_cohort())
    assert d["n"] == 8 and d["cases"] == 3 and d["incidence"] == pytest.approx(3 / 8)
    assert d["quartile_cuts"]["walking_min"] == pytest.approx([27.5, 45.0, 62.5])
    cols = d["table1"]["columns"]
    assert [c["label"] for c in cols] == ["<28", "28-45", "46-63", ">=64", "Overall"]
    q1 = cols[0]  # walking 10, 20: ages 30, 50; both cases; female, male
    assert q1["n"] == 2 and q1["cases"] == 2
    assert q1["age_mean"] == pytest.approx(40.0)
    assert q1["age_sd"] == pytest.approx(np.std([30, 50], ddof=1))
    assert q1["female_pct"] == pytest.approx(50.0)
    assert q1["valid_days_mean"] == pytest.approx(6.0)
    assert q1["categorical"]["smoking"] == {
        "never": 50.0,
        "former": 0.0,
        "current": 0.0,
        "missing": 50.0,
    }
    overall = cols[-1]
    assert overall["n"] == 8 and overall["age_mean"] == pytest.approx(47.5)
    assert d["inclusion_flow"] == [
        {"step": "participants file", "n": 10},
        {"step": "complete", "n": 8},
    ]
    text = format_table1(d)
    assert "Table 1" in text and "participants file" in text and "<28" in text
    assert "Age, mean (SD)" in text and "missing" in text


def test_describe_without_intensity():
    ds = tiny_cohort()
    ds["walking_mets"][:] = np.nan
    d = describe_cohort(ds)
    assert d["quartile_cuts"]["walking_mets"] is None
    assert "walking_mets: not available" in format_table1(d)
    pd.testing.assert_series_equal(
        pd.Series([c["n"] for c in d["table1"]["columns"]]), pd.Series([2, 2, 2, 2, 8])
    )
