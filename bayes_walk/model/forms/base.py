"""Helpers shared by the dose-response forms: scaling, grids, percentile options, knots,
and the generic term for forms that are linear in their coefficients.

A linear-in-coefficient form supplies ``features(x, design) -> (n, k)`` in numpy. The
model holds the features of the data (centred on their training means, so the intercept
is not correlated with the curve) in a ``pm.Data``; the curve on the grid is
``(features(grid) - features(reference)) @ coef`` and prediction at new ``x`` uses the
stored ``coef_<exposure>`` draws with the same numpy basis.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bayes_walk.errors import SpecError


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


def knot_features(design: dict[str, Any], features) -> np.ndarray:
    """A linear form's features at the knots of its design, centred like the data's."""
    return features(interpolation_knots(design), design) - np.asarray(design["shift"])


def zero_sum_strata(z):
    """Standard normals ``(stratum, basis)`` centred over the strata, rescaled to unit SD.

    The global curve plus free deviations has one direction the data cannot see: move the
    global curve by ``c`` and every deviation by ``-c``. With deviations that sum to zero
    over the strata, the global curve is the strata's average curve and that direction is
    gone (reports/robustness: without it the global amplitude mixed slowly, R-hat up to
    1.02). The scale ``sqrt(S / (S - 1))`` keeps each deviation's prior SD at the scale.
    """
    import pytensor.tensor as pt

    k = z.shape[0]
    return (z - pt.mean(z, axis=0, keepdims=True)) * pt.sqrt(k / pt.maximum(k - 1, 1))


def stratum_deviation(ctx):
    """Partially pooled stratum deviations of the coefficients (None without strata).

    Non-centred: a shared scale ``stratum_sd_<exposure>`` times standard normals, centred
    over the strata (:func:`zero_sum_strata`).
    """
    if ctx.strata is None:
        return None
    import pymc as pm

    from bayes_walk.spec.priors import make_rv

    e = ctx.exposure
    sd = make_rv(f"stratum_sd_{e}", ctx.priors["stratum_sd"])
    z = pm.Normal(f"stratum_z_{e}", 0.0, 1.0, dims=("stratum", ctx.basis_dim))
    return sd * zero_sum_strata(z)


def linear_term(ctx, coef, dev, features, categorical: bool = False) -> list:
    """Curves and pieces of a term that is linear in its coefficients.

    Parameters
    ----------
    ctx
        The :class:`~bayes_walk.model.forms.form.TermContext`.
    coef
        Global coefficients (basis,).
    dev
        Stratum deviations (stratum, basis) or None.
    features
        The form's ``features(x, design)``.
    categorical
        The features are dummies (their products repeat a few patterns).

    Returns
    -------
    list
        The pieces: the term read off its knots (:class:`~bayes_walk.model.pieces.KnotCurve`,
        plus one per participant's stratum row) when the design has ``"interp"``, else the
        centred features times the coefficients (:class:`~bayes_walk.model.pieces.Dense`,
        plus each participant's stratum deviation as a
        :class:`~bayes_walk.model.pieces.Vector`). Registers ``coef_<exposure>`` and the
        curve ``logrr_<exposure>`` (and ``logrr_<exposure>_global`` with strata).
    """
    import pymc as pm
    import pytensor.tensor as pt

    from bayes_walk.model.pieces import Dense, KnotCurve, Vector

    name, d = ctx.exposure, ctx.design
    ref = np.array([d["reference"]])
    g = pt.constant(np.asarray(features(ctx.grid, d) - features(ref, d), dtype=np.float64))
    if dev is None:
        if getattr(coef, "name", None) != f"coef_{name}":  # not already the model's variable
            pm.Deterministic(f"coef_{name}", coef, dims=(ctx.basis_dim,))
        pm.Deterministic(f"logrr_{name}", pt.dot(g, coef), dims=(ctx.grid_dim,))
    else:
        full = coef[None, :] + dev
        pm.Deterministic(f"coef_{name}", full, dims=("stratum", ctx.basis_dim))
        pm.Deterministic(f"logrr_{name}_global", pt.dot(g, coef), dims=(ctx.grid_dim,))
        pm.Deterministic(f"logrr_{name}", pt.dot(full, g.T), dims=("stratum", ctx.grid_dim))
    if "interp" in d:
        kf = pt.constant(knot_features(d, features))
        index, weight = ctx.data[f"i_{name}"], ctx.data[f"w_{name}"]
        out: list = [KnotCurve(pt.dot(kf, coef), index, weight)]
        if dev is not None:
            # each stratum's deviation curve at the knots, read at the participant's row
            out.append(KnotCurve(pt.dot(dev, kf.T), index, weight, rows=ctx.strata.idx))
        return out
    F = ctx.data[f"F_{name}"]
    mask = np.full(len(d["basis"]), categorical) if categorical else None
    out = [Dense(F, coef, mask)]
    if dev is not None:
        rows = pt.cast(dev, F.dtype)[ctx.strata.idx]
        out.append(Vector(pt.cast((F * rows).sum(axis=1), "float64")))
    return out


def predict_linear(x: np.ndarray, posterior, design: dict[str, Any], exposure: str, features):
    """Log-RR at new ``x`` for a linear-in-coefficient form, from ``coef_<exposure>`` draws."""
    import xarray as xr

    x = np.asarray(x, dtype=np.float64)
    fx = features(x, design) - features(np.array([design["reference"]]), design)
    coef = posterior[f"coef_{exposure}"]
    basis = f"{exposure}_basis"
    fda = xr.DataArray(fx, dims=("x", basis), coords={"x": x, basis: coef[basis].values})
    return xr.dot(coef, fda, dim=basis)
