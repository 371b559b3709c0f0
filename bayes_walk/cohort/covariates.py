"""Participant covariates from a table: paper codings, integer codes, extra columns.

Categorical covariates with a known coding (``schema.paper_levels()``: sex, education,
income, employment, smoking, depression) accept either

* the level labels, matched ignoring case and surrounding spaces, or
* **0-based integer codes**: ``0`` is the first level in the paper's order, ``k-1`` the
  last (the same codes the cohort file stores). Sex: 0 = female, 1 = male;
  depression: 0 = no, 1 = yes.

Anything else (a code out of range, a label not in the list) is an "unknown category"
error. ``municipality`` is always categorical (levels sorted). Other extra columns become
covariates: numeric ones as float, text ones as categoricals with sorted levels.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from bayes_walk.cohort import validate
from bayes_walk.cohort.schema import paper_levels
from bayes_walk.errors import CohortError, show_value

ALWAYS_CATEGORICAL: tuple[str, ...] = ("municipality",)
NUMERIC_KNOWN: tuple[str, ...] = ("age", "followup_years")


def categorical_from_known(
    df: pd.DataFrame, column: str, levels: Sequence[str], file: str
) -> pd.Categorical:
    """Labels or 0-based codes of ``df[column]`` as an ordered categorical over ``levels``."""
    raw = df[column]
    k = len(levels)
    lookup = {str(lv).strip().lower(): lv for lv in levels}
    out = np.full(len(raw), None, dtype=object)
    missing = raw.isna().to_numpy()
    if pd.api.types.is_bool_dtype(raw):
        raw = raw.astype(np.int64)
    if pd.api.types.is_numeric_dtype(raw):
        codes = raw.to_numpy(dtype=np.float64)
        is_code = ~missing
        text_ok = np.zeros(len(raw), dtype=bool)
    else:
        text = raw.astype("string").str.strip()
        missing = missing | (text == "").fillna(True).to_numpy()
        mapped = text.str.lower().map(lookup)
        text_ok = mapped.notna().to_numpy()
        out[text_ok] = mapped[text_ok].to_numpy()
        codes = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64)
        is_code = ~text_ok & ~missing & np.isfinite(codes)
    valid_code = is_code & np.isfinite(codes) & (codes == np.round(codes))
    valid_code &= (codes >= 0) & (codes <= k - 1)
    out[valid_code] = [levels[int(c)] for c in codes[valid_code]]
    bad = ~missing & ~text_ok & ~valid_code
    if bad.any():
        examples = ", ".join(show_value(v) for v in pd.unique(df.loc[bad, column])[:3])
        raise CohortError(
            f"unknown category (found {examples})",
            file=file,
            column=column,
            ids=validate._ids(df, bad),
            hint=(
                f"use one of the labels {list(levels)} or the 0-based codes 0..{k - 1} "
                f"(0 = {levels[0]!r}); 1-based codes must be shifted down by 1"
            ),
        )
    return pd.Categorical(out, categories=list(levels), ordered=True)


def _natural(v: str) -> tuple[int, float, str]:
    # numeric labels (municipality codes) sort as numbers: "2" before "10"
    try:
        return (0, float(v), v)
    except ValueError:
        return (1, 0.0, v)


def categorical_from_text(df: pd.DataFrame, column: str) -> pd.Categorical:
    """Any column as a categorical with sorted levels (whole numbers shown without '.0')."""
    raw = df[column]

    def label(v: object) -> str | None:
        if v is None or (isinstance(v, float) and not np.isfinite(v)) or v is pd.NA:
            return None
        if isinstance(v, float | np.floating) and float(v).is_integer():
            return f"{float(v):.0f}"
        text = str(v).strip()
        return text or None

    text = pd.Series([label(v) for v in raw.to_numpy(dtype=object)], dtype=object)
    levels = sorted({str(v) for v in text.dropna()}, key=_natural)
    return pd.Categorical(text.to_numpy(dtype=object), categories=levels, ordered=True)


def parse_covariates(
    df: pd.DataFrame, columns: Sequence[str], file: str
) -> dict[str, tuple[str, object]]:
    """Parse each covariate column.

    Returns
    -------
    dict
        ``name -> ("numeric", float array)`` or ``name -> ("categorical", pd.Categorical)``.
    """
    known = paper_levels()
    out: dict[str, tuple[str, object]] = {}
    for col in columns:
        if col in known:
            out[col] = ("categorical", categorical_from_known(df, col, known[col], file))
        elif col in ALWAYS_CATEGORICAL:
            out[col] = ("categorical", categorical_from_text(df, col))
        elif col in NUMERIC_KNOWN or pd.api.types.is_numeric_dtype(df[col]):
            out[col] = ("numeric", validate.to_numeric(df, col, file).to_numpy())
        else:
            num = pd.to_numeric(df[col], errors="coerce")
            if num.notna().sum() == df[col].notna().sum():
                out[col] = ("numeric", num.to_numpy(dtype=np.float64))
            else:
                out[col] = ("categorical", categorical_from_text(df, col))
    return out
