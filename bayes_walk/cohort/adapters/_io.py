"""Reading participants and daily tables from CSV or Parquet (chosen by file suffix)."""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from bayes_walk.cohort.adapters._dialect import check_frame, check_header, read_text, sniff
from bayes_walk.cohort.build import build_cohort
from bayes_walk.cohort.validate import ID
from bayes_walk.errors import CohortError

CSV_SUFFIXES = (".csv", ".txt", ".tsv", ".csv.gz", ".tsv.gz")
PARQUET_SUFFIXES = (".parquet", ".pq")


def read_table(
    path: str | os.PathLike[str], *, id_columns: tuple[str, ...] = (ID, "SubjectID")
) -> pd.DataFrame:
    """Read a CSV (``.csv``, ``.tsv``, ``.txt``, gzipped too) or Parquet table.

    The id columns are read as text so that ids such as ``"007"`` keep their leading zeros.

    Raises
    ------
    CohortError
        If the file is missing, empty, of an unknown type or cannot be parsed.
    """
    p = Path(path)
    name = str(p)
    if not p.exists():
        raise CohortError("file not found", file=name)
    if p.is_dir():
        raise CohortError("is a directory, not a table file", file=name)
    if p.stat().st_size == 0:
        raise CohortError("empty file (0 bytes)", file=name)
    lower = p.name.lower()
    try:
        if lower.endswith(PARQUET_SUFFIXES):
            df = pd.read_parquet(p)
            check_frame(df, name)
            for col in id_columns:
                if col in df.columns and not pd.api.types.is_string_dtype(df[col]):
                    df[col] = _ids_as_text(df[col])
        elif lower.endswith(CSV_SUFFIXES):
            text = read_text(p, name)
            dialect = sniff(text, "\t" if ".tsv" in lower else ",")
            check_header(text, dialect, name)
            df = pd.read_csv(
                io.StringIO(text),
                sep=dialect.sep,
                decimal=dialect.decimal,
                dtype=dict.fromkeys(id_columns, str),
                skipinitialspace=True,
            )
        else:
            raise CohortError(
                "unknown file type",
                file=name,
                hint="use .csv (or .tsv/.txt, optionally .gz) or .parquet",
            )
    except CohortError:
        raise
    except pd.errors.EmptyDataError as exc:
        raise CohortError("empty file: no header and no data rows", file=name) from exc
    except Exception as exc:  # parser and Arrow errors come in many classes
        raise CohortError(
            f"cannot read the table ({type(exc).__name__}: {exc})", file=name
        ) from exc
    df.columns = [str(c).strip() for c in df.columns]
    return df


def refuse_empty(df: pd.DataFrame, file: str) -> None:
    """Refuse a daily table without data rows (or without columns)."""
    if df.empty:
        raise CohortError("empty file: no data rows", file=file)


def import_daily(
    participants_path: str | os.PathLike[str],
    daily_path: str | os.PathLike[str] | None,
    *,
    needs_daily: str,
    to_daily: Callable[[pd.DataFrame, str], tuple[pd.DataFrame, Sequence[str]]],
    check_daily: Callable[[pd.DataFrame, str], None] = refuse_empty,
    build: Callable[..., xr.Dataset] = build_cohort,
    **build_opts: object,
) -> xr.Dataset:
    """The shared path of the adapters whose format needs a daily table.

    Refuse a missing daily table (``needs_daily`` is the message), read both tables,
    refuse an empty daily file (``check_daily``), convert the daily rows with
    ``to_daily(raw, daily_file) -> (daily, notes)`` and hand everything to ``build``
    (:func:`~bayes_walk.cohort.build.build_cohort` by default) with ``build_opts``.
    """
    pfile = str(participants_path)
    if daily_path is None:
        raise CohortError(needs_daily, file=pfile)
    dfile = str(daily_path)
    participants = read_table(participants_path)
    raw = read_table(daily_path)
    check_daily(raw, dfile)
    daily, notes = to_daily(raw, dfile)
    return build(participants, daily, file=pfile, daily_file=dfile, notes=notes, **build_opts)


def _ids_as_text(ids: pd.Series) -> pd.Series:
    # integer ids stored as float (because of a missing value) print without ".0"
    if pd.api.types.is_float_dtype(ids):
        v = ids.to_numpy()
        whole = np.isfinite(v) & (v == np.round(v))
        out = ids.astype(object)
        out[whole] = [f"{x:.0f}" for x in v[whole]]
        return out.where(ids.notna(), None)
    return ids.astype(object).where(ids.notna(), None).map(lambda x: x if x is None else str(x))
