"""Pointwise log-likelihood and ``mu`` of every draw from a fused model's pieces.

A fused model's likelihood strategy (:mod:`bayes_walk.inference.fast.strategy`) already
holds the linear predictor as a few parameter vectors (``a``, ``rest``, ``beta``, the knot
and lookup values ``V``) and compact per-participant arrays. After sampling, the parameter vectors are computed for
a batch of draws at once (a PyTensor graph vectorised over draws, run by numpy, or by
JAX when a term is a full (draw, participant) array), and a numba loop forms ``eta``,
``mu = exp(eta)`` and ``y eta - mu - log y!`` (or the log-binomial density and risk) for
every draw and participant. For the
default model this avoids importing and compiling JAX; tests hold it equal to the plain
strategy's pointwise path (:mod:`bayes_walk.inference.pointwise`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import xarray as xr

from bayes_walk.model.likelihoods.plain import LOG_BINOMIAL_EPS as LB_EPS
from bayes_walk.model.likelihoods.plain import LOG_BINOMIAL_K as LB_K

# values per batch of draws held at once (float64): bounds memory at large n
BATCH_VALUES = 20_000_000


def _loop(y, lgy, a, rest, X, beta, V, LI, LW, KI, ll, mu, slot, log_binomial):
    """``ll[d, i]`` for every draw ``d`` of the batch; ``mu[slot[d], i]`` where
    ``slot[d] >= 0``. Poisson, or the log-binomial density of ``likelihood.py`` (``mu`` is
    then the risk) when ``log_binomial``."""
    n = y.shape[0]
    has_rest = rest.shape[1] > 0
    for d in range(a.shape[0]):
        Vd = V[d]
        for i in range(n):
            eta = a[d]
            if has_rest:
                eta += rest[d, i]
            for j in range(X.shape[1]):
                eta += X[i, j] * beta[d, j]
            for j in range(LI.shape[1]):
                k = LI[i, j]
                eta += Vd[k] + LW[i, j] * (Vd[k + 1] - Vd[k])
            for j in range(KI.shape[1]):
                eta += Vd[KI[i, j]]
            if log_binomial:
                t = LB_K * eta
                lp = -(max(-t, 0.0) + np.log1p(np.exp(-abs(t)))) / LB_K - LB_EPS
                m = np.exp(lp)
                ll[d, i] = y[i] * lp + (1.0 - y[i]) * np.log1p(-m)
            else:
                m = np.exp(eta)
                ll[d, i] = y[i] * eta - m - lgy[i]
            if slot[d] >= 0:
                mu[slot[d], i] = m


@functools.cache
def _kernel():
    import numba

    return numba.njit(cache=True)(_loop)


def _parameter_function(fused) -> Callable[..., list[np.ndarray]]:
    """Free-RV values with a leading draw dim -> ``a, rest, beta, V`` per draw."""
    import pytensor
    import pytensor.tensor as pt
    from pytensor.compile.mode import Mode
    from pytensor.graph.replace import vectorize_graph

    rvs = fused.model.free_RVs
    pred = fused.likelihood
    outs = [pt.as_tensor_variable(pred.parameters[k]) for k in ("a", "rest", "beta", "V")]
    outs = [pt.cast(o, "float64") for o in outs]
    rep = {rv: pt.tensor(name=rv.name, shape=(None, *rv.type.shape), dtype=rv.dtype) for rv in rvs}
    batched = vectorize_graph(outs, replace=rep)
    if isinstance(pred.parameters["rest"], np.ndarray):
        # only small vectors per draw: the Python linker and no rewrites, so nothing is
        # compiled, and no fused or n-ary elementwise ops, which it would run one scalar
        # at a time (docs/performance.md)
        mode: Any = Mode(linker="py", optimizer=None)
    else:
        # a (draw, participant) term (changepoint, a stratum deviation of a dense form,
        # an offset): numpy one op at a time is slow at this size; JAX compiles it once
        mode = "JAX"
    return pytensor.function(
        list(rep.values()),
        batched,
        mode=mode,
        # a free parameter need not reach the predictor (e.g. a prior-only hyperparameter)
        on_unused_input="ignore",
    )


def fused_pointwise_function(fused) -> Callable[..., tuple[np.ndarray, np.ndarray]]:
    """``fn(posterior, mu_step=1) -> (log_lik, mu)`` like
    :func:`bayes_walk.inference.pointwise.pointwise_function`, for a model built with ``fused=True``.
    """
    params = _parameter_function(fused)
    pred = fused.likelihood
    arr = pred.arrays
    names = [rv.name for rv in fused.model.free_RVs]
    y = arr["y"].astype(np.float64)
    kernel = _kernel()

    def fn(post: xr.Dataset, mu_step: int = 1) -> tuple[np.ndarray, np.ndarray]:
        st = post.stack(sample=("chain", "draw"))
        total = st.sizes["sample"]
        kept = np.isin(np.asarray(st["draw"].values), np.asarray(post["draw"].values)[::mu_step])
        slots = np.where(kept, np.cumsum(kept) - 1, -1)
        n = y.size
        ll = np.empty((total, n), dtype=np.float32)
        mu = np.empty((int(kept.sum()), n), dtype=np.float32)
        batch = max(1, min(total, BATCH_VALUES // max(n, 1)))
        for lo in range(0, total, batch):
            chunk = st.isel(sample=slice(lo, lo + batch))
            a, rest, beta, V = params(*[np.moveaxis(chunk[k].values, -1, 0) for k in names])
            m = chunk.sizes["sample"]
            # a parameter that does not depend on the draws comes back without the draw dim
            a = np.broadcast_to(a, (m,)).astype(np.float64)
            rest = rest if rest.ndim == 2 and rest.shape[1] else np.zeros((m, 0))
            beta = np.ascontiguousarray(np.broadcast_to(beta, (m, arr["X"].shape[1])))
            s = slots[lo : lo + m]
            first = int(s[s >= 0].min()) if (s >= 0).any() else 0
            kernel(
                y,
                pred.log_y_factorial,
                a,
                np.ascontiguousarray(rest),
                arr["X"],
                beta,
                np.ascontiguousarray(np.broadcast_to(V, (m, V.shape[-1]))),
                arr["lerp_index"],
                arr["lerp_weight"],
                arr["lookup_index"],
                ll[lo : lo + m],
                mu[first:],
                np.where(s >= 0, s - first, -1),
                pred.kind == "bernoulli_log",
            )
        n_chain = post.sizes["chain"]
        return (
            ll.reshape(n_chain, post.sizes["draw"], n),
            mu.reshape(n_chain, -1, n),
        )

    return fn
