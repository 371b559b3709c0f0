"""Shared pieces of the dose-response forms: the build context, scaling, grids, and the
generic term for forms that are linear in their coefficients.

A linear-in-coefficient form supplies ``features(x, design) -> (n, k)`` in numpy. The
model holds the features of the data (centred on their training means, so the intercept
is not correlated with the curve) in a ``pm.Data``; the curve on the grid is
``(features(grid) - features(reference)) @ coef`` and prediction at new ``x`` uses the
stored ``coef_<exposure>`` draws with the same numpy basis.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bayes_walk.errors import SpecError


@dataclass
class Strata:
    """Stratum membership for partially pooled curves (dim ``stratum``)."""

    variable: str
    labels: list[str]
    idx: Any  # pytensor int vector (participant,)


@dataclass
class Interpolated:
    """The data's features as linear interpolation between evenly spaced knots.

    A smooth term's value at each participant is read off its values at the knots
    (``knot_features @ coef``), so a gradient costs O(knots x basis + n) instead of
    O(n x basis). ``index``/``weight`` are pytensor vectors (participant,): the knot to
    the left of ``x`` and the fractional position towards the next one.
    """

    knot_features: np.ndarray  # (knot, basis), centred like the data's features
    index: Any
    weight: Any
    # a bayes_walk.inference.fast.likelihood.FusedPredictor: at() hands the piece to the fused likelihood
    sink: Any = None

    def at(self, values, rows=None):
        """Interpolate ``values`` at the knots to the participants.

        ``values`` is (knot,), or (row, knot) with ``rows`` (participant,) picking each
        participant's row (e.g. its stratum's deviation curve). With a ``sink`` the piece
        goes to the fused likelihood and the result is a zero: forms only ever add it to
        their term.
        """
        if self.sink is not None:
            from bayes_walk.inference.fast.likelihood import numeric

            idx = numeric(self.index)
            if rows is not None:
                idx = numeric(rows) * self.knot_features.shape[0] + idx
            return self.sink.lerp(values, idx, numeric(self.weight))
        if rows is None:
            flat, idx = values, self.index
        else:
            flat, idx = values.ravel(), rows * values.shape[-1] + self.index
        left = flat[idx]
        right = flat[idx + 1]
        return left + self.weight * (right - left)


@dataclass
class TermContext:
    """What a form's ``build`` gets: names, data tensors, design constants, priors."""

    exposure: str
    design: dict[str, Any]
    priors: dict[str, dict[str, Any]]
    grid: np.ndarray
    # pytensor tensor: features (participant, basis) or scaled x (participant,); or
    # Interpolated for smooth forms with knots in their design
    data: Any
    strata: Strata | None = None

    @property
    def basis_dim(self) -> str:
        return f"{self.exposure}_basis"

    @property
    def grid_dim(self) -> str:
        return f"{self.exposure}_grid"


@dataclass
class TermResult:
    """A term's contribution to the linear predictor (participant,)."""

    eta: Any
    extra_coords: dict[str, list] = field(default_factory=dict)


def scaling(x: np.ndarray) -> dict[str, float]:
    """Centre and unit of an exposure: the unit is its p1..p99 range.

    Priors of every form are stated per this unit, so they mean the same thing for
    minutes/day and for METs.
    """
    p1, p99 = np.percentile(x, [1.0, 99.0])
    scale = float(p99 - p1) if p99 > p1 else float(np.ptp(x)) or 1.0
    return {"center": float(p1), "scale": scale, "p1": float(p1), "p99": float(p99)}


def scaled(x: np.ndarray, design: dict[str, Any]) -> np.ndarray:
    return (np.asarray(x, dtype=np.float64) - design["center"]) / design["scale"]


def _nice_step(span: float, target: int = 30) -> float:
    # steps of 5 or 1 times a power of ten, so round values such as 125 or 3.05 are on it
    raw = span / target
    mag = 10.0 ** np.floor(np.log10(raw))
    for m in (5.0, 1.0):
        if m * mag <= raw:
            return m * mag
    return mag


def exposure_grid(x: np.ndarray, reference: float) -> np.ndarray:
    """Grid of the curve: 100 points over p1..p99, round values inside, and the reference."""
    p1, p99 = np.percentile(x, [1.0, 99.0])
    step = _nice_step(float(p99 - p1))
    rounds = np.arange(np.ceil(p1 / step) * step, p99 + 1e-12, step)
    pts = np.concatenate([np.linspace(p1, p99, 100), rounds])
    if p1 <= reference <= p99:
        pts = np.append(pts, reference)
    return np.unique(np.round(pts, 10))


def percentile_value(v: Any, x: np.ndarray, where: str) -> float:
    """A number, or ``"pNN"`` taken as a percentile of ``x``."""
    if isinstance(v, str) and v.startswith("p"):
        return float(np.percentile(x, float(v[1:])))
    if isinstance(v, int | float) and not isinstance(v, bool):
        return float(v)
    raise SpecError(f"{where}: expected a number or a percentile like 'p10', got {v!r}")


def check_percentile_list(v: Any, where: str, min_len: int) -> None:
    """Validate a list of numbers / percentile strings (spec parse time)."""
    if not isinstance(v, list) or len(v) < min_len:
        raise SpecError(
            f"{where} must be a list of at least {min_len} values or percentiles like 'p10'"
        )
    for item in v:
        if isinstance(item, str):
            ok = item.startswith("p")
            try:
                ok = ok and 0 <= float(item[1:]) <= 100
            except ValueError:
                ok = False
            if not ok:
                raise SpecError(f"{where}: {item!r} is not a percentile like 'p10'")
        elif not isinstance(item, int | float) or isinstance(item, bool):
            raise SpecError(f"{where}: {item!r} is not a number")


def matvec(data, coef):
    """``data @ coef`` in the precision of ``data``, returned as float64.

    Design matrices are stored as float32 (half the memory traffic of the dominant cost,
    two passes over an n x k matrix per gradient); the coefficients are cast down for the
    product and the linear predictor is summed in float64.
    """
    import pytensor.tensor as pt

    return pt.cast(pt.dot(data, pt.cast(coef, data.dtype)), "float64")


def interpolation_knots(design: dict[str, Any]) -> np.ndarray:
    """The evenly spaced knots (exposure units) of a design with ``"interp"``."""
    it = design["interp"]
    return np.linspace(it["lo"], it["hi"], int(it["points"]))


def interpolation_arrays(
    x: np.ndarray, design: dict[str, Any], exposure: str
) -> tuple[np.ndarray, np.ndarray]:
    """Left-knot index and weight of each ``x`` on the design's knots.

    Raises
    ------
    SpecError
        When a value lies outside the knots (the term's domain, e.g. the HSGP boundary).
    """
    it = design["interp"]
    lo, hi, k = float(it["lo"]), float(it["hi"]), int(it["points"])
    x = np.asarray(x, dtype=np.float64)
    bad = ~((x >= lo) & (x <= hi))
    if bad.any():
        raise SpecError(
            f"exposure {exposure!r}: {int(bad.sum())} value(s) outside [{lo:.4g}, {hi:.4g}], "
            "the domain fixed by the training data (e.g. the HSGP boundary L); "
            f"first: {x[bad][:3].tolist()}"
        )
    pos = (x - lo) / (hi - lo) * (k - 1)
    idx = np.minimum(np.floor(pos).astype(np.int64), k - 2)
    return idx, pos - idx


def _term_values(data, coef):
    """A term's value at each participant: interpolated between knots, or ``F @ coef``."""
    import pytensor.tensor as pt

    if isinstance(data, Interpolated):
        return data.at(pt.dot(pt.constant(data.knot_features), coef))
    return matvec(data, coef)


def relative_grid_features(ctx: TermContext, features) -> np.ndarray:
    """Features on the curve grid minus those at the reference, so the curve is 0 there."""
    ref = np.array([ctx.design["reference"]])
    return features(ctx.grid, ctx.design) - features(ref, ctx.design)


def stratum_deviation(ctx: TermContext):
    """Partially pooled stratum deviations of the coefficients (None without strata).

    Non-centred: a shared scale ``stratum_sd_<exposure>`` times standard normals.
    """
    if ctx.strata is None:
        return None
    import pymc as pm

    from bayes_walk.spec.priors import make_rv

    e = ctx.exposure
    sd = make_rv(f"stratum_sd_{e}", ctx.priors["stratum_sd"])
    z = pm.Normal(f"stratum_z_{e}", 0.0, 1.0, dims=("stratum", ctx.basis_dim))
    return sd * z


def linear_term(ctx: TermContext, coef, dev=None, grid_features: np.ndarray | None = None):
    """Add the generic linear-in-coefficient term.

    Parameters
    ----------
    ctx
        Build context; ``ctx.data`` holds the centred features (participant, basis).
    coef
        Global coefficients (basis,).
    dev
        Stratum deviations (stratum, basis) or None.
    grid_features
        ``features(grid) - features(reference)``, (grid, basis).

    Returns
    -------
    TermResult
        With the curve ``logrr_<exposure>`` and ``coef_<exposure>`` registered as
        Deterministics.
    """
    import pymc as pm
    import pytensor.tensor as pt

    name = ctx.exposure
    g = pt.constant(np.asarray(grid_features, dtype=np.float64))
    if dev is None:
        pm.Deterministic(f"coef_{name}", coef, dims=(ctx.basis_dim,))
        pm.Deterministic(f"logrr_{name}", pt.dot(g, coef), dims=(ctx.grid_dim,))
        return TermResult(eta=_term_values(ctx.data, coef))
    full = coef[None, :] + dev
    pm.Deterministic(f"coef_{name}", full, dims=("stratum", ctx.basis_dim))
    pm.Deterministic(f"logrr_{name}_global", pt.dot(g, coef), dims=(ctx.grid_dim,))
    pm.Deterministic(f"logrr_{name}", pt.dot(full, g.T), dims=("stratum", ctx.grid_dim))
    if isinstance(ctx.data, Interpolated):
        # each stratum's deviation curve at the knots, then each participant's own stratum
        at_knots = pt.dot(dev, pt.constant(ctx.data.knot_features).T)  # (stratum, knot)
        deviation = ctx.data.at(at_knots, rows=ctx.strata.idx)
        return TermResult(eta=_term_values(ctx.data, coef) + deviation)
    rows = pt.cast(dev, ctx.data.dtype)[ctx.strata.idx]
    eta = matvec(ctx.data, coef) + pt.cast((ctx.data * rows).sum(axis=1), "float64")
    return TermResult(eta=eta)


def predict_linear(x: np.ndarray, posterior, design: dict[str, Any], exposure: str, features):
    """Log-RR at new ``x`` for a linear-in-coefficient form, from ``coef_<exposure>`` draws."""
    import xarray as xr

    x = np.asarray(x, dtype=np.float64)
    fx = features(x, design) - features(np.array([design["reference"]]), design)
    coef = posterior[f"coef_{exposure}"]
    basis = f"{exposure}_basis"
    fda = xr.DataArray(fx, dims=("x", basis), coords={"x": x, basis: coef[basis].values})
    return xr.dot(coef, fda, dim=basis)
