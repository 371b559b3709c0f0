"""Validated participants + daily records -> the cohort Dataset with its inclusion flow.

Three entry shapes share the participant part (ids, outcome, covariates, exclusions):

* :func:`build_cohort` with a daily table of seconds per activity class (the paper's
  valid-day rule and exposure derivation, ``derive.derive_exposures``);
  with ``daily=None`` the participants table must carry precomputed ``walking_min`` and
  ``walking_mets`` (participants-only import, no ``activity_seconds``);
* :func:`bayes_walk.cohort.build_walking.build_cohort_from_walking` with daily walking time (and optionally walking MET)
  only, for sources without posture classes (stepcount).

Exclusion steps, in order, each recorded as ``[step, participants left]``: participants
file; outcome recorded; with accelerometer data (or with exposures); >= 1 valid day;
complete covariates. Participants excluded are dropped from the Dataset.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

from bayes_walk.cohort import validate
from bayes_walk.cohort.covariates import parse_covariates
from bayes_walk.cohort.derive import derive_exposures
from bayes_walk.cohort.schema import (
    ACTIVITIES,
    PAPER_ADJUST,
    WALK_CLASSES,
    set_categorical,
    with_inclusion_flow,
)
from bayes_walk.cohort.validate import DAY, ID, MAX_DAYS
from bayes_walk.errors import CohortError

OUTCOME = "clbp"
REQUIRED_CLASSES: tuple[str, ...] = ("lying", "sitting", "standing", *WALK_CLASSES)
OPTIONAL_CLASSES: tuple[str, ...] = ("running", "cycling")
EXPOSURE_COLUMNS: tuple[str, ...] = ("walking_min", "walking_mets", "valid_days")
NOT_COVARIATES: frozenset[str] = frozenset({ID, OUTCOME, "followup_years", *EXPOSURE_COLUMNS})
VALID_DAY_RULE = "lying, sitting, standing and walking each > 0 s that day (the paper's rule)"


@dataclass
class ParticipantTable:
    """Parsed participants table (all rows, before exclusions)."""

    ids: pd.Index
    outcome: np.ndarray
    followup: np.ndarray | None
    covariates: dict[str, tuple[str, object]]
    required: list[str]
    frame: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def parse_participants(
    df: pd.DataFrame, file: str, required: Sequence[str], exclude: Sequence[str] = ()
) -> ParticipantTable:
    """Validate the participants table and parse outcome, follow-up and covariates."""
    validate.check_not_empty(df, file)
    validate.check_ids(df, file)
    df = df.copy()
    df[ID] = df[ID].astype(str).str.strip()
    validate.check_ids(df, file)  # again: "7" and " 7" collide only after stripping
    validate.check_columns(df, required, file, what="covariate")
    y = validate.check_outcome(df, file, OUTCOME).to_numpy()
    followup = None
    if "followup_years" in df.columns:
        fu = validate.to_numeric(df, "followup_years", file)
        validate.check_range(
            df, fu, "followup_years", file, low=0.0, rule="follow-up time must be >= 0 years"
        )
        followup = fu.to_numpy()
    if "age" in df.columns:
        age = validate.to_numeric(df, "age", file)
        validate.check_range(
            df, age, "age", file, low=0.0, high=120.0, rule="age must be between 0 and 120 years"
        )
    skip = NOT_COVARIATES | set(exclude)
    names = [c for c in PAPER_ADJUST if c in df.columns]
    names += [c for c in df.columns if c not in skip and c not in names]
    covs = parse_covariates(df, names, file)
    return ParticipantTable(
        ids=pd.Index(df[ID].to_numpy(dtype=object), name="participant"),
        outcome=y,
        followup=followup,
        covariates=covs,
        required=list(required),
        frame=df,
    )


def complete_cases(p: ParticipantTable) -> np.ndarray:
    """Participants with every required covariate present."""
    ok = np.ones(len(p.ids), dtype=bool)
    for name in p.required:
        kind, values = p.covariates[name]
        if kind == "categorical":
            ok &= np.asarray(values.codes) >= 0  # type: ignore[union-attr]
        else:
            ok &= np.isfinite(np.asarray(values, dtype=np.float64))
    return ok


def apply_exclusions(
    p: ParticipantTable,
    file: str,
    steps: Sequence[tuple[str, np.ndarray]],
) -> tuple[np.ndarray, list[tuple[str, int]]]:
    """Apply exclusion masks in order; the flow lists participants left after each."""
    keep = np.ones(len(p.ids), dtype=bool)
    flow = [("participants file", int(keep.sum()))]
    for step, mask in steps:
        keep &= mask
        flow.append((step, int(keep.sum())))
        if not keep.any():
            raise CohortError(
                f"no participant left after the inclusion step '{step}'",
                file=file,
                hint="inclusion flow: " + "; ".join(f"{s}: {n}" for s, n in flow),
            )
    return keep, flow


def finish_cohort(
    ds: xr.Dataset,
    p: ParticipantTable,
    keep: np.ndarray,
    flow: list[tuple[str, int]],
    *,
    source: str,
    file: str,
    daily_file: str | None,
    notes: Sequence[str],
    valid_day_rule: str | None,
) -> xr.Dataset:
    """Keep the included participants; add outcome, covariates and the attrs."""
    ds = ds.isel(participant=np.flatnonzero(keep))
    ds[OUTCOME] = ("participant", p.outcome[keep].astype(np.int8))
    ds[OUTCOME].attrs = {"long_name": "chronic low back pain at follow-up", "values": "0/1"}
    if p.followup is not None:
        ds["followup_years"] = ("participant", p.followup[keep])
        ds["followup_years"].attrs = {"units": "years"}
    for name, (kind, values) in p.covariates.items():
        if kind == "categorical":
            cat: pd.Categorical = values  # type: ignore[assignment]
            ds = set_categorical(ds, name, cat[keep], list(cat.categories))
        else:
            ds[name] = ("participant", np.asarray(values, dtype=np.float64)[keep])
    if "age" in ds:
        ds["age"].attrs["units"] = "years"
    units = {"walking_min": "min/day", "walking_mets": "MET", "age": "years"}
    if "activity_seconds" in ds:
        units["activity_seconds"] = "s"
    if "followup_years" in ds:
        units["followup_years"] = "years"
    ds.attrs.update(
        source=source,
        file=file,
        daily_file=daily_file or "",
        units=json.dumps(units),
        covariates=json.dumps(list(p.covariates)),
        required_covariates=json.dumps(p.required),
        notes=json.dumps([*p.notes, *notes]),
        valid_day_rule=valid_day_rule or "",
    )
    from bayes_walk import __version__

    ds.attrs["created_by"] = f"bayes_walk {__version__}"
    return with_inclusion_flow(ds, flow)


def covariate_step(required: Sequence[str]) -> str:
    """Name of the complete-cases step in the inclusion flow."""
    return f"complete covariates ({', '.join(required)})" if required else "complete covariates"


def _day_index(daily: pd.DataFrame, file: str) -> pd.DataFrame:
    """Daily rows with ``day`` as float 1..7 (dates are numbered per participant)."""
    validate.check_columns(daily, [ID, DAY], file, what="id/day")
    d = daily[DAY]
    is_date = pd.api.types.is_datetime64_any_dtype(d)
    if pd.api.types.is_numeric_dtype(d) and not is_date:
        daily[DAY] = d.astype(np.float64)
    else:
        num = pd.to_numeric(d, errors="coerce") if not is_date else d.isna()
        if not is_date and num.notna().sum() == d.notna().sum():
            daily[DAY] = num.astype(np.float64)
        else:
            dates = d if is_date else pd.to_datetime(d, errors="coerce")
            if isinstance(dates.dtype, pd.DatetimeTZDtype):
                dates = dates.dt.tz_localize(None)  # the local calendar day counts
            bad = dates.isna() & d.notna()
            if bad.any():
                raise CohortError(
                    "day must be a day number 1..7 or a date",
                    file=file,
                    column=DAY,
                    ids=validate._ids(daily, bad),
                )
            # calendar days count from each participant's first day
            days = dates.dt.normalize()
            first = days.groupby(daily[ID]).transform("min")
            daily[DAY] = ((days - first).dt.days + 1).astype(np.float64)
    validate.check_days(daily, file)
    return daily


def daily_frame(
    daily: pd.DataFrame, p: ParticipantTable, daily_file: str, file: str
) -> pd.DataFrame:
    """Validate ids and days of a long daily table (ids as text, day as 1..7)."""
    validate.check_not_empty(daily, daily_file)
    daily = daily.copy()
    validate.check_columns(daily, [ID], daily_file, what="id")
    if daily[ID].isna().any():
        rows = (np.flatnonzero(daily[ID].isna().to_numpy()) + 2).tolist()
        raise CohortError(
            f"participant id missing on data row(s) {', '.join(map(str, rows[:5]))}",
            file=daily_file,
            column=ID,
        )
    daily[ID] = daily[ID].astype(str).str.strip()
    validate.check_known_ids(daily, p.ids, daily_file, file)
    return _day_index(daily, daily_file)


def build_cohort(
    participants: pd.DataFrame,
    daily: pd.DataFrame | None,
    *,
    source: str,
    file: str,
    daily_file: str | None = None,
    required_covariates: Sequence[str] = PAPER_ADJUST,
    class_mets: Mapping[str, float] | None = None,
    notes: Sequence[str] = (),
    unit_hint: str | None = None,
) -> xr.Dataset:
    """Build a cohort from a participants table and a long daily table of seconds.

    Parameters
    ----------
    participants
        One row per participant: ``participant_id``, ``clbp`` (0/1), covariates,
        optional ``followup_years``; with ``daily=None`` also ``walking_min`` and
        ``walking_mets`` (optional ``valid_days``).
    daily
        Long table: ``participant_id``, ``day`` (1..7 or a date), and one column per
        activity class in seconds (``lying``, ``sitting``, ``standing``, ``walk_slow``,
        ``walk_moderate``, ``walk_brisk``; ``running``, ``cycling`` optional).
    source
        Name of the source format, stored in ``attrs["source"]``.
    file, daily_file
        File names used in error messages and stored in ``attrs``.
    required_covariates
        Covariates that must be columns of ``participants``; participants missing any of
        them are excluded (complete cases).
    class_mets
        MET of each walking class (default 2.8/3.8/4.8).
    notes
        Remarks about the import (unit conversions, unmapped classes), kept in
        ``attrs["notes"]``.
    unit_hint
        Added to unit-related error messages (e.g. "the source is in minutes").

    Returns
    -------
    xr.Dataset
        The cohort (DESIGN "The cohort").

    Raises
    ------
    CohortError
        On any broken input rule (see :mod:`bayes_walk.cohort.validate`).
    """
    p = parse_participants(
        participants, file, required_covariates, exclude=_wide_columns(participants)
    )
    if daily is None:
        return _build_participants_only(p, file, source=source, notes=notes)

    daily_file = daily_file or "daily table"
    daily = daily_frame(daily, p, daily_file, file)
    validate.check_columns(daily, REQUIRED_CLASSES, daily_file, what="activity")
    extra_notes = list(notes)
    shadowed = [c for c in EXPOSURE_COLUMNS if c in p.frame.columns]
    if shadowed:
        extra_notes.append(
            f"{', '.join(shadowed)} in {file} ignored: exposures are derived from the daily records"
        )
    for cls in OPTIONAL_CLASSES:
        if cls not in daily.columns:
            daily[cls] = 0.0
            extra_notes.append(f"no '{cls}' column in {daily_file}; stored as 0 s")
    for cls in ACTIVITIES:
        daily[cls] = validate.to_numeric(daily, cls, daily_file)
    validate.check_daily_seconds(daily, ACTIVITIES, daily_file, unit_hint=unit_hint)

    n = len(p.ids)
    secs = np.full((n, MAX_DAYS, len(ACTIVITIES)), np.nan)
    pi = p.ids.get_indexer(daily[ID])
    di = daily[DAY].to_numpy(dtype=np.int64) - 1
    secs[pi, di, :] = daily[list(ACTIVITIES)].to_numpy(dtype=np.float64)
    ds = xr.Dataset(
        {"activity_seconds": (("participant", "day", "activity"), secs)},
        coords={
            "participant": p.ids.to_numpy(dtype=object),
            "day": np.arange(1, MAX_DAYS + 1),
            "activity": list(ACTIVITIES),
        },
    )
    ds["activity_seconds"].attrs = {"units": "s", "long_name": "time per day in each class"}
    ds = derive_exposures(ds, class_mets)

    has_data = np.zeros(n, dtype=bool)
    has_data[pi] = True
    valid = ds["valid_days"].to_numpy() > 0
    if not valid[has_data].any():
        raise CohortError(
            f"no valid day for any participant (valid day: {VALID_DAY_RULE})",
            file=daily_file,
            ids=p.ids[has_data][:5],
            hint="check that every class column holds seconds and that lying is recorded",
        )
    return finish_daily_cohort(
        ds,
        p,
        has_data,
        valid,
        source=source,
        file=file,
        daily_file=daily_file,
        notes=extra_notes,
        valid_day_rule=VALID_DAY_RULE,
    )


def finish_daily_cohort(
    ds: xr.Dataset,
    p: ParticipantTable,
    has_data: np.ndarray,
    valid: np.ndarray,
    *,
    source: str,
    file: str,
    daily_file: str,
    notes: Sequence[str],
    valid_day_rule: str,
) -> xr.Dataset:
    """Exclusions of a cohort built from daily records, then :func:`finish_cohort`.

    ``has_data`` marks participants with daily rows and ``valid`` those with >= 1 valid
    day; the steps are outcome recorded, with accelerometer data, >= 1 valid day and
    complete covariates.
    """
    steps = [
        ("outcome recorded", np.isfinite(p.outcome)),
        ("with accelerometer data", has_data),
        (">= 1 valid day", valid),
        (covariate_step(p.required), complete_cases(p)),
    ]
    keep, flow = apply_exclusions(p, file, steps)
    return finish_cohort(
        ds,
        p,
        keep,
        flow,
        source=source,
        file=file,
        daily_file=daily_file,
        notes=notes,
        valid_day_rule=valid_day_rule,
    )


def _wide_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if isinstance(c, str) and _is_wide(c)]


def _is_wide(name: str) -> bool:
    head, sep, tail = name.rpartition("_D")
    return bool(sep) and head in ACTIVITIES and tail.isdigit()


def _build_participants_only(
    p: ParticipantTable, file: str, *, source: str, notes: Sequence[str]
) -> xr.Dataset:
    df = p.frame
    validate.check_columns(df, ["walking_min", "walking_mets"], file, what="exposure")
    wmin = validate.to_numeric(df, "walking_min", file)
    validate.check_range(df, wmin, "walking_min", file, low=0.0, rule="negative time")
    validate.check_range(
        df,
        wmin,
        "walking_min",
        file,
        high=1440.0,
        rule="walking_min above 1,440 min (24 h) a day",
        hint="walking_min is minutes per day; values this large look like seconds (divide by 60)",
    )
    wmets = validate.to_numeric(df, "walking_mets", file)
    validate.check_range(
        df,
        wmets,
        "walking_mets",
        file,
        low=1.0,
        high=20.0,
        rule="walking_mets must be a MET value between 1 and 20",
    )
    data = {
        "walking_min": ("participant", wmin.to_numpy()),
        "walking_mets": ("participant", wmets.to_numpy()),
    }
    if "valid_days" in df.columns:
        vd = validate.to_numeric(df, "valid_days", file)
        validate.check_range(
            df, vd, "valid_days", file, low=0.0, high=MAX_DAYS, rule="valid_days must be 0..7"
        )
        data["valid_days"] = ("participant", vd.fillna(-1).to_numpy().astype(np.int16))
    ds = xr.Dataset(data, coords={"participant": p.ids.to_numpy(dtype=object)})
    ds["walking_min"].attrs = {"units": "min/day", "long_name": "mean daily walking time"}
    ds["walking_mets"].attrs = {"units": "MET", "long_name": "time-weighted walking intensity"}
    ds.attrs["class_mets"] = json.dumps(None)
    have = np.isfinite(wmin.to_numpy()) & np.isfinite(wmets.to_numpy())
    steps = [
        ("outcome recorded", np.isfinite(p.outcome)),
        ("with walking_min and walking_mets", have),
        (covariate_step(p.required), complete_cases(p)),
    ]
    keep, flow = apply_exclusions(p, file, steps)
    return finish_cohort(
        ds,
        p,
        keep,
        flow,
        source=source,
        file=file,
        daily_file=None,
        notes=[*notes, "participants-only import: exposures precomputed, no daily records"],
        valid_day_rule=None,
    )
