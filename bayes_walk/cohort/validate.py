"""Input rules for cohort imports; every broken rule raises :class:`CohortError`.

Each check names the file, the column, the first offending participant ids and the rule,
so that a user can find the bad rows without a traceback. The checks are vectorised: they
run on whole columns, never per participant.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from bayes_walk.cohort.schema import SECONDS_PER_DAY
from bayes_walk.errors import CohortError, show_value

ID = "participant_id"
DAY = "day"
MAX_DAYS = 7
# A worn day in seconds totals thousands; a median day total below one day's minutes
# (1,440) means the table holds minutes.
MINUTES_SUSPECT_BELOW = 1_440.0


def _ids(df: pd.DataFrame, mask: np.ndarray | pd.Series) -> list[str]:
    m = np.asarray(mask, dtype=bool)
    ids = df[ID].to_numpy()[m] if ID in df.columns else np.flatnonzero(m) + 1
    return list(dict.fromkeys(str(i) for i in ids))


def check_not_empty(df: pd.DataFrame, file: str) -> None:
    """The table has at least one column and one row."""
    if df.shape[1] == 0 or df.shape[0] == 0:
        raise CohortError(
            "empty file: no data rows",
            file=file,
            hint="the file needs a header and one row per record",
        )


def check_columns(df: pd.DataFrame, columns: Iterable[str], file: str, *, what: str) -> None:
    """Every name in ``columns`` is a column of ``df``."""
    for col in columns:
        if col not in df.columns:
            shown = ", ".join(map(str, list(df.columns)[:12]))
            raise CohortError(
                f"required {what} column is missing",
                file=file,
                column=col,
                hint=f"columns found: {shown}",
            )


def check_ids(df: pd.DataFrame, file: str) -> None:
    """Participant ids are present and unique."""
    check_columns(df, [ID], file, what="id")
    ids = df[ID]
    missing = ids.isna() | (ids.astype(str).str.strip() == "")
    if missing.any():
        rows = (np.flatnonzero(missing.to_numpy()) + 2).tolist()  # +2: header and 1-based
        raise CohortError(
            f"participant id missing on data row(s) {', '.join(map(str, rows[:5]))}",
            file=file,
            column=ID,
        )
    dup = ids.duplicated(keep=False).to_numpy()
    if dup.any():
        raise CohortError("duplicate participant ids", file=file, column=ID, ids=_ids(df, dup))


def to_numeric(df: pd.DataFrame, column: str, file: str) -> pd.Series:
    """``df[column]`` as float64; any non-empty value that is not a number is an error."""
    raw = df[column]
    if pd.api.types.is_bool_dtype(raw):
        return raw.astype(np.float64)
    if pd.api.types.is_numeric_dtype(raw):
        return raw.astype(np.float64)
    num = pd.to_numeric(raw, errors="coerce")
    text = raw.astype("string").str.strip()
    bad = num.isna() & raw.notna() & (text != "") & ~text.str.lower().isin(["na", "nan"])
    if bad.any():
        examples = ", ".join(show_value(v) for v in pd.unique(raw[bad])[:3])
        raise CohortError(
            f"non-numeric values (e.g. {examples})",
            file=file,
            column=column,
            ids=_ids(df, bad),
            hint="the column must hold numbers; leave a cell empty for a missing value",
        )
    return num.astype(np.float64)


def check_outcome(df: pd.DataFrame, file: str, column: str = "clbp") -> pd.Series:
    """The outcome column exists and holds only 0, 1 or missing; returns it as float."""
    check_columns(df, [column], file, what="outcome")
    y = to_numeric(df, column, file)
    bad = y.notna() & ~y.isin([0.0, 1.0])
    if bad.any():
        examples = ", ".join(show_value(v) for v in pd.unique(df.loc[bad, column])[:3])
        raise CohortError(
            f"outcome must be 0 or 1 (found {examples})",
            file=file,
            column=column,
            ids=_ids(df, bad),
        )
    return y


def check_range(
    df: pd.DataFrame,
    values: pd.Series,
    column: str,
    file: str,
    *,
    low: float | None = None,
    high: float | None = None,
    rule: str,
    hint: str | None = None,
) -> None:
    """Values outside ``[low, high]`` (NaN ignored) are an error with ``rule`` as message."""
    v = values.to_numpy(dtype=np.float64)
    bad = np.zeros(v.shape, dtype=bool)
    with np.errstate(invalid="ignore"):
        if low is not None:
            bad |= v < low
        if high is not None:
            bad |= v > high
    if bad.any():
        raise CohortError(rule, file=file, column=column, ids=_ids(df, bad), hint=hint)


def check_daily_seconds(
    df: pd.DataFrame, classes: Sequence[str], file: str, *, unit_hint: str | None = None
) -> None:
    """Daily activity times in seconds: non-negative, at most 86,400 a day, not minutes.

    ``df`` holds numeric (float) class columns; NaN is a missing value.
    """
    block = df[list(classes)].to_numpy(dtype=np.float64)
    for j, col in enumerate(classes):
        neg = block[:, j] < 0
        if neg.any():
            raise CohortError(
                "negative time", file=file, column=col, ids=_ids(df, neg), hint=unit_hint
            )
    total = np.nansum(block, axis=1)
    over = total > SECONDS_PER_DAY
    if over.any():
        raise CohortError(
            f"more than {SECONDS_PER_DAY:,} s (24 h) in a day across the activity columns",
            file=file,
            column=", ".join(classes),
            ids=_ids(df, over),
            hint=unit_hint or "times must be seconds per day",
        )
    recorded = total[np.isfinite(block).any(axis=1) & (total > 0)]
    if recorded.size and float(np.median(recorded)) < MINUTES_SUSPECT_BELOW:
        raise CohortError(
            f"day totals look like minutes, not seconds (median day total "
            f"{float(np.median(recorded)):.0f}, a worn day has tens of thousands of seconds)",
            file=file,
            column=", ".join(classes),
            hint="convert minutes to seconds (x 60) before importing",
        )


def check_days(df: pd.DataFrame, file: str) -> None:
    """Day numbers are whole numbers 1..7 and no (participant, day) pair repeats."""
    d = df[DAY].to_numpy(dtype=np.float64)
    bad = ~np.isfinite(d) | (d < 1) | (d > MAX_DAYS) | (d != np.round(d))
    if bad.any():
        raise CohortError(
            f"day must be a whole number from 1 to {MAX_DAYS}",
            file=file,
            column=DAY,
            ids=_ids(df, bad),
            hint="the cohort holds at most 7 measurement days; drop extra or partial days first",
        )
    dup = df.duplicated([ID, DAY], keep=False).to_numpy()
    if dup.any():
        raise CohortError(
            "the same participant and day appear more than once",
            file=file,
            column=DAY,
            ids=_ids(df, dup),
        )


def check_known_ids(
    daily: pd.DataFrame, known: pd.Index, file: str, participants_file: str
) -> None:
    """Every participant in the daily table is in the participants file."""
    unknown = ~daily[ID].isin(known).to_numpy()
    if unknown.any():
        raise CohortError(
            f"participant ids not in the participants file {participants_file}",
            file=file,
            column=ID,
            ids=_ids(daily, unknown),
        )
