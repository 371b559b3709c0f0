"""Plateau and threshold estimands, computed draw by draw from the curve (any form).

Definitions (DESIGN "Estimands"), for one draw ``f`` of the log-RR curve on the grid
``x_1 < ... < x_K`` (the exposure's 1st..99th percentile):

- remaining benefit ``R(x) = f(x) - min_{x' >= x} f(x')``: the further log-risk reduction
  still available by walking more than ``x`` (within the observed range); ``R >= 0`` and
  ``R(x_K) = 0``.
- plateau onset ``x* = min{x : R(x) <= delta}``, with ``delta = -log(0.98)`` by default
  (less than 2% further risk reduction). ``R`` is linear between grid points when ``f`` is,
  so ``x*`` is found by linear interpolation of ``R`` between the last grid point above
  ``delta`` and the first at or below it.
- censoring: ``R`` shrinks to 0 at the upper end of the grid for *every* curve, because
  there is little exposure left to gain from, so a curve that keeps falling to the end
  (e.g. a straight line) would show an "onset" just below ``x_K``. An onset inside the last
  ``tail`` fraction of the grid range (default 10%) is therefore not counted as a plateau:
  that draw is *censored* (no plateau within the observed range) and its onset is ``+inf``.
  Censored draws count as "not near" in ``P(|x* - near| <= within)``.
- minimal dose for a target RR: the smallest ``x`` with ``RR(x) <= target`` (interpolated),
  ``+inf`` when the draw never reaches it within the grid.
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from bayes_walk.estimands.draws import grid_dim, grid_values

DEFAULT_DELTA: float = -math.log(0.98)
DEFAULT_NEAR: float = 100.0
DEFAULT_WITHIN: float = 10.0
DEFAULT_TAIL: float = 0.10


def _as_grid_last(curve: xr.DataArray) -> tuple[xr.DataArray, str, np.ndarray]:
    g = grid_dim(curve)
    return curve.transpose(..., g), g, grid_values(curve)


def remaining_benefit(curve: xr.DataArray) -> xr.DataArray:
    """``R(x) = f(x) - min_{x' >= x} f(x')`` per draw (same dims as ``curve``).

    ``R`` is on the log-RR scale; ``1 - exp(-R)`` is the further relative risk reduction.
    """
    arr, _, _ = _as_grid_last(curve)
    v = np.asarray(arr.values, dtype=float)
    tail_min = np.minimum.accumulate(v[..., ::-1], axis=-1)[..., ::-1]
    out = arr.copy(data=v - tail_min)
    out.name = "remaining_benefit"
    return out.transpose(*curve.dims)


def first_crossing(grid: np.ndarray, values: np.ndarray, level: float) -> np.ndarray:
    """Smallest ``x`` with ``values(x) <= level`` along the last axis, interpolated.

    ``values`` is taken as linear between grid points. Returns ``+inf`` where no grid
    value is at or below ``level`` and ``grid[0]`` where the first one already is.
    """
    below = values <= level
    any_below = below.any(axis=-1)
    i = np.argmax(below, axis=-1)
    ip = np.maximum(i - 1, 0)
    v_i = np.take_along_axis(values, i[..., None], axis=-1)[..., 0]
    v_p = np.take_along_axis(values, ip[..., None], axis=-1)[..., 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(v_p > v_i, (v_p - level) / (v_p - v_i), 1.0)
    x = grid[ip] + np.clip(frac, 0.0, 1.0) * (grid[i] - grid[ip])
    x = np.where(i == 0, grid[0], x)
    return np.where(any_below, x, np.inf)


def plateau_onset(
    curve: xr.DataArray,
    *,
    delta: float = DEFAULT_DELTA,
    tail: float = DEFAULT_TAIL,
) -> xr.DataArray:
    """Plateau onset ``x*`` per draw; ``+inf`` for draws censored at the grid's end.

    Parameters
    ----------
    curve
        Log-RR curve draws with a ``<exposure>_grid`` dim.
    delta
        Remaining-benefit threshold on the log-RR scale (default ``-log(0.98)``).
    tail
        Fraction of the grid range at its upper end in which an onset is censored
        (see module docstring). 0 disables censoring.

    Returns
    -------
    xr.DataArray
        The curve's dims without the grid; attrs ``delta``, ``tail``, ``censor_from``.
    """
    if delta < 0:
        raise ValueError(f"delta must be >= 0, got {delta}")
    if not 0 <= tail < 1:
        raise ValueError(f"tail must lie in [0, 1), got {tail}")
    r = remaining_benefit(curve)
    arr, g, grid = _as_grid_last(r)
    x = first_crossing(grid, np.asarray(arr.values, dtype=float), delta)
    censor_from = grid[-1] - tail * (grid[-1] - grid[0])
    if tail > 0:
        x = np.where(x > censor_from, np.inf, x)
    dims = [d for d in arr.dims if d != g]
    coords = {k: c for k, c in arr.coords.items() if g not in c.dims}
    return xr.DataArray(
        x,
        dims=dims,
        coords=coords,
        name="plateau_onset",
        attrs={"delta": delta, "tail": tail, "censor_from": float(censor_from)},
    )


def minimal_dose(curve: xr.DataArray, target_rr: float) -> xr.DataArray:
    """Smallest exposure with ``RR(x) <= target_rr`` per draw; ``+inf`` if never reached."""
    if not target_rr > 0:
        raise ValueError(f"target_rr must be > 0, got {target_rr}")
    arr, g, grid = _as_grid_last(curve)
    x = first_crossing(grid, np.asarray(arr.values, dtype=float), math.log(target_rr))
    dims = [d for d in arr.dims if d != g]
    coords = {k: c for k, c in arr.coords.items() if g not in c.dims}
    return xr.DataArray(
        x, dims=dims, coords=coords, name="minimal_dose", attrs={"target_rr": target_rr}
    )


def near_probability(
    onset: xr.DataArray, *, near: float = DEFAULT_NEAR, within: float = DEFAULT_WITHIN
) -> xr.DataArray:
    """``P(|x* - near| <= within)`` over the sample dims (censored draws count as not near)."""
    dims = [d for d in ("chain", "draw") if d in onset.dims]
    hit = np.abs(onset - near) <= within
    return hit.astype(float).mean(dims)
