"""OxWearables stepcount ``Daily.csv`` (walking minutes per day; no posture classes).

stepcount's daily table has ``Filename``, ``Date``, ``Walk(mins)``, ``Steps`` and daily
cadence summaries (``CadencePeak1/5/10/30(steps/min)``, ``Cadence95th(steps/min)``).
Stack the per-recording tables into one file with a ``participant_id`` column.

* Volume: ``Walk(mins)`` x 60 -> walking seconds that day. A valid day is a day with
  walking time recorded and > 0 (stepcount has no lying/sitting/standing, so the paper's
  rule cannot be applied; days stepcount could not score are empty and so not valid).
* Intensity: only from a **mean walking cadence** per day, never from the peak or 95th
  percentile cadences (they describe the fastest minutes, not the walking as a whole).
  ``cadence=None`` (default) uses a ``Cadence(steps/min)`` column when there is one (e.g.
  the duration-weighted mean of ``Bouts.csv``'s ``Cadence(steps/min)``); ``cadence="steps"``
  uses ``Steps / Walk(mins)``; any other string names the column to use. Without a
  cadence, ``walking_mets`` is NaN and a note says so.
* Cadence -> MET: the day's walking gets the MET of its cadence band, the same bands as
  acti-motus paces: < 100 steps/min -> ``walk_slow`` (2.8), 100 to < 115 ->
  ``walk_moderate`` (3.8), >= 115 -> ``walk_brisk`` (4.8) (class METs configurable).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from functools import partial

import numpy as np
import pandas as pd
import xarray as xr

from bayes_walk.cohort import validate
from bayes_walk.cohort.adapters._io import import_daily
from bayes_walk.cohort.build_walking import build_cohort_from_walking
from bayes_walk.cohort.schema import DEFAULT_CLASS_METS, PAPER_ADJUST
from bayes_walk.cohort.validate import DAY, ID

WALK_COLUMN = "Walk(mins)"
CADENCE_COLUMN = "Cadence(steps/min)"
CADENCE_BANDS: tuple[float, float] = (100.0, 115.0)
NO_INTENSITY_NOTE = (
    "stepcount table has no mean walking cadence: walking intensity (walking_mets) is "
    "not available (NaN); use --cadence steps (Python: cadence='steps') for Steps / Walk(mins)"
)


def cadence_to_mets(
    cadence: np.ndarray, class_mets: Mapping[str, float] | None = None
) -> np.ndarray:
    """MET of walking at each daily mean cadence (steps/min) by cadence band; NaN stays NaN."""
    mets = dict(DEFAULT_CLASS_METS if class_mets is None else class_mets)
    c = np.asarray(cadence, dtype=np.float64)
    out = np.where(
        c < CADENCE_BANDS[0],
        mets["walk_slow"],
        np.where(c < CADENCE_BANDS[1], mets["walk_moderate"], mets["walk_brisk"]),
    )
    return np.where(np.isfinite(c), out, np.nan)


def stepcount_to_daily(
    df: pd.DataFrame,
    file: str,
    *,
    cadence: str | None = None,
    class_mets: Mapping[str, float] | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """stepcount daily rows -> ``participant_id, day, walk_seconds, walk_mets`` plus notes."""
    validate.check_columns(df, [ID], file, what="id")
    validate.check_columns(df, ["Date", WALK_COLUMN], file, what="stepcount")
    minutes = validate.to_numeric(df, WALK_COLUMN, file)
    validate.check_range(df, minutes, WALK_COLUMN, file, low=0.0, rule="negative time")
    validate.check_range(
        df,
        minutes,
        WALK_COLUMN,
        file,
        high=1440.0,
        rule="more than 1,440 min (24 h) of walking in a day",
        hint="Walk(mins) is minutes; values this large look like seconds",
    )
    notes: list[str] = []
    if cadence is None:
        cadence = CADENCE_COLUMN if CADENCE_COLUMN in df.columns else ""
    if cadence == "steps":
        validate.check_columns(df, ["Steps"], file, what="stepcount")
        steps = validate.to_numeric(df, "Steps", file)
        with np.errstate(invalid="ignore", divide="ignore"):
            cad = np.where(minutes > 0, steps / minutes, np.nan)
        notes.append("walking cadence = Steps / Walk(mins); MET by cadence band <100/100-115/>=115")
    elif cadence:
        validate.check_columns(df, [cadence], file, what="cadence")
        cad = validate.to_numeric(df, cadence, file).to_numpy()
        notes.append(f"walking cadence from '{cadence}'; MET by cadence band <100/100-115/>=115")
    else:
        cad = np.full(len(df), np.nan)
        notes.append(NO_INTENSITY_NOTE)
    cad_s = pd.Series(cad, index=df.index)
    validate.check_range(
        df,
        cad_s,
        cadence or "cadence",
        file,
        low=0.0,
        high=300.0,
        rule="walking cadence must be between 0 and 300 steps/min",
    )
    out = pd.DataFrame(
        {
            ID: df[ID].to_numpy(),
            DAY: df["Date"].to_numpy(),
            "walk_seconds": minutes.to_numpy() * 60.0,
            "walk_mets": cadence_to_mets(cad, class_mets),
        }
    )
    return out, notes


def read_stepcount(
    participants_path: str | os.PathLike[str],
    daily_path: str | os.PathLike[str] | None = None,
    *,
    required_covariates: Sequence[str] = PAPER_ADJUST,
    class_mets: Mapping[str, float] | None = None,
    cadence: str | None = None,
) -> xr.Dataset:
    """Import participants plus stacked stepcount daily tables.

    Parameters
    ----------
    participants_path
        Participants table (CSV or Parquet).
    daily_path
        Stacked stepcount ``Daily.csv`` tables with a ``participant_id`` column.
    required_covariates
        As for :func:`bayes_walk.cohort.build.build_cohort`.
    class_mets
        METs of the cadence bands (keys ``walk_slow``, ``walk_moderate``, ``walk_brisk``).
    cadence
        Where the daily mean walking cadence comes from (see the module docstring).

    Returns
    -------
    xr.Dataset
        The cohort, without ``activity_seconds``.
    """
    ds = import_daily(
        participants_path,
        daily_path,
        needs_daily="the stepcount format needs the stepcount daily table (--daily)",
        to_daily=partial(stepcount_to_daily, cadence=cadence, class_mets=class_mets),
        check_daily=validate.check_not_empty,
        build=build_cohort_from_walking,
        source="stepcount",
        required_covariates=required_covariates,
    )
    if class_mets is not None:
        import json

        ds.attrs["class_mets"] = json.dumps(dict(class_mets))
    return ds
