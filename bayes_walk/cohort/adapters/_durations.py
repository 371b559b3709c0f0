"""Durations in source tables -> seconds (timedelta, "0 days 01:02:03" text or numbers)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bayes_walk.cohort import validate
from bayes_walk.errors import CohortError, show_value


def to_seconds(df: pd.DataFrame, column: str, file: str, *, number_unit_s: float) -> pd.Series:
    """``df[column]`` in seconds.

    Timedeltas convert exactly; plain numbers are multiplied by ``number_unit_s`` (1 for
    seconds, 60 for minutes); text is parsed as a pandas timedelta (``"0 days 01:02:03"``,
    ``"01:02:03"``) when it is not a plain number.
    """
    raw = df[column]
    if pd.api.types.is_timedelta64_dtype(raw):
        return raw.dt.total_seconds().astype(np.float64)
    if pd.api.types.is_numeric_dtype(raw) or pd.api.types.is_bool_dtype(raw):
        return raw.astype(np.float64) * number_unit_s
    num = pd.to_numeric(raw, errors="coerce")
    text = raw.astype("string").str.strip()
    blank = raw.isna() | (text == "").fillna(True)
    if (num.notna() | blank).all():
        return num.astype(np.float64) * number_unit_s
    td = pd.to_timedelta(text.where(~blank, None), errors="coerce")
    bad = td.isna() & ~blank
    if bad.any():
        examples = ", ".join(show_value(v) for v in pd.unique(raw[bad])[:3])
        raise CohortError(
            f"non-numeric values (e.g. {examples}) where a duration is expected",
            file=file,
            column=column,
            ids=validate._ids(df, bad),
            hint="give seconds as numbers or durations like '0 days 01:02:03'",
        )
    return td.dt.total_seconds().astype(np.float64)
