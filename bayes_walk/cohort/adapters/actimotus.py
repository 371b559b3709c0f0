"""acti-motus daily ``Exposures`` tables (``acti_motus.Exposures(window='1d').compute``).

acti-motus computes one row per day for one recording; stack the per-recording tables
into one file with a ``participant_id`` column and the day in ``datetime`` (the index
of ``compute``'s result after ``reset_index()``), ``date`` or ``day`` (1..7).

Class columns (acti-motus activity names) and the cohort class they add to:

========================  ==================  ========================================
acti-motus column         cohort class        note
========================  ==================  ========================================
``lie``                   ``lying``
``sit``, ``kneel``        ``sitting``         acti-motus fuses kneel into sedentary
``stand``, ``shuffle``,   ``standing``        acti-motus fuses these into standing
``squat``
``slow-walk``             ``walk_slow``       step rate < 100 steps/min
``walk``                  ``walk_moderate``   100 to < 115 steps/min
``fast-walk``             ``walk_brisk``      >= 115 steps/min
``run``                   ``running``
``bicycle``               ``cycling``
``stairs``, ``row``       (not used)          not walking on level ground
========================  ==================  ========================================

Units: timedeltas (Parquet keeps them; CSV writes text such as ``0 days 01:02:03``);
plain numbers are taken as **seconds**. The ``valid`` column (>= 10 min walking) and the
aggregate columns (``wear``, ``sedentary``, ``lpa``, ``mvpa``, ...) are not used; the
paper's valid-day rule is applied instead. Tables from acti-motus versions without
``slow-walk`` (two walking paces) are refused: their ``walk`` means a different pace band.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import pandas as pd
import xarray as xr

from bayes_walk.cohort.adapters._durations import to_seconds
from bayes_walk.cohort.adapters._io import import_daily
from bayes_walk.cohort.schema import ACTIVITIES, PAPER_ADJUST
from bayes_walk.cohort.validate import DAY, ID
from bayes_walk.errors import CohortError

CLASS_MAP: dict[str, tuple[str, ...]] = {
    "lying": ("lie",),
    "sitting": ("sit", "kneel"),
    "standing": ("stand", "shuffle", "squat"),
    "walk_slow": ("slow-walk",),
    "walk_moderate": ("walk",),
    "walk_brisk": ("fast-walk",),
    "running": ("run",),
    "cycling": ("bicycle",),
}
REQUIRED_SOURCE: tuple[str, ...] = ("lie", "sit", "stand", "slow-walk", "walk", "fast-walk")
DAY_COLUMNS: tuple[str, ...] = ("day", "datetime", "date")
MAPPING_NOTE = (
    "acti-motus classes mapped: lie->lying; sit+kneel->sitting; "
    "stand+shuffle+squat->standing; slow-walk/walk/fast-walk->walk_slow/"
    "walk_moderate/walk_brisk; run->running; bicycle->cycling; stairs, row unused"
)


def exposures_to_daily(df: pd.DataFrame, file: str) -> pd.DataFrame:
    """An acti-motus Exposures table -> the long daily table in seconds."""
    if ID not in df.columns:
        raise CohortError(
            "required id column is missing",
            file=file,
            column=ID,
            hint="add the participant id to each recording's Exposures table before stacking",
        )
    day_col = next((c for c in DAY_COLUMNS if c in df.columns), None)
    if day_col is None:
        raise CohortError(
            "no day column",
            file=file,
            column=" / ".join(DAY_COLUMNS),
            hint="keep the Exposures index: compute(...).reset_index()",
        )
    if "walk" in df.columns and "slow-walk" not in df.columns:
        raise CohortError(
            "no 'slow-walk' column: this Exposures table has only two walking paces",
            file=file,
            column="slow-walk",
            hint="re-run a current acti-motus (slow-walk/walk/fast-walk), or map the classes "
            "yourself into a hunt-format table",
        )
    for col in REQUIRED_SOURCE:
        if col not in df.columns:
            raise CohortError(
                "required acti-motus activity column is missing",
                file=file,
                column=col,
                hint=f"expected the daily activity columns {', '.join(REQUIRED_SOURCE)}",
            )
    secs = {c: to_seconds(df, c, file, number_unit_s=1.0) for c in df.columns if _is_source(c)}
    out = pd.DataFrame({ID: df[ID].to_numpy(), DAY: _day_values(df[day_col])})
    for cls in ACTIVITIES:
        parts = [secs[c] for c in CLASS_MAP[cls] if c in secs]
        if parts:
            total = parts[0].copy()
            for extra in parts[1:]:
                total = total.add(extra, fill_value=0.0)
            out[cls] = total.to_numpy()
    return out


def _is_source(col: str) -> bool:
    return any(col in cols for cols in CLASS_MAP.values())


def _day_values(day: pd.Series) -> pd.Series:
    # time-zone aware datetimes: the calendar day is the local one
    if isinstance(day.dtype, pd.DatetimeTZDtype):
        return day.dt.tz_localize(None)
    return day


def read_actimotus(
    participants_path: str | os.PathLike[str],
    daily_path: str | os.PathLike[str] | None = None,
    *,
    required_covariates: Sequence[str] = PAPER_ADJUST,
    class_mets: Mapping[str, float] | None = None,
) -> xr.Dataset:
    """Import participants plus stacked acti-motus daily Exposures tables.

    Parameters
    ----------
    participants_path
        Participants table (CSV or Parquet).
    daily_path
        Stacked daily Exposures (CSV or Parquet), see the module docstring.
    required_covariates, class_mets
        As for :func:`bayes_walk.cohort.build.build_cohort`.

    Returns
    -------
    xr.Dataset
        The cohort.
    """
    return import_daily(
        participants_path,
        daily_path,
        needs_daily="the actimotus format needs a daily Exposures table (--daily)",
        to_daily=lambda raw, dfile: (exposures_to_daily(raw, dfile), [MAPPING_NOTE]),
        source="actimotus",
        required_covariates=required_covariates,
        class_mets=class_mets,
    )
