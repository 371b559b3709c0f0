"""Re-referencing a curve: log-RR draws versus any value inside the curve's grid.

A stored curve is ``f(x) - f(x_ref)`` for the spec's reference ``x_ref``; the same curve
versus another value ``r`` is ``f(x) - f(r)``, computed draw by draw (linear interpolation
on the grid, as everywhere in :mod:`bayes_walk.estimands`). Outside the grid the curve is
not known, so a reference there is refused.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import xarray as xr

from bayes_walk.errors import BayesWalkError
from bayes_walk.estimands.curve import UNITS, logrr_at
from bayes_walk.estimands.draws import grid_dim, grid_values

# the paper's references, used by reports to put every model on one scale
DEFAULT_REFERENCES: dict[str, float] = {"walking_min": 78.0, "walking_mets": 3.0}


class CurveReferenceError(BayesWalkError):
    """A reference value the curve cannot be expressed against."""


def check_reference(curve: xr.DataArray, value: float, exposure: str | None = None) -> float:
    """``value`` as a float, or :class:`CurveReferenceError` naming the grid when outside it."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise CurveReferenceError(f"reference must be a number, got {value!r}") from None
    grid = grid_values(curve)
    name = exposure or grid_dim(curve).removesuffix("_grid")
    if not (np.isfinite(v) and grid[0] <= v <= grid[-1]):
        unit = UNITS.get(name, "")
        raise CurveReferenceError(
            f"reference {value:g} for {name} lies outside the fitted curve's range "
            f"{grid[0]:.4g}-{grid[-1]:.4g} {unit} (the 1st-99th percentile of the data); "
            "choose a value inside it"
        )
    return v


def reference_inside(curve: xr.DataArray, value: float) -> bool:
    """Whether ``value`` lies inside the curve's grid."""
    grid = grid_values(curve)
    return bool(grid[0] <= float(value) <= grid[-1])


def rereference(curve: xr.DataArray, value: float | None, exposure: str | None = None):
    """The curve draws versus ``value`` (``None``: unchanged); attrs ``reference`` updated."""
    if value is None:
        return curve
    v = check_reference(curve, value, exposure)
    at = logrr_at(curve, [v]).isel(x=0, drop=True)
    out = curve - at
    out.attrs = {**curve.attrs, "reference": v}
    out.name = curve.name
    return out


def parse_references(items: Mapping[str, float] | float | None, exposures: list[str]):
    """``{exposure: value}`` from a mapping, or from one number when there is one curve.

    Raises
    ------
    CurveReferenceError
        For an exposure without a curve, or one number given for several curves.
    """
    if items is None:
        return {}
    if not isinstance(items, Mapping):
        if len(exposures) != 1:
            raise CurveReferenceError(
                f"one reference value given but the fit has curves for {', '.join(exposures)}; "
                "name the exposure (e.g. walking_min=100)"
            )
        return {exposures[0]: float(items)}
    unknown = [e for e in items if e not in exposures]
    if unknown:
        raise CurveReferenceError(
            f"no curve for {', '.join(unknown)} in the fit (curves: {', '.join(exposures)})"
        )
    return {e: float(v) for e, v in items.items()}


def parse_reference_args(values: list[str] | None) -> dict[str, float] | float | None:
    """CLI ``--reference`` values: ``EXPOSURE=VALUE`` (repeatable) or one bare number."""
    if not values:
        return None
    if len(values) == 1 and "=" not in values[0]:
        try:
            return float(values[0])
        except ValueError:
            raise CurveReferenceError(
                f"--reference expects a number or EXPOSURE=VALUE, got '{values[0]}'"
            ) from None
    out: dict[str, float] = {}
    for item in values:
        name, sep, raw = item.partition("=")
        try:
            out[name.strip()] = float(raw)
        except ValueError:
            sep = ""
        if not sep:
            raise CurveReferenceError(f"--reference expects EXPOSURE=VALUE, got '{item}'")
    return out
