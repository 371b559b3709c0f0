"""A fused log-likelihood (Poisson, or the log-binomial ``bernoulli_log``): the linear
predictor, the outcome's density and the gradient in one pass over the participants.

The default model's linear predictor is a sum of cheap pieces (:mod:`bayes_walk.model.pieces`):
a dense covariate product ``X @ beta``, curves read off knot values by linear
interpolation (HSGP terms, their stratum deviations) and lookups (municipality
intercepts). Built as a PyTensor graph, each piece is its own loop over the n
participants with its own temporaries, forward and backward, and memory traffic grows
faster than n (docs/performance.md has the figures). :class:`LogLinearLikelihood` computes

``sum_i y_i * eta_i - exp(eta_i)`` (Poisson) or ``sum_i y_i * l_i + (1 - y_i) *
log(1 - exp(l_i))`` with ``l_i = -softplus(-K eta_i) / K - EPS`` (``bernoulli_log``, the
plain likelihood's formula, :mod:`bayes_walk.model.likelihoods.plain`), with
``eta_i = a + rest_i + X_i . beta + sum_j lerp(V, LI_ij, LW_ij) + sum_k V[KI_ik]``

and its gradient with respect to ``a``, ``rest``, ``beta`` and ``V`` in one loop
(numba; a numpy ``perform`` for the other backends and the tests). The gradient is a
second output of the same node, so a compiled ``logp + dlogp`` evaluates it once.

:class:`~bayes_walk.inference.fast.strategy.FusedLikelihood` (the fused likelihood strategy)
turns a model's pieces into the op's inputs; the same pieces give the pointwise
log-likelihood and ``mu`` (:mod:`bayes_walk.inference.fast.pointwise`).
``tests/inference/test_fused.py`` checks that the fused and the plain strategy give the
same log density and gradient.
"""

from __future__ import annotations

import functools
import hashlib
from typing import Any

import numpy as np
from pytensor.gradient import DisconnectedType, disconnected_type
from pytensor.graph.basic import Apply
from pytensor.graph.op import Op

from bayes_walk.inference.fast.backends import register
from bayes_walk.model.likelihoods.plain import LOG_BINOMIAL_EPS, LOG_BINOMIAL_K

LIKELIHOODS = ("poisson", "bernoulli_log")
# inputs: y, a, rest, X, beta, V, LI, LW, KI; the differentiable ones and their outputs
_PARAMS = {1: 1, 2: 2, 4: 3, 5: 4}  # input position -> gradient output position


# rows per block: the block's eta and mu stay in L1 between the three passes
BLOCK = 512
# error_model="numpy": a division by zero gives inf or NaN instead of raising, so numba
# adds no zero test to each division (the log-binomial rows divide) and the loops vectorise
JIT_OPTIONS = {"fastmath": True, "error_model": "numpy"}


def kernel_source(
    n_dense: int, n_lerp: int, n_lookup: int, has_rest: bool, likelihood: str = "poisson"
) -> str:
    """Python source of the kernel, unrolled for the numbers of pieces.

    Rows go in blocks of :data:`BLOCK`, in three passes: the linear predictor of each
    row, the density of the block (Poisson: one vectorised ``exp``,
    :mod:`bayes_walk.inference.fast.fastexp`) with ``d logp / d eta`` per row, then the
    gradient. Unrolled, numba keeps every index and weight of a row in registers; generic
    loops over pieces (trip counts unknown at compile time) are slower (docs/performance.md).
    """
    if likelihood not in LIKELIHOODS:
        raise ValueError(f"no fused kernel for the likelihood {likelihood!r}")
    loads, grads = [], []
    terms = ["a"] + (["rest[i]"] if has_rest else [])
    for j in range(n_dense):
        loads.append(f"x{j} = X[i, {j}]")
        terms.append(f"x{j} * b{j}")
        grads.append(f"db{j} += g * x{j}")
    for j in range(n_lerp):
        loads += [f"k{j} = LI[i, {j}]", f"w{j} = LW[i, {j}]"]
        terms.append(f"V[k{j}] + w{j} * (V[k{j} + 1] - V[k{j}])")
        grads += [f"gw = g * w{j}", f"dV[k{j}] += g - gw", f"dV[k{j} + 1] += gw"]
    for j in range(n_lookup):
        loads.append(f"m{j} = KI[i, {j}]")
        terms.append(f"V[m{j}]")
        grads.append(f"dV[m{j}] += g")
    if has_rest:
        grads.append("drest[i] = g")
    ind = "\n            "
    lines = [
        "def kernel(y, a, rest, X, beta, V, LI, LW, KI):",
        "    n = y.shape[0]",
        "    dV = np.zeros(V.shape[0])",
        "    drest = np.zeros(rest.shape[0])",
        *[f"    b{j} = beta[{j}]\n    db{j} = 0.0" for j in range(n_dense)],
        "    eta = np.empty(BLOCK)",
        "    mu = np.empty(BLOCK)",
        "    scratch = np.empty(BLOCK)",
        "    lpb = np.empty(BLOCK)",
        "    q1 = np.empty(BLOCK)",
        "    lq1 = np.empty(BLOCK)",
        "    ee = np.empty(BLOCK)",
        "    logp = 0.0",
        "    da = 0.0",
        "    for start in range(0, n, BLOCK):",
        "        m = min(BLOCK, n - start)",
        "        for i in range(start, start + m):",
        f"            {ind.join(loads) if loads else 'pass'}",
        f"            eta[i - start] = {' + '.join(terms)}",
        *(_POISSON_ROWS if likelihood == "poisson" else _LOG_BINOMIAL_ROWS),
        "        for i in range(start, start + m):",
        "            g = mu[i - start]",
        f"            {ind.join(loads + grads) if loads or grads else 'pass'}",
        "    dbeta = np.empty(beta.shape[0])",
        *[f"    dbeta[{j}] = db{j}" for j in range(n_dense)],
        "    return logp, da, drest, dbeta, dV",
    ]
    return "\n".join(lines) + "\n"


# the density of a block's rows; afterwards mu[r] holds d logp / d eta of row r
_POISSON_ROWS = [
    "        exp_block(eta, mu, scratch, m)",
    "        for r in range(m):",
    "            yr = float(y[start + r])",
    "            logp += yr * eta[r] - mu[r]",
    "            mu[r] = yr - mu[r]",
    "            da += mu[r]",
]
# l = -softplus(-K eta) / K - EPS with softplus(-t) = max(-t, 0) + log1p(exp(-|t|)), and
# dl/deta = sigmoid(-t), t = K eta, from the same exp(-|t|). Every row takes the same
# branch-free path through the vectorised exp and log (fastexp, fastlog): exp(-|t|), then
# log(1 + exp(-|t|)) (equal to log1p within 1e-16 absolute, and l is about eta), the risk
# p = exp(l) and log(1 - p) (1 - p >= 1e-6 here). A loop with a scalar transcendental or a
# branch around one stays scalar, and rows above t = -36 (risks over 17%) are common
_LOG_BINOMIAL_ROWS = [
    "        for r in range(m):",
    "            lpb[r] = -abs(LB_K * eta[r])",
    "        exp_block(lpb, ee, scratch, m)",
    "        for r in range(m):",
    "            q1[r] = 1.0 + ee[r]",
    "        log_block(q1, lq1, scratch, m)",
    "        for r in range(m):",
    "            lpb[r] = -(max(-LB_K * eta[r], 0.0) + lq1[r]) / LB_K - LB_EPS",
    "        exp_block(lpb, mu, scratch, m)",
    "        for r in range(m):",
    "            q1[r] = 1.0 - mu[r]",
    "        log_block(q1, lq1, scratch, m)",
    "        for r in range(m):",
    "            yr = float(y[start + r])",
    "            logp += yr * lpb[r] + (1.0 - yr) * lq1[r]",
    "            sig = ee[r] / (1.0 + ee[r]) if eta[r] > 0.0 else 1.0 / (1.0 + ee[r])",
    "            mu[r] = (yr - (1.0 - yr) * mu[r] / q1[r]) * sig",
    "            da += mu[r]",
]


def log_binomial_terms(eta: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the log-binomial log-likelihood and its derivative in ``eta`` (numpy)."""
    t = LOG_BINOMIAL_K * eta
    e = np.exp(-np.abs(t))
    lp = -(np.maximum(-t, 0.0) + np.log1p(e)) / LOG_BINOMIAL_K - LOG_BINOMIAL_EPS
    p = np.exp(lp)
    sig = np.where(t > 0.0, e / (1.0 + e), 1.0 / (1.0 + e))
    return y * lp + (1.0 - y) * np.log1p(-p), (y - (1.0 - y) * p / (1.0 - p)) * sig


class LogLinearLikelihood(Op):
    """``sum_i y_i eta_i - exp(eta_i)`` (the Poisson log-likelihood without
    ``-log y_i!``), or with ``likelihood="bernoulli_log"`` the log-binomial
    log-likelihood, and its gradient; see the module docstring for ``eta``.

    Outputs ``(logp, d/da, d/drest, d/dbeta, d/dV)``. Only ``logp`` may be
    differentiated (first order, which is all NUTS needs).
    """

    __props__ = ("n_dense", "n_lerp", "n_lookup", "has_rest", "likelihood")

    def __init__(
        self,
        n_dense: int,
        n_lerp: int,
        n_lookup: int,
        has_rest: bool,
        likelihood: str = "poisson",
    ) -> None:
        if likelihood not in LIKELIHOODS:
            raise ValueError(f"no fused kernel for the likelihood {likelihood!r}")
        self.n_dense, self.n_lerp, self.n_lookup = int(n_dense), int(n_lerp), int(n_lookup)
        self.has_rest = bool(has_rest)
        self.likelihood = likelihood
        super().__init__()

    def make_node(self, y, a, rest, X, beta, V, LI, LW, KI):
        import pytensor.tensor as pt

        y, a, rest, X, beta, V, LI, LW, KI = (
            pt.as_tensor_variable(v) for v in (y, a, rest, X, beta, V, LI, LW, KI)
        )
        a, rest, beta, V = (pt.cast(v, "float64") for v in (a, rest, beta, V))
        ins = [y, a, rest, X, beta, V, LI, LW, KI]
        outs = [
            pt.dscalar("logp"),
            pt.dscalar("da"),
            pt.dvector("drest"),
            pt.dvector("dbeta"),
            pt.dvector("dV"),
        ]
        return Apply(self, ins, outs)

    def perform(self, node, inputs, output_storage):
        y, a, rest, X, beta, V, LI, LW, KI = inputs
        y = y.astype(np.float64)
        LI, KI = LI.astype(np.int64), KI.astype(np.int64)
        LW = LW.astype(np.float64)
        eta = a + (rest if rest.shape[0] else 0.0) + X.astype(np.float64) @ beta
        if LI.shape[1]:
            left = V[LI]
            eta = eta + (left + LW * (V[LI + 1] - left)).sum(axis=1)
        if KI.shape[1]:
            eta = eta + V[KI].sum(axis=1)
        if self.likelihood == "poisson":
            mu = np.exp(eta)
            rows, g = y * eta - mu, y - mu
        else:
            rows, g = log_binomial_terms(eta, y)
        dV = np.zeros(V.shape[0])
        np.add.at(dV, LI, g[:, None] * (1.0 - LW))
        np.add.at(dV, LI + 1, g[:, None] * LW)
        np.add.at(dV, KI, np.broadcast_to(g[:, None], KI.shape))
        vals = (
            float(np.sum(rows)),
            float(g.sum()),
            g if rest.shape[0] else np.zeros(0),
            X.astype(np.float64).T @ g,
            dV,
        )
        for store, v in zip(output_storage, vals, strict=True):
            store[0] = np.asarray(v, dtype=np.float64)

    def connection_pattern(self, node):
        return [[i in _PARAMS] * 5 for i in range(9)]

    def grad(self, inputs, output_grads):
        if any(not isinstance(g.type, DisconnectedType) for g in output_grads[1:]):
            raise NotImplementedError("only the log-likelihood output can be differentiated")
        gz = output_grads[0]
        outs = self(*inputs)
        return [
            gz * outs[_PARAMS[i]] if i in _PARAMS else disconnected_type()
            for i in range(len(inputs))
        ]


def compiled_kernel(op: LogLinearLikelihood):
    """The numba-compiled kernel for ``op``'s numbers of pieces."""
    return _compile_kernel(op.n_dense, op.n_lerp, op.n_lookup, op.has_rest, op.likelihood)


@functools.cache
def _compile_kernel(n_dense: int, n_lerp: int, n_lookup: int, has_rest: bool, likelihood: str):
    import math

    import numba

    from bayes_walk.inference.fast.fastexp import compiled_exp_block
    from bayes_walk.inference.fast.fastlog import compiled_log_block

    namespace: dict[str, Any] = {
        "np": np,
        "math": math,
        "BLOCK": BLOCK,
        "LB_K": LOG_BINOMIAL_K,
        "LB_EPS": LOG_BINOMIAL_EPS,
        "exp_block": compiled_exp_block(),
        "log_block": compiled_log_block(),
    }
    exec(kernel_source(n_dense, n_lerp, n_lookup, has_rest, likelihood), namespace)  # noqa: S102
    return numba.njit(**JIT_OPTIONS)(namespace["kernel"])


def _register_numba() -> None:
    from pytensor.link.numba.dispatch import basic as numba_basic
    from pytensor.link.numba.dispatch.basic import register_funcify_default_op_cache_key

    @register_funcify_default_op_cache_key(LogLinearLikelihood)
    def _funcify(op, node, **kwargs):
        kernel = compiled_kernel(op)
        n_rest = 1 if op.has_rest else 0
        n_dense, n_lerp, n_lookup = op.n_dense, op.n_lerp, op.n_lookup

        @numba_basic.numba_njit
        def fused(y, a, rest, X, beta, V, LI, LW, KI):
            # the unrolled kernel reads without bounds checks: check the shapes it assumes
            n = y.shape[0]
            if (
                rest.shape[0] != n * n_rest
                or X.shape[0] != n
                or X.shape[1] != n_dense
                or beta.shape[0] != n_dense
                or LI.shape[0] != n
                or LI.shape[1] != n_lerp
                or LW.shape[0] != n
                or LW.shape[1] != n_lerp
                or KI.shape[0] != n
                or KI.shape[1] != n_lookup
            ):
                raise ValueError("LogLinearLikelihood: input shapes do not match the op")
            logp, da, drest, dbeta, dV = kernel(y, a.item(), rest, X, beta, V, LI, LW, KI)
            return np.array(logp), np.array(da), drest, dbeta, dV

        # PyTensor caches the compiled function on disk under the op's props and this
        # version; the props do not see an edit of the generated code or of the exp it
        # calls, so the version is a hash of both sources
        import inspect

        from bayes_walk.inference.fast import fastexp, fastlog

        src = kernel_source(op.n_dense, op.n_lerp, op.n_lookup, op.has_rest, op.likelihood)
        src += inspect.getsource(fastexp) + inspect.getsource(fastlog)
        src += f"{LOG_BINOMIAL_K!r} {LOG_BINOMIAL_EPS!r}"
        src += repr(sorted(JIT_OPTIONS.items()))
        return fused, int(hashlib.sha256(src.encode()).hexdigest()[:12], 16)


register(numba=_register_numba)
