"""A fused Poisson log-likelihood: the linear predictor, ``exp`` and the gradient in one
pass over the participants.

The default model's linear predictor is a sum of cheap pieces: a dense covariate product
``X @ beta``, curves read off knot values by linear interpolation (HSGP terms, their
stratum deviations) and lookups (municipality intercepts). Built as a PyTensor graph,
each piece is its own loop over the n participants with its own temporaries, forward and
backward: at n = 11,194 a gradient costs about 0.3 ms, at 200,000 memory traffic makes it
grow faster than n. :class:`PoissonLogLinear` computes

``sum_i y_i * eta_i - exp(eta_i)`` with
``eta_i = a + rest_i + X_i . beta + sum_j lerp(V, LI_ij, LW_ij) + sum_k V[KI_ik]``

and its gradient with respect to ``a``, ``rest``, ``beta`` and ``V`` in one loop
(numba; a numpy ``perform`` for the other backends and the tests). The gradient is a
second output of the same node, so a compiled ``logp + dlogp`` evaluates it once.

:class:`FusedPredictor` collects the pieces while the model is built (the forms call it
through :meth:`bayes_walk.model.forms.base.Interpolated.at`) and returns the log-likelihood.
``bayes_walk.inference.fit`` samples the fused model in a one-off nutpie fit of a Poisson model,
and the same pieces give the pointwise log-likelihood and ``mu``
(:mod:`bayes_walk.inference.fast.pointwise`). ``tests/test_fused.py`` checks that the fused and
the ordinary model give the same log density and gradient.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
from pytensor.gradient import DisconnectedType, disconnected_type
from pytensor.graph.basic import Apply
from pytensor.graph.op import Op

# inputs: y, a, rest, X, beta, V, LI, LW, KI; the differentiable ones and their outputs
_PARAMS = {1: 1, 2: 2, 4: 3, 5: 4}  # input position -> gradient output position


# rows per block: the block's eta and mu stay in L1 between the three passes
BLOCK = 512


def kernel_source(n_dense: int, n_lerp: int, n_lookup: int, has_rest: bool) -> str:
    """Python source of the kernel, unrolled for the numbers of pieces.

    Rows go in blocks of :data:`BLOCK`, in three passes: the linear predictor of each
    row, ``exp`` of the whole block (vectorised, :mod:`bayes_walk.inference.fast.fastexp`), then the
    gradient. Unrolled, numba keeps every index and weight of a row in registers; generic
    loops over pieces (trip counts unknown at compile time) cost ~1.5x as much.
    """
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
        "    logp = 0.0",
        "    da = 0.0",
        "    for start in range(0, n, BLOCK):",
        "        m = min(BLOCK, n - start)",
        "        for i in range(start, start + m):",
        f"            {ind.join(loads) if loads else 'pass'}",
        f"            eta[i - start] = {' + '.join(terms)}",
        "        exp_block(eta, mu, scratch, m)",
        "        for r in range(m):",
        "            yr = float(y[start + r])",
        "            logp += yr * eta[r] - mu[r]",
        "            mu[r] = yr - mu[r]",
        "            da += mu[r]",
        "        for i in range(start, start + m):",
        "            g = mu[i - start]",
        f"            {ind.join(loads + grads) if loads or grads else 'pass'}",
        "    dbeta = np.empty(beta.shape[0])",
        *[f"    dbeta[{j}] = db{j}" for j in range(n_dense)],
        "    return logp, da, drest, dbeta, dV",
    ]
    return "\n".join(lines) + "\n"


class PoissonLogLinear(Op):
    """``sum_i y_i eta_i - exp(eta_i)`` (the Poisson log-likelihood without
    ``-log y_i!``) and its gradient; see the module docstring for ``eta``.

    Outputs ``(logp, d/da, d/drest, d/dbeta, d/dV)``. Only ``logp`` may be
    differentiated (first order, which is all NUTS needs).
    """

    __props__ = ("n_dense", "n_lerp", "n_lookup", "has_rest")

    def __init__(self, n_dense: int, n_lerp: int, n_lookup: int, has_rest: bool) -> None:
        self.n_dense, self.n_lerp, self.n_lookup = int(n_dense), int(n_lerp), int(n_lookup)
        self.has_rest = bool(has_rest)
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
        mu = np.exp(eta)
        g = y - mu
        dV = np.zeros(V.shape[0])
        np.add.at(dV, LI, g[:, None] * (1.0 - LW))
        np.add.at(dV, LI + 1, g[:, None] * LW)
        np.add.at(dV, KI, np.broadcast_to(g[:, None], KI.shape))
        vals = (
            float(np.sum(y * eta - mu)),
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


def compiled_kernel(op: PoissonLogLinear):
    """The numba-compiled kernel for ``op``'s numbers of pieces."""
    import numba

    key = (op.n_dense, op.n_lerp, op.n_lookup, op.has_rest)
    if key not in _KERNELS:
        from bayes_walk.inference.fast.fastexp import compiled_exp_block

        namespace: dict[str, Any] = {"np": np, "BLOCK": BLOCK, "exp_block": compiled_exp_block()}
        exec(kernel_source(*key), namespace)  # noqa: S102 - source built above, no input
        _KERNELS[key] = numba.njit(fastmath=True)(namespace["kernel"])
    return _KERNELS[key]


_KERNELS: dict[tuple, Any] = {}


def _register_numba() -> None:
    from pytensor.link.numba.dispatch import basic as numba_basic
    from pytensor.link.numba.dispatch.basic import register_funcify_default_op_cache_key

    @register_funcify_default_op_cache_key(PoissonLogLinear)
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
                raise ValueError("PoissonLogLinear: input shapes do not match the op")
            logp, da, drest, dbeta, dV = kernel(y, a.item(), rest, X, beta, V, LI, LW, KI)
            return np.array(logp), np.array(da), drest, dbeta, dV

        # PyTensor caches the compiled function on disk under the op's props and this
        # version; the props do not see an edit of the generated code or of the exp it
        # calls, so the version is a hash of both sources
        import inspect

        from bayes_walk.inference.fast import fastexp

        src = kernel_source(op.n_dense, op.n_lerp, op.n_lookup, op.has_rest)
        src += inspect.getsource(fastexp)
        return fused, int(hashlib.sha256(src.encode()).hexdigest()[:12], 16)


try:  # numba is a dependency of nutpie; without it the numpy perform() is used
    _register_numba()
except ImportError:  # pragma: no cover
    pass


def numeric(x) -> np.ndarray:
    """The values of a data tensor: a shared variable (``pm.Data``), constant or array."""
    if hasattr(x, "get_value"):
        return np.asarray(x.get_value())
    return np.asarray(getattr(x, "data", x))


class FusedPredictor:
    """Collects the pieces of the linear predictor while a model is built.

    Parameters
    ----------
    n
        Number of participants.
    """

    def __init__(self, n: int) -> None:
        self.n = n
        self.parameters: dict[str, Any] = {}
        self.arrays: dict[str, np.ndarray] = {}
        self.log_y_factorial = np.zeros(0)
        self._values: list[Any] = []
        self._size = 0
        self._lerp: list[tuple[np.ndarray, np.ndarray]] = []
        self._lookup: list[np.ndarray] = []
        self._dense: tuple[np.ndarray, Any] | None = None

    def _segment(self, values) -> int:
        flat = values.ravel()
        size = flat.type.shape[0]
        if size is None:
            size = int(flat.shape[0].eval())
        offset = self._size
        self._values.append(flat)
        self._size += int(size)
        return offset

    def lerp(self, values, index: np.ndarray, weight: np.ndarray):
        """Add ``values[index] + weight * (values[index + 1] - values[index])``.

        Returns a zero to add to the term, which the fused likelihood now carries.
        """
        import pytensor.tensor as pt

        off = self._segment(values)
        self._lerp.append((np.asarray(index, dtype=np.int64) + off, np.asarray(weight)))
        return pt.constant(0.0)

    def lookup(self, values, index: np.ndarray):
        """Add ``values[index]`` (e.g. group intercepts); returns a zero like :meth:`lerp`."""
        import pytensor.tensor as pt

        off = self._segment(values)
        self._lookup.append(np.asarray(index, dtype=np.int64) + off)
        return pt.constant(0.0)

    def covariates(self, X: np.ndarray, beta, categorical: np.ndarray):
        """Add ``X @ beta`` (one call per model); returns a zero like :meth:`lerp`.

        The ``categorical`` columns (dummies) are aggregated exactly: each participant's
        row of them is one of a few patterns, so their part of ``eta`` is a lookup into
        ``patterns @ beta`` (one read per participant instead of one per column). The
        other columns stay a dense product.
        """
        import pytensor.tensor as pt

        if self._dense is not None:
            raise ValueError("FusedPredictor.covariates: already set")
        X = np.asarray(X, dtype=np.float64)
        cat = np.flatnonzero(categorical)
        num = np.flatnonzero(~np.asarray(categorical, dtype=bool))
        if cat.size:
            patterns, which = np.unique(X[:, cat], axis=0, return_inverse=True)
            self.lookup(pt.dot(pt.constant(patterns), beta[cat]), which.ravel())
        self._dense = (np.ascontiguousarray(X[:, num]), beta[num])
        return pt.constant(0.0)

    def poisson_logp(self, y: np.ndarray, rest):
        """The Poisson log-likelihood of ``y`` with ``eta = rest + collected pieces``.

        ``rest`` is what the model summed outside the pieces: a scalar (intercept) or a
        (participant,) vector.
        """
        import pytensor
        import pytensor.tensor as pt
        from scipy.special import gammaln

        n = self.n
        y = np.asarray(y)
        rest = pt.as_tensor_variable(rest)
        a, vec = (rest, np.zeros(0)) if rest.ndim == 0 else (pt.constant(0.0), rest)
        if self._dense is None:
            X, beta = np.zeros((n, 0)), pt.constant(np.zeros(0))
        else:
            X, beta = self._dense
        V = pt.concatenate(self._values) if self._values else pt.constant(np.zeros(0))
        # Compact storage: the kernel reads each row once per gradient, so bytes per row
        # set its speed at large n. float32 holds counts below 2**24 exactly, and the
        # covariates and interpolation weights to 6e-8 (the ordinary model stores its
        # design matrices as float32 too). Unsigned indices: numba then skips the
        # negative-index wraparound of every read (1.5x faster at n = 200,000 than int16).
        index = np.uint16 if self._size < 2**16 else np.uint32
        arrays = {
            "y": y.astype(np.float32 if y.max(initial=0) < 2**24 else np.float64),
            "X": X.astype(np.float32),
            "lerp_index": _columns([i for i, _ in self._lerp], n, index),
            "lerp_weight": _columns([w for _, w in self._lerp], n, np.float32),
            "lookup_index": _columns(self._lookup, n, index),
        }
        # shared variables, not constants, so that the data stay inputs of the compiled
        # function (C-ordered arrays) even in a frozen model
        y_, X_, LI_, LW_, KI_ = (
            pytensor.shared(np.ascontiguousarray(v), name=f"fused_{k}") for k, v in arrays.items()
        )
        op = PoissonLogLinear(X.shape[1], len(self._lerp), len(self._lookup), rest.ndim == 1)
        out = op(y_, a, vec, X_, beta, V, LI_, LW_, KI_)
        # kept for the pointwise log-likelihood (bayes_walk.inference.fast.pointwise)
        self.parameters = {"a": pt.as_tensor_variable(a), "rest": vec, "beta": beta, "V": V}
        self.arrays = arrays
        self.log_y_factorial = gammaln(y + 1.0)
        return out[0] - float(self.log_y_factorial.sum())


def _columns(cols: list[np.ndarray], n: int, dtype) -> np.ndarray:
    if not cols:
        return np.zeros((n, 0), dtype=dtype)
    return np.ascontiguousarray(np.stack(cols, axis=1), dtype=dtype)
