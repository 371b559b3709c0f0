"""E-values (VanderWeele and Ding 2017, Ann Intern Med 167:268).

The E-value of a risk ratio is the minimum strength of association, on the RR scale, that
an unmeasured confounder would need with both exposure and outcome to explain the
observed RR away: ``E = RR + sqrt(RR (RR - 1))`` for RR >= 1, with RR replaced by 1/RR for
RR < 1. For an interval, the E-value of the limit nearest 1, and 1 when the interval
contains 1. Pure functions of numbers (NaN in, NaN out).
"""

from __future__ import annotations

import math


def evalue(rr: float) -> float:
    """E-value of a point estimate ``rr`` (> 0); NaN for a missing or non-positive RR."""
    if rr is None or not math.isfinite(rr) or rr <= 0:
        return math.nan
    r = 1.0 / rr if rr < 1.0 else rr
    return r + math.sqrt(r * (r - 1.0))


def evalue_limit(lo: float, hi: float) -> float:
    """E-value of the interval limit nearest 1; 1 when ``[lo, hi]`` contains 1."""
    if lo is None or hi is None or not (math.isfinite(lo) and math.isfinite(hi)):
        # an unbounded side: only a limit on the far side of 1 can still be judged
        if lo is not None and math.isfinite(lo) and lo > 1.0:
            return evalue(lo)
        if hi is not None and math.isfinite(hi) and 0 < hi < 1.0:
            return evalue(hi)
        return math.nan
    if lo <= 1.0 <= hi:
        return 1.0
    return evalue(lo) if lo > 1.0 else evalue(hi)


def evalues(rr: float, lo: float, hi: float) -> dict[str, float | None]:
    """``{"point": E(rr), "limit": E(limit nearest 1)}``, None where undefined (JSON-ready)."""

    def clean(v: float) -> float | None:
        return None if not math.isfinite(v) else float(v)

    return {"point": clean(evalue(rr)), "limit": clean(evalue_limit(lo, hi))}
