"""Plateau onset definitions: a registry of pure functions of curve draws.

Every definition maps draws ``f`` of a log-RR curve on the grid ``x_1 < ... < x_K`` to one
onset per draw, with the same output shape and rules as
:func:`bayes_walk.estimands.plateau.plateau_onset`:

- the result has the curve's dims without the grid (``chain``, ``draw``, ``stratum``...);
- a draw whose onset falls inside the last ``tail`` fraction of the grid range (default
  10%) is *censored*: no plateau inside the observed range, onset ``+inf`` (counts as not
  near in ``P(near)``);
- a draw with any NaN on the grid gets a NaN onset;
- every definition is unchanged by adding a constant to the curve, so the onset does not
  depend on the curve's reference.

Definitions (``name`` or ``name:parameter``; docs/estimands.md has the study behind them):

``min`` (default)
    ``R(x) = f(x) - min_{x' >= x} f(x')``; onset = first ``x`` with ``R(x) <= delta``.
``edge``
    benefit against the curve at the upper data edge, ``R_edge(x) = f(x) - f(x_K)``;
    onset = first ``x`` with ``R_edge(x) <= delta``.
``isotonic``
    ``R`` computed on the decreasing isotonic (least-squares, equal weight per grid
    point) projection ``g`` of each draw: ``R_iso(x) = g(x) - g(x_K)``; onset = first
    ``x`` with ``R_iso(x) <= delta``. Wiggles in a flat stretch are pooled into one level
    instead of leaving "remaining benefit" in every dip.
``ed[:q]``
    ED_q, the smallest ``x`` at which the curve has reached ``q`` % (default 95) of its
    total benefit within the observed range, ``f(x_1) - min_x f(x)``. A draw whose total
    benefit is at most ``delta`` has nothing to reach: its onset is ``x_1``.
``slope[:s]``
    first ``x`` after which the curve's slope stays small: every grid interval to the
    right has ``|f'| * (x_K - x_1) <= s`` (default 0.1: had the curve kept that slope over
    the whole observed range, it would change the log-RR by less than ``s``). Onset = the
    left end of the interval after the last steep one; ``x_1`` when none is steep.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import xarray as xr

from bayes_walk.errors import BayesWalkError
from bayes_walk.estimands.draws import grid_dim, grid_values
from bayes_walk.estimands.plateau import DEFAULT_DELTA, DEFAULT_TAIL, first_crossing

DEFAULT_DEFINITION = "min"
DEFAULT_ED_Q = 95.0
DEFAULT_SLOPE = 0.1


class OnsetDefinitionError(BayesWalkError):
    """An onset definition name or parameter that cannot be understood."""


# --- remaining-benefit curves R(x) per draw (numpy, grid on the last axis) ---------------


def _r_min(v: np.ndarray, grid: np.ndarray) -> np.ndarray:
    return v - np.minimum.accumulate(v[..., ::-1], axis=-1)[..., ::-1]


def _r_edge(v: np.ndarray, grid: np.ndarray) -> np.ndarray:
    return v - v[..., -1:]


def isotonic_decreasing(v: np.ndarray) -> np.ndarray:
    """Least-squares decreasing projection of each row of ``v`` (last axis), NaN rows kept."""
    from scipy.optimize import isotonic_regression

    flat = v.reshape(-1, v.shape[-1])
    out = np.full_like(flat, np.nan, dtype=float)
    for i, row in enumerate(flat):
        if np.all(np.isfinite(row)):
            out[i] = isotonic_regression(row, increasing=False).x
    return out.reshape(v.shape)


def _r_isotonic(v: np.ndarray, grid: np.ndarray) -> np.ndarray:
    g = isotonic_decreasing(v)
    return g - g[..., -1:]


# --- onsets per draw (numpy) --------------------------------------------------------------


def _crossing_of(remaining: Callable[[np.ndarray, np.ndarray], np.ndarray]):
    def onset(v: np.ndarray, grid: np.ndarray, delta: float, param: float | None) -> np.ndarray:
        return first_crossing(grid, remaining(v, grid), delta)

    return onset


def _onset_ed(v: np.ndarray, grid: np.ndarray, delta: float, param: float | None) -> np.ndarray:
    q = DEFAULT_ED_Q if param is None else param
    total = v[..., 0] - v.min(axis=-1)
    # drop from the start still missing to reach q% of the total benefit
    missing = (v[..., 0:1] - v) - (q / 100.0) * total[..., None]
    x = first_crossing(grid, -missing, 0.0)
    return np.where(total <= delta, grid[0], x)


def _onset_slope(v: np.ndarray, grid: np.ndarray, delta: float, param: float | None) -> np.ndarray:
    s = DEFAULT_SLOPE if param is None else param
    steep = np.abs(np.diff(v, axis=-1)) / np.diff(grid) * (grid[-1] - grid[0]) > s
    k = steep.shape[-1]
    any_steep = steep.any(axis=-1)
    last = k - 1 - np.argmax(steep[..., ::-1], axis=-1)  # index of the last steep interval
    return np.where(any_steep, grid[np.minimum(last + 1, k)], grid[0])


@dataclass(frozen=True)
class OnsetDefinition:
    """One onset definition: ``onset(values, grid, delta, param)`` and its description."""

    name: str
    onset: Callable[[np.ndarray, np.ndarray, float, float | None], np.ndarray]
    remaining: Callable[[np.ndarray, np.ndarray], np.ndarray]
    text: str
    param_name: str | None = None
    param_range: tuple[float, float] | None = None


ONSET_DEFINITIONS: dict[str, OnsetDefinition] = {
    "min": OnsetDefinition(
        "min",
        _crossing_of(_r_min),
        _r_min,
        "R(x) = f(x) - min over x' >= x of f(x') <= delta",
    ),
    "edge": OnsetDefinition(
        "edge",
        _crossing_of(_r_edge),
        _r_edge,
        "R_edge(x) = f(x) - f(upper edge of the data) <= delta",
    ),
    "isotonic": OnsetDefinition(
        "isotonic",
        _crossing_of(_r_isotonic),
        _r_isotonic,
        "R(x) <= delta on the decreasing isotonic projection of each curve draw",
    ),
    "ed": OnsetDefinition(
        "ed",
        _onset_ed,
        _r_min,
        "the curve has reached {p:g}% of its total benefit within the observed range (ED_{p:g})",
        "q",
        (0.0, 100.0),
    ),
    "slope": OnsetDefinition(
        "slope",
        _onset_slope,
        _r_min,
        "the slope stays below {p:g} (log-RR per observed range) from there on",
        "s",
        (0.0, np.inf),
    ),
}


def onset_definition_names() -> tuple[str, ...]:
    """Names of the registered onset definitions."""
    return tuple(ONSET_DEFINITIONS)


def parse_definition(spec: str) -> tuple[OnsetDefinition, float | None]:
    """``"ed:90"`` -> (the ``ed`` definition, 90.0); ``"min"`` -> (``min``, None)."""
    name, _, raw = str(spec).partition(":")
    name = name.strip().lower()
    if name not in ONSET_DEFINITIONS:
        raise OnsetDefinitionError(
            f"unknown onset definition '{spec}' (known: {', '.join(ONSET_DEFINITIONS)}; "
            "ed and slope take a parameter, e.g. ed:90, slope:0.1)"
        )
    d = ONSET_DEFINITIONS[name]
    if not raw:
        return d, None
    if d.param_name is None:
        raise OnsetDefinitionError(f"onset definition '{name}' takes no parameter, got '{spec}'")
    try:
        p = float(raw)
    except ValueError:
        raise OnsetDefinitionError(f"'{raw}' in '{spec}' is not a number") from None
    lo, hi = d.param_range or (-np.inf, np.inf)
    if not lo < p <= hi:
        raise OnsetDefinitionError(f"{d.param_name} in '{spec}' must lie in ({lo:g}, {hi:g}]")
    return d, p


def definition_sentence(spec: str) -> str:
    """The definition's rule in words, with its parameter filled in."""
    d, p = parse_definition(spec)
    if d.param_name is None:
        return d.text
    return d.text.format(p=float(definition_label(spec).split(":")[1]))


def definition_label(spec: str) -> str:
    """Canonical label, with the default parameter spelled out (``ed`` -> ``ed:95``)."""
    d, p = parse_definition(spec)
    if d.param_name is None:
        return d.name
    default = DEFAULT_ED_Q if d.name == "ed" else DEFAULT_SLOPE
    return f"{d.name}:{default if p is None else p:g}"


def _grid_last(curve: xr.DataArray) -> tuple[xr.DataArray, str, np.ndarray]:
    g = grid_dim(curve)
    return curve.transpose(..., g), g, grid_values(curve)


def onset_draws(
    curve: xr.DataArray,
    definition: str = DEFAULT_DEFINITION,
    *,
    delta: float = DEFAULT_DELTA,
    tail: float = DEFAULT_TAIL,
) -> xr.DataArray:
    """Plateau onset per draw under ``definition``; ``+inf`` censored, NaN for NaN draws.

    Parameters
    ----------
    curve
        Log-RR curve draws with a ``<exposure>_grid`` dim.
    definition
        A registered name, optionally with its parameter (``"ed:90"``, ``"slope:0.05"``).
    delta
        Remaining-benefit threshold on the log-RR scale (``min``, ``edge``, ``isotonic``;
        for ``ed`` the least total benefit that counts).
    tail
        Fraction of the grid range at its upper end in which an onset is censored.

    Returns
    -------
    xr.DataArray
        The curve's dims without the grid; attrs ``definition``, ``delta``, ``tail``,
        ``censor_from``.
    """
    if delta < 0:
        raise OnsetDefinitionError(f"delta must be >= 0, got {delta}")
    if not 0 <= tail < 1:
        raise OnsetDefinitionError(f"tail must lie in [0, 1), got {tail}")
    d, param = parse_definition(definition)
    arr, g, grid = _grid_last(curve)
    v = np.asarray(arr.values, dtype=float)
    x = np.asarray(d.onset(v, grid, delta, param), dtype=float)
    censor_from = grid[-1] - tail * (grid[-1] - grid[0])
    if tail > 0:
        x = np.where(x > censor_from, np.inf, x)
    x = np.where(np.isnan(v).any(axis=-1), np.nan, x)
    dims = [k for k in arr.dims if k != g]
    coords = {k: c for k, c in arr.coords.items() if g not in c.dims}
    return xr.DataArray(
        x,
        dims=dims,
        coords=coords,
        name="plateau_onset",
        attrs={
            "definition": definition_label(definition),
            "delta": delta,
            "tail": tail,
            "censor_from": float(censor_from),
        },
    )


def remaining_draws(curve: xr.DataArray, definition: str = DEFAULT_DEFINITION) -> xr.DataArray:
    """The remaining-benefit curve behind ``definition`` (``min``-based for ``ed``/``slope``)."""
    d, _ = parse_definition(definition)
    arr, _, grid = _grid_last(curve)
    out = arr.copy(data=d.remaining(np.asarray(arr.values, dtype=float), grid))
    out.name = "remaining_benefit"
    return out.transpose(*curve.dims)
