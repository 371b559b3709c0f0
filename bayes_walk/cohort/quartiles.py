"""Quartile cuts, the paper's category labels, and categorisation of an exposure.

The paper reports walking volume as ``<78``, ``78-100``, ``101-124``, ``>=125`` (min/day)
and intensity as ``<3.00``, ``3.00-3.11``, ``3.12-3.26``, ``>=3.27`` (MET). Both follow
one rule: with ``step = 10**-decimals`` the labels are ``<c1``, ``c1-c2``,
``(c2+step)-c3``, ``>=(c3+step)``, every number rounded to ``decimals``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd


def quartile_cuts(x: np.ndarray | Sequence[float]) -> np.ndarray:
    """The 25th, 50th and 75th percentiles of the non-NaN values of ``x``.

    Parameters
    ----------
    x
        Exposure values; NaN entries are ignored.

    Returns
    -------
    np.ndarray
        Three cuts, float64, non-decreasing.

    Raises
    ------
    ValueError
        If ``x`` has no finite value.
    """
    arr = np.asarray(x, dtype=np.float64).ravel()
    arr = arr[np.isfinite(arr)]
    if arr.size == 0:
        raise ValueError("quartile_cuts needs at least one finite value")
    return np.percentile(arr, [25.0, 50.0, 75.0])


def _round(value: float, decimals: int) -> float:
    # half-up on the printed decimal value (62.5 -> 63), not Python's half-to-even
    q = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(q, rounding=ROUND_HALF_UP))


def _fmt(value: float, decimals: int) -> str:
    return f"{_round(value, decimals):.{decimals}f}"


def quartile_labels(cuts: Sequence[float], decimals: int = 0) -> list[str]:
    """Category labels in the paper's style for three cuts.

    Parameters
    ----------
    cuts
        The three cuts ``c1 <= c2 <= c3``.
    decimals
        Digits after the decimal point (0 for minutes, 2 for METs).

    Returns
    -------
    list of str
        Four labels, lowest category first.

    Examples
    --------
    >>> quartile_labels([78, 100, 124], 0)
    ['<78', '78-100', '101-124', '>=125']
    >>> quartile_labels([3.00, 3.11, 3.26], 2)
    ['<3.00', '3.00-3.11', '3.12-3.26', '>=3.27']
    """
    c = [float(v) for v in cuts]
    if len(c) != 3:
        raise ValueError(f"quartile_labels needs 3 cuts, got {len(c)}")
    if decimals < 0:
        raise ValueError("decimals must be >= 0")
    step = 10.0**-decimals
    # The paper's labels use rounded cuts, so the "+step" is applied after rounding.
    r = [_round(v, decimals) for v in c]
    return [
        f"<{_fmt(r[0], decimals)}",
        f"{_fmt(r[0], decimals)}-{_fmt(r[1], decimals)}",
        f"{_fmt(r[1] + step, decimals)}-{_fmt(r[2], decimals)}",
        f">={_fmt(r[2] + step, decimals)}",
    ]


def categorize(
    x: np.ndarray | Sequence[float],
    cuts: Sequence[float],
    labels: Sequence[str] | None = None,
) -> pd.Categorical:
    """Assign each value to a quartile category.

    Bins are ``[-inf, c1)``, ``[c1, c2)``, ``[c2, c3)``, ``[c3, inf)``; NaN stays NaN.

    Parameters
    ----------
    x
        Exposure values.
    cuts
        The three cuts.
    labels
        Category labels; default ``quartile_labels(cuts, 0)``. Pass the labels made with
        the exposure's precision (2 decimals for METs).

    Returns
    -------
    pd.Categorical
        Ordered categorical with the four labels as categories (all four, even if empty).
    """
    arr = np.asarray(x, dtype=np.float64).ravel()
    c = np.asarray(cuts, dtype=np.float64)
    if c.shape != (3,):
        raise ValueError(f"categorize needs 3 cuts, got shape {c.shape}")
    if np.any(np.diff(c) < 0):
        raise ValueError(f"cuts must be non-decreasing, got {c.tolist()}")
    labs = list(labels) if labels is not None else quartile_labels(c, 0)
    if len(labs) != 4:
        raise ValueError(f"categorize needs 4 labels, got {len(labs)}")
    codes = np.searchsorted(c, arr, side="right").astype(np.int64)
    codes[np.isnan(arr)] = -1
    return pd.Categorical.from_codes(codes, categories=labs, ordered=True)
