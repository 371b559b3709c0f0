"""The joint volume x intensity table (the paper's Table 3), from joint and curve fits.

A ``joint`` fit stores ``logrr_joint`` with dims ``(chain, draw, walking_min_category,
walking_mets_category)`` versus the lowest volume and lowest intensity category. A curve
fit (``gp`` and friends, additive in the two exposures) gives the same cells as
``RR(v_i, m_j) = exp([f_v(v_i) - f_v(v_1)] + [f_m(m_j) - f_m(m_1)])`` with ``v_i``,
``m_j`` the category midpoints: the mean of the two cuts for inner categories, and for the
open-ended first and last categories the midpoint between the cut and the curve grid's end
(the exposure's 1st or 99th percentile).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from bayes_walk.errors import FitFileError
from bayes_walk.estimands.categories import category_info
from bayes_walk.estimands.curve import logrr_at
from bayes_walk.estimands.draws import curve_draws, grid_values, interval, probability

JOINT = ("walking_min", "walking_mets")


def category_midpoints(cuts: Sequence[float], grid_min: float, grid_max: float) -> np.ndarray:
    """Representative value of each of the ``len(cuts) + 1`` categories (see module doc)."""
    c = np.asarray(cuts, dtype=float)
    lo = np.concatenate([[min(grid_min, c[0])], c])
    hi = np.concatenate([c, [max(grid_max, c[-1])]])
    return (lo + hi) / 2


def _tidy(
    iv: xr.Dataset, p: xr.DataArray, labels: dict[str, list[str]], model: str
) -> pd.DataFrame:
    rows = []
    for i, lv in enumerate(labels[JOINT[0]]):
        for j, lm in enumerate(labels[JOINT[1]]):
            sel = {f"{JOINT[0]}_category": i, f"{JOINT[1]}_category": j}
            rows.append(
                {
                    "model": model,
                    "walking_min": lv,
                    "walking_mets": lm,
                    "rr_median": float(iv["median"].isel(sel)),
                    "rr_lo": float(iv["lo"].isel(sel)),
                    "rr_hi": float(iv["hi"].isel(sel)),
                    "p_benefit": float(p.isel(sel)) if (i, j) != (0, 0) else np.nan,
                }
            )
    return pd.DataFrame(rows)


def joint_table(
    idata, *, model: str = "joint", prob: float = 0.95, hdi: bool = False
) -> pd.DataFrame:
    """RR of the 16 (or k x l) volume x intensity cells from a ``joint`` fit.

    Returns one row per cell: ``model``, ``walking_min``, ``walking_mets`` (category
    labels), ``rr_median``, ``rr_lo``, ``rr_hi``, ``p_benefit``.
    """
    if "logrr_joint" not in idata.posterior:
        raise FitFileError("the fit has no 'logrr_joint' (fit the 'joint' model for Table 3)")
    da = idata.posterior["logrr_joint"]
    dims = [f"{e}_category" for e in JOINT]
    if any(d not in da.dims for d in dims):
        raise FitFileError(f"'logrr_joint' needs dims {dims}, has {da.dims}")
    labels = {}
    for e in JOINT:
        info = category_info(idata, e)
        coord = [str(v) for v in da[f"{e}_category"].values]
        got = info.get("labels")
        labels[e] = [str(v) for v in got] if got and len(got) == len(coord) else coord
    iv = np.exp(interval(da, prob=prob, hdi=hdi))
    return _tidy(iv, probability(da < 0), labels, model)


def joint_cuts(idata) -> dict[str, list[float]] | None:
    """The cuts of a joint fit's categories, when the fit records them."""
    out = {}
    for e in JOINT:
        cuts = category_info(idata, e).get("cuts")
        if not cuts:
            return None
        out[e] = [float(c) for c in cuts]
    return out


def curve_joint_table(
    idata,
    cuts: dict[str, Sequence[float]],
    labels: dict[str, Sequence[str]] | None = None,
    *,
    model: str = "gp",
    prob: float = 0.95,
    hdi: bool = False,
) -> pd.DataFrame:
    """The joint table from a fit with both exposure curves, at category midpoints.

    Parameters
    ----------
    idata
        A fit with ``logrr_walking_min`` and ``logrr_walking_mets`` (no stratum dim).
    cuts
        Category cuts per exposure (e.g. from :func:`joint_cuts` or quartiles).
    labels
        Category labels per exposure (default: the midpoints, rounded).
    """
    curves = {e: curve_draws(idata, e) for e in JOINT}
    for e, c in curves.items():
        if "stratum" in c.dims:
            raise FitFileError(f"the {e} curve has stratum curves; the joint table needs one curve")
    parts = []
    mids = {}
    for e in JOINT:
        grid = grid_values(curves[e])
        mids[e] = category_midpoints(cuts[e], grid[0], grid[-1])
        lr = logrr_at(curves[e], mids[e], dim=f"{e}_category")
        parts.append(lr - lr.isel({f"{e}_category": 0}))
    total = parts[0] + parts[1]
    total = total.assign_coords({f"{e}_category": np.arange(len(mids[e])) for e in JOINT})
    if labels is None:
        labels = {e: [f"{m:.4g}" for m in mids[e]] for e in JOINT}
    out = _tidy(
        np.exp(interval(total, prob=prob, hdi=hdi)),
        probability(total < 0),
        {e: [str(v) for v in labels[e]] for e in JOINT},
        model,
    )
    out["x_walking_min"] = np.repeat(mids[JOINT[0]], len(mids[JOINT[1]]))
    out["x_walking_mets"] = np.tile(mids[JOINT[1]], len(mids[JOINT[0]]))
    return out


def side_by_side(tables: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Cells as rows, one ``RR (95% CrI)`` column per model."""
    wide = None
    for t in tables:
        col = t["model"].iloc[0]
        txt = t.assign(
            **{
                col: [
                    f"{m:.2f} ({lo:.2f}-{hi:.2f})"
                    for m, lo, hi in zip(t["rr_median"], t["rr_lo"], t["rr_hi"], strict=True)
                ]
            }
        )[["walking_min", "walking_mets", col]]
        txt = txt.reset_index(drop=True)
        wide = txt if wide is None else wide.assign(**{col: txt[col].values})
    return wide if wide is not None else pd.DataFrame()
