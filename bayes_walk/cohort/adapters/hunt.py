"""HUNT-style daily activity seconds, long or wide.

Long: one row per participant and day with ``participant_id``, ``day`` (1..7 or a date)
and one column per class in **seconds**: ``lying``, ``sitting``, ``standing``,
``walk_slow``, ``walk_moderate``, ``walk_brisk`` (required), ``running``, ``cycling``
(optional; stored as 0 s with a note when absent).

Wide: one row per participant with ``participant_id`` and columns ``<class>_D<k>`` for
day ``k`` = 1..7 (e.g. ``walk_slow_D1`` .. ``walk_slow_D7``); a day whose class columns
are all empty is a day without data. The wide columns may sit in the participants file
itself (then no daily file is needed).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from bayes_walk.cohort.adapters._io import read_table
from bayes_walk.cohort.build import OPTIONAL_CLASSES, REQUIRED_CLASSES, build_cohort
from bayes_walk.cohort.schema import ACTIVITIES, PAPER_ADJUST
from bayes_walk.cohort.validate import DAY, ID, MAX_DAYS
from bayes_walk.errors import CohortError


def wide_day_columns(df: pd.DataFrame) -> dict[str, dict[int, str]]:
    """``{class: {day: column}}`` for the ``<class>_D<k>`` columns of ``df``."""
    found: dict[str, dict[int, str]] = {}
    for col in df.columns:
        head, sep, tail = str(col).rpartition("_D")
        if sep and head in ACTIVITIES and tail.isdigit():
            found.setdefault(head, {})[int(tail)] = col
    return found


def wide_to_long(df: pd.DataFrame, file: str) -> pd.DataFrame:
    """Turn ``<class>_D<k>`` columns into the long daily table (vectorised)."""
    cols = wide_day_columns(df)
    missing = [c for c in REQUIRED_CLASSES if c not in cols]
    if missing:
        raise CohortError(
            "wide daily table lacks the columns of an activity class",
            file=file,
            column=f"{missing[0]}_D1..{missing[0]}_D7",
            hint=f"expected <class>_D<day> columns for {', '.join(REQUIRED_CLASSES)}",
        )
    days = sorted({d for per in cols.values() for d in per})
    bad = [d for d in days if d < 1 or d > MAX_DAYS]
    if bad:
        cls = next(c for c, per in cols.items() if bad[0] in per)
        raise CohortError(
            f"day {bad[0]} is outside 1..{MAX_DAYS}",
            file=file,
            column=cols[cls][bad[0]],
            hint="the cohort holds at most 7 measurement days",
        )
    n = len(df)
    out = {ID: np.repeat(df[ID].to_numpy(dtype=object), len(days)), DAY: np.tile(days, n)}
    for cls in (*REQUIRED_CLASSES, *OPTIONAL_CLASSES):
        if cls not in cols:
            continue
        block = pd.DataFrame(
            {d: df[cols[cls][d]] if d in cols[cls] else np.nan for d in days}, index=df.index
        )
        out[cls] = block.to_numpy(dtype=object).reshape(-1)
    long = pd.DataFrame(out)
    classes = [c for c in long.columns if c not in (ID, DAY)]
    empty = long[classes].isna().all(axis=1).to_numpy()
    return long.loc[~empty].reset_index(drop=True)


def read_hunt(
    participants_path: str | os.PathLike[str],
    daily_path: str | os.PathLike[str] | None = None,
    *,
    required_covariates: Sequence[str] = PAPER_ADJUST,
    class_mets: Mapping[str, float] | None = None,
) -> xr.Dataset:
    """Import a HUNT-style cohort (seconds per class per day, long or wide).

    Parameters
    ----------
    participants_path
        Participants table (CSV or Parquet).
    daily_path
        Daily table, long or wide; ``None`` when the participants file carries the wide
        ``<class>_D<k>`` columns.
    required_covariates
        Covariates that must be present (complete cases).
    class_mets
        MET of each walking class (default 2.8/3.8/4.8).

    Returns
    -------
    xr.Dataset
        The cohort.
    """
    participants = read_table(participants_path)
    pfile = str(participants_path)
    if daily_path is None:
        if not wide_day_columns(participants):
            raise CohortError(
                "the hunt format needs a daily table (--daily) or wide <class>_D<k> columns",
                file=pfile,
                hint="without daily records use --format participants (walking_min, walking_mets)",
            )
        daily, dfile = wide_to_long(participants, pfile), pfile
    else:
        dfile = str(daily_path)
        daily = read_table(daily_path)
        if DAY not in daily.columns and wide_day_columns(daily):
            if ID not in daily.columns:
                raise CohortError("required id column is missing", file=dfile, column=ID)
            daily = wide_to_long(daily, dfile)
    return build_cohort(
        participants,
        daily,
        source="hunt",
        file=pfile,
        daily_file=dfile,
        required_covariates=required_covariates,
        class_mets=class_mets,
    )
