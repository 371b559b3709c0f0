"""The cohort form: dims, activity classes, categorical codings and their storage.

A cohort is an ``xarray.Dataset`` with dims ``participant``, ``day`` and ``activity``
(see DESIGN "The cohort"). Categorical variables are stored as integer codes (``-1`` for
missing) with their ordered level labels in ``attrs["levels"]`` so that the level order
survives a NetCDF round trip unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
import xarray as xr

ACTIVITIES: tuple[str, ...] = (
    "lying",
    "sitting",
    "standing",
    "walk_slow",
    "walk_moderate",
    "walk_brisk",
    "running",
    "cycling",
)
WALK_CLASSES: tuple[str, ...] = ("walk_slow", "walk_moderate", "walk_brisk")
DEFAULT_CLASS_METS: dict[str, float] = {"walk_slow": 2.8, "walk_moderate": 3.8, "walk_brisk": 4.8}
SECONDS_PER_DAY = 86_400

EXPOSURES: tuple[str, ...] = ("walking_min", "walking_mets")
OUTCOME = "clbp"
PAPER_ADJUST: tuple[str, ...] = (
    "age",
    "sex",
    "education",
    "income",
    "employment",
    "smoking",
    "depression",
)


@cache
def reference() -> dict:
    """The published numbers and codings of Haddadj et al. 2025 (shipped JSON)."""
    text = resources.files("bayes_walk.data").joinpath("haddadj2025.json").read_text()
    return json.loads(text)


def paper_levels() -> dict[str, list[str]]:
    """Ordered level labels of the paper's categorical covariates."""
    adj = reference()["adjustment_set"]
    levels = {k: list(v) for k, v in adj.items() if isinstance(v, list)}
    levels["depression"] = ["no", "yes"]
    return levels


def set_categorical(
    ds: xr.Dataset, name: str, values: pd.Categorical | Sequence[object], levels: Sequence[str]
) -> xr.Dataset:
    """Store ``values`` (labels or a ``pd.Categorical``) as codes with ordered ``levels``.

    Missing values get code -1. Returns a new Dataset.
    """
    cat = pd.Categorical(values, categories=list(levels), ordered=True)
    codes = np.asarray(cat.codes, dtype=np.int16)
    da = xr.DataArray(codes, dims=("participant",))
    da.attrs = {"kind": "categorical", "levels": json.dumps(list(levels))}
    return ds.assign({name: da})


def is_categorical(ds: xr.Dataset, name: str) -> bool:
    """Whether ``ds[name]`` is a coded categorical variable."""
    return ds[name].attrs.get("kind") == "categorical"


def levels_of(ds: xr.Dataset, name: str) -> list[str]:
    """Ordered level labels of categorical ``ds[name]``."""
    return list(json.loads(ds[name].attrs["levels"]))


def get_categorical(ds: xr.Dataset, name: str) -> pd.Categorical:
    """``ds[name]`` as an ordered ``pd.Categorical`` (code -1 becomes NaN)."""
    codes = np.asarray(ds[name].values, dtype=np.int64)
    return pd.Categorical.from_codes(codes, categories=levels_of(ds, name), ordered=True)


def covariate_frame(ds: xr.Dataset, names: Sequence[str]) -> pd.DataFrame:
    """Per-participant covariates as a DataFrame indexed by participant id.

    Categorical variables come back as ordered ``pd.Categorical`` columns.
    """
    cols = {}
    for name in names:
        cols[name] = get_categorical(ds, name) if is_categorical(ds, name) else ds[name].values
    return pd.DataFrame(cols, index=pd.Index(ds["participant"].values, name="participant"))


def inclusion_flow(ds: xr.Dataset) -> list[tuple[str, int]]:
    """The inclusion flow stored in ``attrs``: (step, participants left) pairs."""
    raw = ds.attrs.get("inclusion_flow", "[]")
    return [(str(step), int(n)) for step, n in json.loads(raw)]


def with_inclusion_flow(ds: xr.Dataset, flow: Sequence[tuple[str, int]]) -> xr.Dataset:
    """Return ``ds`` with the inclusion flow stored (JSON in ``attrs``)."""
    out = ds.copy()
    out.attrs["inclusion_flow"] = json.dumps([[s, int(n)] for s, n in flow])
    return out
