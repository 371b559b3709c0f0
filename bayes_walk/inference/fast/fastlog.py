"""A vectorisable ``log`` for numba kernels (within 3 ulp of ``np.log`` on positive input).

As for ``exp`` (:mod:`bayes_walk.inference.fast.fastexp`), numba calls libm's scalar
``log`` and cannot vectorise it without Intel's SVML. The log-binomial likelihood takes
``log(1 - p)`` of every row, and that scalar call was most of what it costs over the
Poisson one (docs/performance.md). This is the textbook reduction: ``x = 2**e * m`` read
from the bits, with ``m`` in ``[sqrt(1/2), sqrt(2))``, and ``log(m) = 2 atanh(f)``,
``f = (m - 1) / (m + 1)``, ``|f| <= 0.172``, by its odd series to degree 23 (truncation
below 1e-19). It is arithmetic on arrays, so LLVM vectorises it.

Positive, finite, normal inputs only (the callers' ``1 - p`` lies in ``[1e-6, 1]``):
zero, negative, subnormal, infinite and NaN inputs give meaningless numbers, not
``np.log``'s ``-inf`` and NaN.
"""

from __future__ import annotations

import functools
import math

import numpy as np

LN2_HI = 6.93147180369123816490e-01
LN2_LO = 1.90821492927058770002e-10
SQRT2 = math.sqrt(2.0)
MANTISSA = (1 << 52) - 1
ONE_BITS = 1023 << 52
# 2 / (2j + 1) for j = 11 .. 0: log(m) = f * sum_j c_j f**(2j)
HORNER = tuple(2.0 / (2 * j + 1) for j in range(11, -1, -1))
FASTMATH = {"nsz", "arcp", "contract", "afn"}


def log_block(x: np.ndarray, out: np.ndarray, scratch: np.ndarray, m: int) -> None:
    """``out[:m] = log(x[:m])`` for positive normal ``x``; ``scratch`` is a float64 work
    array of at least ``m``."""
    xbits = x.view(np.int64)
    sbits = scratch.view(np.int64)
    for i in range(m):
        # the mantissa with the exponent of 1: a number in [1, 2)
        sbits[i] = (xbits[i] & MANTISSA) | ONE_BITS
    for i in range(m):
        e = float((xbits[i] >> 52) - 1023)
        mant = scratch[i]
        big = mant >= SQRT2
        mant = mant * 0.5 if big else mant
        e = e + 1.0 if big else e
        f = (mant - 1.0) / (mant + 1.0)
        f2 = f * f
        p = 0.0
        for c in HORNER:  # a tuple: numba unrolls it
            p = p * f2 + c
        out[i] = (e * LN2_HI + f * p) + e * LN2_LO


@functools.cache
def compiled_log_block():
    """``log_block`` compiled by numba (once per process)."""
    import numba

    return numba.njit(fastmath=FASTMATH, error_model="numpy")(log_block)
