"""Risk ratios at given exposure values, read off the stored curve draws.

The curve is stored on a grid spanning the exposure's 1st..99th percentile (plus round
values); values in between are linearly interpolated on the log-RR scale, values outside
the grid are NaN (the data say nothing there, and extrapolating a spline or GP would be a
guess).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr

from bayes_walk.estimands.draws import grid_dim, grid_values, interval, probability

# Round values at which summaries report the curve (DESIGN "summary" JSON "curve").
ROUND_VALUES: dict[str, tuple[float, ...]] = {
    "walking_min": (40.0, 60.0, 78.0, 100.0, 125.0, 150.0, 175.0),
    "walking_mets": (2.8, 2.9, 3.0, 3.1, 3.2, 3.3, 3.4, 3.5, 3.6),
}
UNITS: dict[str, str] = {"walking_min": "min/day", "walking_mets": "MET"}
LABELS: dict[str, str] = {
    "walking_min": "Walking volume",
    "walking_mets": "Walking intensity",
}


def interp_weights(grid: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Indices and weights for linear interpolation of values on ``grid`` at ``x``.

    Returns ``(i0, i1, w)`` so that ``v[i0] * (1 - w) + v[i1] * w`` interpolates; ``w`` is
    NaN for ``x`` outside ``[grid[0], grid[-1]]``.
    """
    x = np.asarray(x, dtype=float)
    i1 = np.clip(np.searchsorted(grid, x, side="left"), 1, grid.size - 1)
    i0 = i1 - 1
    w = (x - grid[i0]) / (grid[i1] - grid[i0])
    # exact grid hits are taken as they are (no rounding from the weights)
    w = np.where(x == grid[i0], 0.0, np.where(x == grid[i1], 1.0, w))
    outside = (x < grid[0]) | (x > grid[-1]) | ~np.isfinite(x)
    return i0, i1, np.where(outside, np.nan, w)


def logrr_at(
    curve: xr.DataArray, x: Sequence[float] | np.ndarray, *, dim: str = "x"
) -> xr.DataArray:
    """Log-RR draws at exposure values ``x`` (linear interpolation along the grid).

    Parameters
    ----------
    curve
        Curve draws with a ``<exposure>_grid`` dim.
    x
        Exposure values; those outside the grid give NaN.
    dim
        Name of the new dim holding ``x`` (coordinate = the values).

    Returns
    -------
    xr.DataArray
        The curve's other dims plus ``dim``.
    """
    g = grid_dim(curve)
    grid = grid_values(curve)
    xs = np.atleast_1d(np.asarray(x, dtype=float))
    i0, i1, w = interp_weights(grid, xs)
    arr = curve.transpose(..., g)
    v = np.asarray(arr.values, dtype=float)
    wv = np.where(np.isnan(w), 0.0, w)
    out = v[..., i0] * (1.0 - wv) + v[..., i1] * wv
    out = np.where(np.isnan(w), np.nan, out)
    dims = [d for d in arr.dims if d != g] + [dim]
    coords = {k: c for k, c in arr.coords.items() if g not in c.dims}
    coords[dim] = xs
    return xr.DataArray(out, dims=dims, coords=coords, name=curve.name, attrs=dict(curve.attrs))


def p_benefit(lr: xr.DataArray) -> xr.DataArray:
    """``P(RR < 1)`` from log-RR draws; NaN where it is undefined.

    Undefined outside the grid (NaN draws) and at the reference itself, where every draw
    of the log-RR is zero and ``P(RR < 1) = 0`` would read as "certainly no benefit".
    """
    dims = [d for d in ("chain", "draw") if d in lr.dims]
    at_reference = (np.abs(lr) <= 1e-12).all(dims)
    finite = np.isfinite(lr).all(dims)
    return probability(lr < 0).where(finite & ~at_reference)


def rr_summary(
    curve: xr.DataArray,
    x: Sequence[float] | np.ndarray,
    *,
    prob: float = 0.95,
    hdi: bool = False,
) -> xr.Dataset:
    """RR at ``x``: posterior median, interval and probability of benefit ``P(RR < 1)``.

    Intervals are taken on the log-RR scale and exponentiated (for equal-tailed intervals
    this is the same as on the RR scale).
    """
    lr = logrr_at(curve, x)
    out = np.exp(interval(lr, prob=prob, hdi=hdi))
    out["p_benefit"] = p_benefit(lr)
    out.attrs = {"prob": prob, "kind": "hdi" if hdi else "equal-tailed"}
    return out


def round_values_in_grid(curve: xr.DataArray, exposure: str) -> list[float]:
    """The exposure's round reporting values that lie inside the curve's grid.

    Exposures without preset round values get 7 evenly spaced values across the grid.
    """
    grid = grid_values(curve)
    preset = ROUND_VALUES.get(exposure)
    if preset is None:
        return [float(v) for v in np.linspace(grid[0], grid[-1], 7)]
    return [float(v) for v in preset if grid[0] <= v <= grid[-1]]


def rr_frame(
    curve: xr.DataArray,
    x: Sequence[float] | np.ndarray,
    *,
    reference: float | None = None,
    prob: float = 0.95,
    hdi: bool = False,
):
    """RR at ``x`` versus ``reference`` as a tidy table.

    Parameters
    ----------
    curve
        Curve draws (log-RR versus the curve's own reference) with a ``<exposure>_grid`` dim.
    x
        Exposure values; those outside the grid give NaN.
    reference
        Another reference value (the curve is shifted by its value there, draw by draw);
        None keeps the curve's own.

    Returns
    -------
    pandas.DataFrame
        Columns ``x``, ``rr_median``, ``rr_lo``, ``rr_hi``, ``p_benefit`` (and ``stratum``
        first for stratum curves), one row per value (and stratum).
    """
    import pandas as pd

    xs = np.atleast_1d(np.asarray(x, dtype=float))
    lr = logrr_at(curve, xs)
    if reference is not None:
        lr = lr - logrr_at(curve, [float(reference)]).isel(x=0, drop=True)
    iv = np.exp(interval(lr, prob=prob, hdi=hdi))
    p = p_benefit(lr)
    strata = [str(s) for s in curve["stratum"].values] if "stratum" in curve.dims else [None]
    rows = []
    for k, stratum in enumerate(strata):

        def sel(d, k=k, stratum=stratum):
            return d.isel(stratum=k) if stratum is not None else d

        for i, xv in enumerate(xs):
            row = {"stratum": stratum} if stratum is not None else {}
            row.update(
                {
                    "x": float(xv),
                    "rr_median": float(sel(iv["median"]).values[i]),
                    "rr_lo": float(sel(iv["lo"]).values[i]),
                    "rr_hi": float(sel(iv["hi"]).values[i]),
                    "p_benefit": float(sel(p).values[i]),
                }
            )
            rows.append(row)
    return pd.DataFrame(rows)
