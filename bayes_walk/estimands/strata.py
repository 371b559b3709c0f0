"""Contrasts between stratum curves: the ratio of two strata's RR curves.

With stratum curves (``hierarchy.curve_by``) each stratum has its own log-RR ``f_s(x)``
versus the same reference value. The ratio of stratum A's RR to stratum B's at ``x`` is
``exp(f_A(x) - f_B(x))``, one value per draw; ``P(ratio < 1)`` is the posterior
probability that A's RR is the lower one at ``x``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from bayes_walk.errors import BayesWalkError
from bayes_walk.estimands.curve import logrr_at, p_benefit
from bayes_walk.estimands.draws import interval

COLUMNS = ["stratum", "versus", "x", "ratio_median", "ratio_lo", "ratio_hi", "p_below_1"]


def strata_of(curve: xr.DataArray) -> list[str]:
    """The curve's stratum labels (empty without stratum curves)."""
    return [str(s) for s in curve["stratum"].values] if "stratum" in curve.dims else []


def check_stratum(curve: xr.DataArray, stratum: str, source: str, option: str = "stratum") -> int:
    """Index of ``stratum`` in the curve, or a :class:`BayesWalkError` naming those there."""
    labels = strata_of(curve)
    if not labels:
        raise BayesWalkError(
            f"{source}: {option} '{stratum}' asked for, but this fit has one curve for "
            "everyone (no hierarchy.curve_by in its spec)"
        )
    if str(stratum) not in labels:
        raise BayesWalkError(
            f"{source}: no stratum '{stratum}' ({option}); the fit's strata are {', '.join(labels)}"
        )
    return labels.index(str(stratum))


def stratum_ratio_frame(
    curve: xr.DataArray,
    x: Sequence[float] | np.ndarray,
    stratum: str,
    versus: str,
    *,
    reference: float | None = None,
    prob: float = 0.95,
    hdi: bool = False,
    source: str = "fit",
) -> pd.DataFrame:
    """RR of ``stratum`` divided by RR of ``versus`` at each ``x`` (both versus
    ``reference``, default the curve's own): ``ratio_median``, ``ratio_lo``, ``ratio_hi``
    and ``p_below_1`` = P(ratio < 1); NaN outside the grid and P undefined (NaN) where the
    ratio is 1 in every draw (e.g. at the reference)."""
    a = check_stratum(curve, stratum, source, "stratum")
    b = check_stratum(curve, versus, source, "versus")
    xs = np.atleast_1d(np.asarray(x, dtype=float))
    lr = logrr_at(curve, xs)
    if reference is not None:
        lr = lr - logrr_at(curve, [float(reference)]).isel(x=0, drop=True)
    diff = lr.isel(stratum=a, drop=True) - lr.isel(stratum=b, drop=True)
    iv = np.exp(interval(diff, prob=prob, hdi=hdi))
    p = p_benefit(diff)
    return pd.DataFrame(
        {
            "stratum": str(stratum),
            "versus": str(versus),
            "x": xs,
            "ratio_median": iv["median"].values,
            "ratio_lo": iv["lo"].values,
            "ratio_hi": iv["hi"].values,
            "p_below_1": p.values,
        },
        columns=COLUMNS,
    )
