"""ActiPASS long-format daily table (one row per recording day, times in **minutes**).

ActiPASS writes ``SubjectID``, ``Date`` (yyyy-MM-dd), ``Day`` (weekday name),
``Day_QC`` and per-day minutes such as ``Lie``, ``Sit``, ``Stand``, ``Move``, ``Walk``,
``Walk_Slow``, ``Walk_Fast``, ``Run``, ``Stair``, ``Cycle``, ``Other`` (all outside the
sleep interval). The id may be ``SubjectID`` or ``participant_id``.

=====================  =================  ===============================================
ActiPASS column        cohort class       note
=====================  =================  ===============================================
``Lie``                ``lying``          excludes ActiPASS's sleep interval
``Sit``                ``sitting``
``Stand`` + ``Move``   ``standing``       Move: standing with some leg movement
``Walk_Slow``          ``walk_slow``      walking < 100 steps/min
``Walk_Fast``          ``walk_moderate``  walking >= 100 steps/min (``fast_walk_as``)
(none)                 ``walk_brisk``     0 s: the daily table has no third pace band
``Run``                ``running``
``Cycle``              ``cycling``
``Stair``, ``Other``   (not used)
=====================  =================  ===============================================

Minutes are multiplied by 60. With the default mapping ``walking_mets`` lies between the
slow (2.8) and moderate (3.8) class METs; pass ``fast_walk_as="walk_brisk"`` to count
ActiPASS fast walking at the brisk MET instead. Days flagged ``Day_QC == "NotOK"`` are
dropped (``drop_qc_not_ok=False`` keeps them).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from functools import partial

import pandas as pd
import xarray as xr

from bayes_walk.cohort.adapters._durations import to_seconds
from bayes_walk.cohort.adapters._io import import_daily
from bayes_walk.cohort.schema import PAPER_ADJUST
from bayes_walk.cohort.validate import DAY, ID
from bayes_walk.errors import CohortError

REQUIRED_SOURCE: tuple[str, ...] = ("Lie", "Sit", "Stand", "Walk_Slow", "Walk_Fast")
ID_COLUMNS: tuple[str, ...] = (ID, "SubjectID")
UNIT_HINT = "ActiPASS daily tables are in minutes; the importer converts them to seconds"


def actipass_to_daily(
    df: pd.DataFrame, file: str, *, fast_walk_as: str = "walk_moderate", drop_qc_not_ok: bool = True
) -> tuple[pd.DataFrame, list[str]]:
    """An ActiPASS daily table -> the long daily table in seconds, plus notes."""
    if fast_walk_as not in ("walk_moderate", "walk_brisk"):
        raise CohortError(f"fast_walk_as must be walk_moderate or walk_brisk, not {fast_walk_as!r}")
    id_col = next((c for c in ID_COLUMNS if c in df.columns), None)
    if id_col is None:
        raise CohortError("required id column is missing", file=file, column="SubjectID")
    if "Date" not in df.columns:
        raise CohortError("required date column is missing", file=file, column="Date")
    for col in REQUIRED_SOURCE:
        if col not in df.columns:
            raise CohortError(
                "required ActiPASS column is missing",
                file=file,
                column=col,
                hint=f"expected the daily minutes {', '.join(REQUIRED_SOURCE)}",
            )
    notes: list[str] = []
    df = df.rename(columns={id_col: ID}) if id_col != ID else df
    df = df.assign(**{ID: df[ID].astype(str).str.strip()}).copy()
    if drop_qc_not_ok and "Day_QC" in df.columns:
        bad = df["Day_QC"].astype(str).str.strip().str.lower() == "notok"
        if bad.any():
            notes.append(f"{int(bad.sum())} day(s) with Day_QC NotOK dropped")
            df = df.loc[~bad].reset_index(drop=True)

    def sec(col: str) -> pd.Series:
        return to_seconds(df, col, file, number_unit_s=60.0)

    out = pd.DataFrame({ID: df[ID].to_numpy(), DAY: df["Date"].to_numpy()})
    out["lying"] = sec("Lie").to_numpy()
    out["sitting"] = sec("Sit").to_numpy()
    stand = sec("Stand")
    if "Move" in df.columns:
        stand = stand.add(sec("Move"), fill_value=0.0)
    out["standing"] = stand.to_numpy()
    out["walk_slow"] = sec("Walk_Slow").to_numpy()
    fast = sec("Walk_Fast").to_numpy()
    out["walk_moderate"] = fast if fast_walk_as == "walk_moderate" else 0.0
    out["walk_brisk"] = fast if fast_walk_as == "walk_brisk" else 0.0
    for src, cls in (("Run", "running"), ("Cycle", "cycling")):
        if src in df.columns:
            out[cls] = sec(src).to_numpy()
    notes.append(
        "ActiPASS minutes x 60; Lie->lying, Sit->sitting, Stand+Move->standing, "
        f"Walk_Slow->walk_slow, Walk_Fast->{fast_walk_as}, Run->running, Cycle->cycling"
    )
    return out, notes


def read_actipass(
    participants_path: str | os.PathLike[str],
    daily_path: str | os.PathLike[str] | None = None,
    *,
    required_covariates: Sequence[str] = PAPER_ADJUST,
    class_mets: Mapping[str, float] | None = None,
    fast_walk_as: str = "walk_moderate",
    drop_qc_not_ok: bool = True,
) -> xr.Dataset:
    """Import participants plus an ActiPASS long-format daily table.

    Parameters
    ----------
    participants_path
        Participants table (CSV or Parquet).
    daily_path
        ActiPASS daily table (CSV or Parquet), see the module docstring.
    required_covariates, class_mets
        As for :func:`bayes_walk.cohort.build.build_cohort`.
    fast_walk_as
        Cohort class that receives ActiPASS ``Walk_Fast`` time.
    drop_qc_not_ok
        Drop days that ActiPASS flagged ``Day_QC == "NotOK"``.

    Returns
    -------
    xr.Dataset
        The cohort.
    """
    return import_daily(
        participants_path,
        daily_path,
        needs_daily="the actipass format needs the ActiPASS daily table (--daily)",
        to_daily=partial(
            actipass_to_daily, fast_walk_as=fast_walk_as, drop_qc_not_ok=drop_qc_not_ok
        ),
        source="actipass",
        required_covariates=required_covariates,
        class_mets=class_mets,
        unit_hint=UNIT_HINT,
    )
