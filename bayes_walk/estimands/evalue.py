"""E-values (VanderWeele and Ding, Ann Intern Med 2017;167:268-274).

The E-value of a risk ratio is the minimum strength of association, on the RR scale, that
an unmeasured confounder would need with both the exposure and the outcome to fully
explain away the observed association: ``E = RR + sqrt(RR * (RR - 1))`` for ``RR >= 1``,
and the same formula applied to ``1 / RR`` for a protective ``RR < 1``. For an interval,
the E-value of the limit closer to 1 is reported, and it is 1 when the interval contains 1.
Pure functions of numbers and arrays (NaN in, NaN out).
"""

from __future__ import annotations

import math

import numpy as np


def evalue(rr) -> np.ndarray | float:
    """E-value of risk ratio(s) ``rr`` (elementwise; NaN for missing or non-positive input).

    Examples
    --------
    >>> round(float(evalue(2.0)), 4)
    3.4142
    >>> round(float(evalue(0.5)), 4)
    3.4142
    """
    r = np.asarray(np.nan if rr is None else rr, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(r > 0, r, np.nan)
        r = np.where(r < 1, 1.0 / r, r)
        out = r + np.sqrt(r * (r - 1.0))
    return float(out) if out.ndim == 0 else out


def _finite(v) -> bool:
    return v is not None and math.isfinite(v)


def evalue_limit(lo: float | None, hi: float | None) -> float:
    """E-value of the interval limit nearest 1; 1 when ``[lo, hi]`` contains 1.

    With an unbounded side, only a limit on the far side of 1 can still be judged.
    """
    if not (_finite(lo) and _finite(hi)):
        if _finite(lo) and lo > 1.0:
            return evalue(lo)
        if _finite(hi) and 0 < hi < 1.0:
            return evalue(hi)
        return math.nan
    if lo <= 0:
        return math.nan
    if lo <= 1.0 <= hi:
        return 1.0
    return evalue(lo) if lo > 1.0 else evalue(hi)


def evalues(rr: float | None, lo: float | None, hi: float | None) -> dict[str, float | None]:
    """``{"point": E(rr), "limit": E(limit nearest 1)}``, None where undefined (JSON-ready)."""

    def clean(v: float) -> float | None:
        return None if not math.isfinite(v) else float(v)

    return {"point": clean(evalue(rr)), "limit": clean(evalue_limit(lo, hi))}


def evalue_summary(rr_draws, prob: float = 0.95) -> dict[str, float]:
    """E-values of the posterior of a risk ratio.

    Parameters
    ----------
    rr_draws
        Posterior draws of one RR (any shape; flattened).
    prob
        Equal-tailed interval mass.

    Returns
    -------
    dict
        ``evalue`` (of the posterior median RR), ``evalue_ci`` (of the interval limit
        closer to 1), ``evalue_posterior_median`` (median over draws of the E-value of
        each draw: the posterior of the E-value, which is not the E-value of the median
        when draws fall on both sides of 1).
    """
    d = np.asarray(rr_draws, dtype=float).ravel()
    d = d[np.isfinite(d)]
    if d.size == 0:
        nan = float("nan")
        return {"evalue": nan, "evalue_ci": nan, "evalue_posterior_median": nan}
    a = (1.0 - prob) / 2.0
    lo, med, hi = np.quantile(d, [a, 0.5, 1.0 - a])
    return {
        "evalue": float(evalue(med)),
        "evalue_ci": evalue_limit(float(lo), float(hi)),
        "evalue_posterior_median": float(np.median(evalue(d))),
    }
