"""Access to the curve draws of a fit and posterior interval summaries.

Every estimand in this package is a pure function of the log-RR curve draws stored in
``fit.nc`` (ARCHITECTURE "fit.nc"): ``posterior["logrr_<exposure>"]`` with dims
``(chain, draw, <exposure>_grid)`` or ``(chain, draw, stratum, <exposure>_grid)``.
The helpers here find those arrays and summarise draws as a posterior median with a 95%
equal-tailed (default) or highest-density interval. Infinite draws (used for "not reached
within the observed range") are ordered above every finite draw, so a quantile that falls
among them is ``inf``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr

from bayes_walk.errors import FitFileError

SAMPLE_DIMS: tuple[str, str] = ("chain", "draw")
CURVE_PREFIX = "logrr_"


def _require_posterior(idata, source: str | None = None) -> xr.Dataset:
    if "posterior" not in idata.groups():
        where = f"{source}: " if source else ""
        raise FitFileError(f"{where}the fit has no posterior group; is it a bayes_walk fit file?")
    return idata.posterior


def curve_exposures(idata) -> list[str]:
    """Exposures with a stored log-RR curve (``logrr_<exposure>`` with a grid dim)."""
    post = _require_posterior(idata)
    out = []
    for name, da in post.data_vars.items():
        if not name.startswith(CURVE_PREFIX):
            continue
        exposure = name[len(CURVE_PREFIX) :]
        if f"{exposure}_grid" in da.dims:
            out.append(exposure)
    return out


def curve_draws(idata, exposure: str, *, source: str | None = None) -> xr.DataArray:
    """The log-RR curve draws of ``exposure`` (dims chain, draw, [stratum,] grid).

    Raises
    ------
    FitFileError
        When the fit holds no curve for ``exposure``; the message lists those it has.
    """
    post = _require_posterior(idata, source)
    name = f"{CURVE_PREFIX}{exposure}"
    grid = f"{exposure}_grid"
    if name not in post or grid not in post[name].dims:
        have = curve_exposures(idata)
        where = f"{source}: " if source else ""
        raise FitFileError(
            f"{where}no dose-response curve '{name}' in the fit's posterior "
            f"(curves present: {', '.join(have) if have else 'none'})"
        )
    da = post[name]
    missing = [d for d in SAMPLE_DIMS if d not in da.dims]
    if missing:
        raise FitFileError(f"'{name}' lacks sample dims {missing}; dims are {da.dims}")
    return da


def grid_dim(curve: xr.DataArray) -> str:
    """Name of the grid dim (``<exposure>_grid``) of a curve array."""
    grids = [d for d in curve.dims if str(d).endswith("_grid")]
    if len(grids) != 1:
        raise FitFileError(f"curve '{curve.name}' needs exactly one *_grid dim, has {curve.dims}")
    return str(grids[0])


def grid_values(curve: xr.DataArray) -> np.ndarray:
    """The grid coordinate as a float array (strictly increasing)."""
    g = np.asarray(curve[grid_dim(curve)].values, dtype=float)
    if g.size < 2 or np.any(np.diff(g) <= 0):
        raise FitFileError(f"the grid of '{curve.name}' must be strictly increasing")
    return g


def reference_of(curve: xr.DataArray, idata=None) -> float | None:
    """The curve's reference exposure value (attr ``reference``, else from the spec)."""
    ref = curve.attrs.get("reference")
    if ref is not None:
        return float(ref)
    if idata is not None:
        from bayes_walk.fitmeta import spec_dict

        spec = spec_dict(idata)
        exposure = grid_dim(curve)[: -len("_grid")]
        exp_spec = (spec.get("exposures") or {}).get(exposure) or {}
        if exp_spec.get("reference") is not None:
            return float(exp_spec["reference"])
    return None


def _sorted_samples(values: np.ndarray) -> np.ndarray:
    # NaN sorts after +inf, so an all-finite-or-inf sample stays ordered at the front.
    return np.sort(values, axis=-1)


def quantile_sorted(sorted_values: np.ndarray, q: float) -> np.ndarray:
    """Linear-interpolation quantile of sorted samples (last axis); ``inf`` stays ``inf``.

    Unlike ``np.quantile``, a quantile between a finite value and ``inf`` is ``inf``
    rather than NaN, and the quantiles of all-finite samples equal ``np.quantile``'s.
    """
    n = sorted_values.shape[-1]
    pos = q * (n - 1)
    i0 = int(np.floor(pos))
    i1 = min(i0 + 1, n - 1)
    w = pos - i0
    a = sorted_values[..., i0]
    b = sorted_values[..., i1]
    with np.errstate(invalid="ignore"):
        out = a + (b - a) * w
    return np.where(np.isinf(b) & (w > 0), b, np.where(w == 0, a, out))


def hdi_sorted(sorted_values: np.ndarray, prob: float) -> tuple[np.ndarray, np.ndarray]:
    """Shortest interval holding ``prob`` of the sorted samples (last axis)."""
    n = sorted_values.shape[-1]
    k = max(int(np.ceil(prob * n)), 1)
    lows = sorted_values[..., : n - k + 1]
    highs = sorted_values[..., k - 1 :]
    with np.errstate(invalid="ignore"):
        widths = highs - lows
    widths = np.where(np.isnan(widths), np.inf, widths)
    idx = np.argmin(widths, axis=-1)[..., None]
    return (
        np.take_along_axis(lows, idx, axis=-1)[..., 0],
        np.take_along_axis(highs, idx, axis=-1)[..., 0],
    )


def interval(
    draws: xr.DataArray,
    *,
    prob: float = 0.95,
    hdi: bool = False,
    sample_dims: Sequence[str] = SAMPLE_DIMS,
) -> xr.Dataset:
    """Posterior median and ``prob`` interval over the sample dims.

    Parameters
    ----------
    draws
        Draws with the sample dims (default ``chain``, ``draw``) plus any others.
    prob
        Interval mass, 0.95 by default.
    hdi
        Highest-density interval instead of the equal-tailed one.

    Returns
    -------
    xr.Dataset
        ``median``, ``lo``, ``hi`` over the remaining dims; ``inf`` where the draws run
        beyond the stored range (see module docstring).
    """
    if not 0 < prob < 1:
        raise ValueError(f"prob must lie in (0, 1), got {prob}")
    dims = [d for d in sample_dims if d in draws.dims]
    stacked = draws.stack(_sample=dims).transpose(..., "_sample")
    values = _sorted_samples(np.asarray(stacked.values, dtype=float))
    rest = [d for d in stacked.dims if d != "_sample"]
    coords = {k: v for k, v in stacked.coords.items() if set(v.dims) <= set(rest)}
    med = quantile_sorted(values, 0.5)
    if hdi:
        lo, hi = hdi_sorted(values, prob)
    else:
        lo = quantile_sorted(values, (1 - prob) / 2)
        hi = quantile_sorted(values, 1 - (1 - prob) / 2)
    out = xr.Dataset(
        {
            "median": (rest, med),
            "lo": (rest, lo),
            "hi": (rest, hi),
        },
        coords=coords,
    )
    out.attrs = {"prob": prob, "kind": "hdi" if hdi else "equal-tailed"}
    return out


def probability(event: xr.DataArray, sample_dims: Sequence[str] = SAMPLE_DIMS) -> xr.DataArray:
    """Posterior probability of a boolean event: its mean over the sample dims."""
    dims = [d for d in sample_dims if d in event.dims]
    return event.astype(float).mean(dims)


def finite_or_none(value: float) -> float | None:
    """A JSON-safe float: ``None`` for NaN or infinite values."""
    value = float(value)
    return value if np.isfinite(value) else None
