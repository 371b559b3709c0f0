"""What ``pandas.read_csv`` does not check: encoding, delimiter, decimal comma, header.

A table exported by a spreadsheet in a European locale is separated by semicolons and
writes ``2,5`` for 2.5; a table saved as Latin-1 has bytes that are not UTF-8; a header
with a column twice is silently renamed by pandas (``walking_min.1``). Each is detected
here from the raw text, so the table is read correctly or refused with the file, the row
and the column named.
"""

from __future__ import annotations

import csv
import gzip
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from bayes_walk.errors import CohortError

DELIMITERS = (",", ";", "\t", "|")
_DECIMAL_COMMA = re.compile(r"^\s*-?\d+,\d+\s*$")
_UTF8_HINT = (
    "table files must be UTF-8 text; re-save it as UTF-8 (spreadsheets: 'CSV UTF-8'), "
    "or convert it, e.g. iconv -f latin1 -t utf-8"
)


@dataclass(frozen=True)
class Dialect:
    """How a CSV table is written: field separator and decimal mark."""

    sep: str
    decimal: str


def read_text(path: Path, name: str) -> str:
    """The whole file as text; refuses bytes that are not UTF-8, naming row and column."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as fh:
        raw = fh.read()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a UTF-8 byte-order mark, as spreadsheets write it
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _encoding_error(raw, exc.start, name) from None


def _encoding_error(raw: bytes, offset: int, name: str) -> CohortError:
    line_start = raw.rfind(b"\n", 0, offset) + 1
    line_no = raw.count(b"\n", 0, offset) + 1
    header = raw.split(b"\n", 1)[0].decode("utf-8", "replace").rstrip("\r")
    sep = _guess_sep(header, ",")
    before = raw[line_start:offset].decode("utf-8", "replace")
    field = before.count(sep)
    names = next(csv.reader([header], delimiter=sep), [])
    column = names[field].strip() if field < len(names) else None
    where = "the header line" if line_no == 1 else f"data row {line_no - 1} (line {line_no})"
    return CohortError(
        f"byte 0x{raw[offset]:02x} at byte offset {offset} in {where} is not valid UTF-8",
        file=name,
        column=column,
        hint=_UTF8_HINT,
    )


def _guess_sep(header: str, default: str) -> str:
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else default


def sniff(text: str, default_sep: str) -> Dialect:
    """The separator (from the header line) and the decimal mark (from the data rows)."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        return Dialect(default_sep, ".")
    sep = _guess_sep(lines[0], default_sep)
    decimal = "."
    if sep != ",":
        sample = lines[1:200]
        cells = [c for ln in sample for c in ln.split(sep)]
        if any(_DECIMAL_COMMA.match(c) for c in cells):
            decimal = ","
    return Dialect(sep, decimal)


def check_header(text: str, dialect: Dialect, name: str) -> None:
    """Refuse a header that names a column twice (pandas would rename it ``x.1``)."""
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    names = [c.strip() for c in next(csv.reader([first], delimiter=dialect.sep), [])]
    dup = [c for c, k in Counter(names).items() if k > 1 and c]
    if dup:
        raise CohortError(
            f"the header names this column {Counter(names)[dup[0]]} times",
            file=name,
            column=dup[0],
            hint="each column must appear once; rename or remove the duplicates",
        )


def check_frame(df: pd.DataFrame, name: str) -> None:
    """Refuse duplicated column names and cells that hold lists or arrays (Parquet)."""
    cols = [str(c).strip() for c in df.columns]
    dup = [c for c, k in Counter(cols).items() if k > 1]
    if dup:
        raise CohortError(
            "the table has this column more than once",
            file=name,
            column=dup[0],
            hint="each column must appear once",
        )
    for col in df.columns:
        if df[col].dtype != object:
            continue
        values = df[col].dropna()
        nested = values.map(lambda v: isinstance(v, list | tuple | dict | set | np.ndarray))
        if nested.any():
            row = int(np.flatnonzero(nested.to_numpy())[0])
            raise CohortError(
                f"cells hold lists or arrays (first at data row {row + 1}), not single values",
                file=name,
                column=str(col).strip(),
                hint="each cell must be one number or one text value",
            )
