"""A vectorisable ``exp`` for numba kernels (within 1 ulp of ``np.exp``).

numba calls libm's scalar ``exp`` and cannot
vectorise it without Intel's SVML, which a pip install does not provide. In the fused
likelihood (:mod:`bayes_walk.inference.fast.likelihood`) that call was half of a gradient's cost. This is the
textbook reduction: ``exp(x) = 2**k * exp(r)`` with ``k = round(x / ln 2)`` and
``|r| <= ln(2) / 2``, ``exp(r)`` by its Taylor series to degree 13 (truncation below
4e-18), and ``2**k`` added to the exponent bits. It is all arithmetic on arrays, so LLVM
vectorises it (docs/performance.md has the timings).

Inputs are clamped to [-708, 709]: beyond, ``np.exp`` gives 0 or inf, this gives about
3e-308 or 8e307 (a Poisson log-likelihood of about -8e307, which the sampler rejects like
-inf). NaN stays NaN.
"""

from __future__ import annotations

import functools
import math

import numpy as np

LOG2E = 1.4426950408889634
# ln 2 split so that k * LN2_HI is exact for |k| < 2**11
LN2_HI = 6.93147180369123816490e-01
LN2_LO = 1.90821492927058770002e-10
# adding 1.5 * 2**52 rounds to an integer, which then sits in the low mantissa bits
ROUNDER = 6755399441055744.0
COEF = tuple(1.0 / math.factorial(j) for j in range(14))
HORNER = COEF[::-1]  # highest degree first
# no "reassoc" (it would fold (t + ROUNDER) - ROUNDER away), no "nnan"/"ninf" (NaN must
# propagate to the sampler)
FASTMATH = {"nsz", "arcp", "contract", "afn"}


def exp_block(x: np.ndarray, out: np.ndarray, scratch: np.ndarray, m: int) -> None:
    """``out[:m] = exp(x[:m])``; ``scratch`` is a float64 work array of at least ``m``."""
    for i in range(m):
        v = min(max(x[i], -708.0), 709.0)
        t = v * LOG2E + ROUNDER
        scratch[i] = t
        k = t - ROUNDER
        r = (v - k * LN2_HI) - k * LN2_LO
        p = 0.0
        for c in HORNER:  # a tuple: numba unrolls it
            p = p * r + c
        out[i] = p
    # 2**k: k (two's complement) is in the low bits of t's representation; shifted to the
    # exponent field it adds k to the exponent of exp(r), which lies in [0.7, 1.42]
    kbits = scratch.view(np.int64)
    obits = out.view(np.int64)
    for i in range(m):
        obits[i] += kbits[i] << 52


@functools.cache
def compiled_exp_block():
    """``exp_block`` compiled by numba (once per process)."""
    import numba

    return numba.njit(fastmath=FASTMATH)(exp_block)
