"""Cohort from daily walking time only, for sources without posture classes (stepcount).

A valid day is a day with walking time recorded and > 0 s: the paper's rule needs lying,
sitting and standing, which such sources do not have. The participant part (ids,
outcome, covariates, exclusions, inclusion flow) is shared with :mod:`.build`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from bayes_walk.cohort import validate
from bayes_walk.cohort.build import daily_frame, finish_daily_cohort, parse_participants
from bayes_walk.cohort.schema import DEFAULT_CLASS_METS, PAPER_ADJUST
from bayes_walk.cohort.validate import DAY, ID, MAX_DAYS
from bayes_walk.errors import CohortError


def build_cohort_from_walking(
    participants: pd.DataFrame,
    daily: pd.DataFrame,
    *,
    source: str,
    file: str,
    daily_file: str | None = None,
    required_covariates: Sequence[str] = PAPER_ADJUST,
    notes: Sequence[str] = (),
) -> xr.Dataset:
    """Build a cohort from daily walking time only (sources without posture classes).

    Parameters
    ----------
    participants
        As for :func:`build_cohort`.
    daily
        Long table: ``participant_id``, ``day`` (1..7 or a date), ``walk_seconds``
        (walking time that day, s) and ``walk_mets`` (walking MET that day; NaN when the
        source gives no intensity).
    source, file, daily_file, required_covariates, notes
        As for :func:`build_cohort`.

    Returns
    -------
    xr.Dataset
        The cohort without ``activity_seconds``. A valid day is a day with walking time
        recorded and > 0 s. ``walking_mets`` is NaN for everyone when no day has a MET.
    """
    p = parse_participants(participants, file, required_covariates)
    daily_file = daily_file or "daily table"
    daily = daily_frame(daily, p, daily_file, file)
    validate.check_columns(daily, ["walk_seconds", "walk_mets"], daily_file, what="walking")
    sec = validate.to_numeric(daily, "walk_seconds", daily_file)
    daily["walk_seconds"] = sec
    validate.check_range(daily, sec, "walk_seconds", daily_file, low=0.0, rule="negative time")
    validate.check_range(
        daily,
        sec,
        "walk_seconds",
        daily_file,
        high=86_400.0,
        rule="more than 86,400 s (24 h) of walking in a day",
    )
    n = len(p.ids)
    pi = p.ids.get_indexer(daily[ID])
    di = daily[DAY].to_numpy(dtype=np.int64) - 1
    wsec = np.full((n, MAX_DAYS), np.nan)
    wmet = np.full((n, MAX_DAYS), np.nan)
    wsec[pi, di] = sec.to_numpy()
    wmet[pi, di] = validate.to_numeric(daily, "walk_mets", daily_file).to_numpy()
    valid = np.isfinite(wsec) & (wsec > 0)
    n_valid = valid.sum(axis=1)
    wsum = np.where(valid, wsec, 0.0).sum(axis=1)
    met_ok = valid & np.isfinite(wmet)
    with np.errstate(invalid="ignore", divide="ignore"):
        walking_min = np.where(n_valid > 0, wsum / 60.0 / n_valid, np.nan)
        met_time = np.where(met_ok, wsec, 0.0).sum(axis=1)
        walking_mets = np.where(
            met_time > 0, np.where(met_ok, wsec * wmet, 0.0).sum(axis=1) / met_time, np.nan
        )
    ds = xr.Dataset(
        {
            "valid_day": (("participant", "day"), valid),
            "daily_walking_min": (("participant", "day"), np.where(valid, wsec / 60.0, np.nan)),
            "daily_walking_mets": (("participant", "day"), np.where(valid, wmet, np.nan)),
            "valid_days": ("participant", n_valid.astype(np.int16)),
            "walking_min": ("participant", walking_min),
            "walking_mets": ("participant", walking_mets),
        },
        coords={"participant": p.ids.to_numpy(dtype=object), "day": np.arange(1, MAX_DAYS + 1)},
    )
    ds["walking_min"].attrs = {"units": "min/day", "long_name": "mean daily walking time"}
    ds["walking_mets"].attrs = {"units": "MET", "long_name": "time-weighted walking intensity"}
    ds.attrs["class_mets"] = json.dumps(DEFAULT_CLASS_METS)
    has_data = np.zeros(n, dtype=bool)
    has_data[pi] = True
    if not valid[has_data].any():
        raise CohortError(
            "no valid day for any participant (valid day: walking time recorded and > 0)",
            file=daily_file,
            ids=p.ids[has_data][:5],
        )
    return finish_daily_cohort(
        ds,
        p,
        has_data,
        n_valid > 0,
        source=source,
        file=file,
        daily_file=daily_file,
        notes=notes,
        valid_day_rule="walking time recorded and > 0 s that day (no posture classes in source)",
    )
