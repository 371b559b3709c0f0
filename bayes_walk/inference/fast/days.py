"""The day model of a measured exposure in one pass: its log density and the latent habits.

The measurement-error model (:mod:`bayes_walk.model.measurement`) adds, per participant,
the marginal density of the mean log day, the non-centred latent log habit and the Box-Cox
population's departure from log-normal (:mod:`bayes_walk.model.habit_population`). As a
PyTensor graph that is some thirty elementwise loops over the participants, forward and
backward, each with its own temporary; at n = 11,194 they cost several times the fused
outcome likelihood itself (docs/performance.md). :class:`DaysBlock` computes

``S = sum_i [k_i > 0] * log Normal(ybar_i | a_i, sqrt(sb**2 + sw**2 / k_i))
      + (-u_i**2 + d_i**2) / 2 + lam * d_i``  with  ``u_i = expm1(lam * d_i) / (lam * sb)``

and the log habits ``h_i = a_i + d_i``, ``d_i = (ybar_i - a_i) B_i / P_i + z_i / sqrt(P_i)``
(``P_i = 1 / sb**2 + B_i``, ``B_i = k_i / sw**2``: the conjugate step), in one loop, and
:class:`DaysBlockGrad` their vector-Jacobian product in another. The loops are plain
arithmetic on contiguous arrays, so that LLVM vectorises them: the conjugate step's
``1 / sqrt(P_i)`` is computed per participant (a table per number of days would be a
gather, which kept the loops scalar), the marginal's ``log v_i``, which depends on the
participant only through ``k_i``, once per number of days, and the one transcendental per
participant, ``exp(lam * d_i)``, goes through the vectorised
:mod:`~bayes_walk.inference.fast.fastexp`. ``expm1(x) / x`` and its derivative are taken
from their series where ``x`` is small, so that no difference cancels.

The truncation's normalising term and the within-person chi-square are scalars and stay in
the graph. ``tests/inference/test_days_block.py`` checks value and gradient against the
graph formula, and the fused model against the plain one.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import math

import numpy as np
from pytensor.gradient import DisconnectedType
from pytensor.graph.basic import Apply
from pytensor.graph.op import Op

from bayes_walk.inference.fast.backends import LOOP_OPTIONS, compile_loops, register

HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
# below this |x| = |lam * d|, expm1(x) / x and its derivative come from their series
SERIES_X = 0.05


def forward(z, a, sb, sw, lam, k, ybar, h):
    """``S`` (returned) and the log habits (written to ``h``); ``a`` has length 1 or n."""
    n = z.shape[0]
    sb2 = sb * sb
    sw2 = sw * sw
    inv_a = 1.0 / sb2
    inv_sw2 = 1.0 / sw2
    af = _full(a, n)
    d = np.empty(n)
    x = np.empty(n)
    marg = -_log_normalisers(k, sb2, sw2)
    for i in range(n):
        kk = k[i]
        b = kk * inv_sw2
        r = 1.0 / math.sqrt(inv_a + b)
        iv = kk / (kk * sb2 + sw2)  # 1 / v, 0 for no valid day: no marginal term
        e = ybar[i] - af[i]
        marg -= 0.5 * iv * e * e
        di = e * b * r * r + z[i] * r
        d[i] = di
        h[i] = af[i] + di
        x[i] = lam * di
    ex = np.empty(n)
    exp_block(x, ex, np.empty(n), n)
    corr = 0.0
    for i in range(n):
        u = d[i] * _q(x[i], ex[i])
        corr += (d[i] * d[i] - u * u) * (0.5 * inv_a) + x[i]
    return marg + corr


def backward(z, a, sb, sw, lam, k, ybar, g_s, g_h):
    """Gradients of ``g_s * S + g_h . h`` with respect to ``z``, ``a``, ``sb``, ``sw``,
    ``lam``; ``a``'s has the length of ``a``."""
    n = z.shape[0]
    sb2 = sb * sb
    sw2 = sw * sw
    inv_sw2 = 1.0 / sw2
    inv_a = 1.0 / sb2
    inv_a_sb = inv_a / sb
    dp_dsb = -2.0 * inv_a_sb
    db_dsw = -2.0 * inv_sw2 / sw  # d B / d sw per valid day
    af = _full(a, n)
    d = np.empty(n)
    x = np.empty(n)
    for i in range(n):
        kk = k[i]
        b = kk * inv_sw2
        r = 1.0 / math.sqrt(inv_a + b)
        d[i] = (ybar[i] - af[i]) * b * r * r + z[i] * r
        x[i] = lam * d[i]
    ex = np.empty(n)
    exp_block(x, ex, np.empty(n), n)
    gz = np.empty(n)
    ga = np.empty(n)
    g_sb = 0.0
    g_sw = 0.0
    g_lam = 0.0
    for i in range(n):
        kk = k[i]
        b = kk * inv_sw2
        r = 1.0 / math.sqrt(inv_a + b)
        r2 = r * r
        r4 = r2 * r2  # 1 / P**2
        iv = kk / (kk * sb2 + sw2)
        e = ybar[i] - af[i]
        di = d[i]
        xi = x[i]
        q = _q(xi, ex[i])
        u = di * q
        gd = g_s * ((di - u * ex[i]) * inv_a + lam) + g_h[i]
        gz[i] = gd * r
        ga[i] = g_h[i] - gd * b * r2 + g_s * e * iv
        dm_dv = g_s * 0.5 * iv * (e * e * iv - 1.0)
        zr3 = z[i] * 0.5 * r2 * r  # z * (dr / dP) with the sign folded below
        # d v / d sw = 2 sw / k for k > 0 (no marginal term, so no gradient, for k = 0)
        dv_dsw = 2.0 * sw * kk / (kk * kk + (1.0 if kk == 0.0 else 0.0))
        g_sb += (
            dm_dv * 2.0 * sb
            + g_s * (u * u - di * di) * inv_a_sb
            + gd * dp_dsb * (-e * b * r4 - zr3)
        )
        g_sw += dm_dv * dv_dsw + gd * kk * db_dsw * (e * inv_a * r4 - zr3)
        g_lam += g_s * (di - u * di * di * _phi(xi, ex[i], q) * inv_a)
    if a.shape[0] == 1:
        total = 0.0
        for i in range(n):
            total += ga[i]
        ga = np.full(1, total)
    return gz, ga, g_sb, g_sw, g_lam


def _full(a, n):
    """``a`` (length 1 or n) as a C-contiguous length-n array, so that the loops read it
    contiguously (an input of any layout would make numba compile strided loops)."""
    if a.shape[0] == n:
        return np.ascontiguousarray(a)
    return np.full(n, a[0])


def _log_normalisers(k, sb2, sw2):
    """``sum_i [k_i > 0] (log(2 pi) + log(v_i)) / 2`` with ``v_i = sb**2 + sw**2 / k_i``:
    it depends on the participant only through ``k_i``, so one log per number of days."""
    kmax = 0
    for i in range(k.shape[0]):
        kmax = max(kmax, int(k[i]))
    counts = np.zeros(kmax + 1)
    for i in range(k.shape[0]):
        counts[int(k[i])] += 1.0
    total = 0.0
    for kk in range(1, kmax + 1):
        total += counts[kk] * (HALF_LOG_2PI + 0.5 * math.log(sb2 + sw2 / kk))
    return total


def _q(x, ex):
    """``expm1(x) / x`` given ``ex = exp(x)`` (1 at x = 0); from its series where ``x`` is
    small, so that no difference cancels. Branch-free, so that a loop vectorises."""
    small = abs(x) < SERIES_X
    series = 1.0 + x * (
        1 / 2 + x * (1 / 6 + x * (1 / 24 + x * (1 / 120 + x * (1 / 720 + x / 5040))))
    )
    return series if small else (ex - 1.0) / (SERIES_X if small else x)


def _phi(x, ex, q):
    """``(x exp(x) - expm1(x)) / x**2 = (exp(x) - q) / x`` given ``q = _q(x, ex)`` (1/2 at
    0): the derivative of ``expm1(lam d) / lam`` in ``lam`` is ``d**2`` times this."""
    small = abs(x) < SERIES_X
    series = 1 / 2 + x * (
        1 / 3 + x * (1 / 8 + x * (1 / 30 + x * (1 / 144 + x * (1 / 840 + x / 5760))))
    )
    return series if small else (ex - q) / (SERIES_X if small else x)


def exp_block(x, out, scratch, m):
    """``np.exp`` for :meth:`perform`; the numba versions of :func:`forward` and
    :func:`backward` call :mod:`~bayes_walk.inference.fast.fastexp`'s instead."""
    out[:m] = np.exp(x[:m])


class DaysBlock(Op):
    """``(S, h)`` of the day model; inputs ``z, a, sb, sw, lam, k, ybar`` (module docstring).

    ``a`` is the population location: length 1 (no covariates) or n.
    """

    __props__ = ()

    def make_node(self, z, a, sb, sw, lam, k, ybar):
        import pytensor.tensor as pt

        ins = [pt.cast(pt.as_tensor_variable(v), "float64") for v in (z, a, sb, sw, lam, k, ybar)]
        return Apply(self, ins, [pt.dscalar("days_logp"), pt.dvector("log_habit")])

    def perform(self, node, inputs, output_storage):
        z, a, sb, sw, lam, k, ybar = inputs
        h = np.empty(z.shape[0])
        s = forward(z, a, float(sb), float(sw), float(lam), k, ybar, h)
        output_storage[0][0] = np.asarray(s, dtype=np.float64)
        output_storage[1][0] = h

    def grad(self, inputs, output_grads):
        import pytensor.tensor as pt

        g_s, g_h = output_grads
        if isinstance(g_s.type, DisconnectedType):
            g_s = pt.constant(0.0, dtype="float64")
        if isinstance(g_h.type, DisconnectedType):
            g_h = pt.zeros_like(inputs[0])
        gz, ga, g_sb, g_sw, g_lam = DaysBlockGrad()(*inputs, g_s, g_h)
        k, ybar = inputs[5], inputs[6]
        return [gz, ga, g_sb, g_sw, g_lam, pt.zeros_like(k), pt.zeros_like(ybar)]


class DaysBlockGrad(Op):
    """The vector-Jacobian product of :class:`DaysBlock` (first order only)."""

    __props__ = ()

    def make_node(self, z, a, sb, sw, lam, k, ybar, g_s, g_h):
        import pytensor.tensor as pt

        ins = [
            pt.cast(pt.as_tensor_variable(v), "float64")
            for v in (z, a, sb, sw, lam, k, ybar, g_s, g_h)
        ]
        outs = [pt.dvector("gz"), pt.dvector("ga"), pt.dscalar(), pt.dscalar(), pt.dscalar()]
        return Apply(self, ins, outs)

    def perform(self, node, inputs, output_storage):
        z, a, sb, sw, lam, k, ybar, g_s, g_h = inputs
        out = backward(z, a, float(sb), float(sw), float(lam), k, ybar, float(g_s), g_h)
        for store, v in zip(output_storage, out, strict=True):
            store[0] = np.asarray(v, dtype=np.float64)


@functools.cache
def _compiled():
    import numba

    from bayes_walk.inference.fast.fastexp import compiled_exp_block

    jit = numba.njit(**LOOP_OPTIONS)
    namespace = {
        "np": np,
        "math": math,
        "HALF_LOG_2PI": HALF_LOG_2PI,
        "SERIES_X": SERIES_X,
        "_full": jit(_full),
        "_log_normalisers": jit(_log_normalisers),
        "_q": jit(_q),
        "_phi": jit(_phi),
        "exp_block": compiled_exp_block(),
    }
    return compile_loops((forward, backward), namespace)


def _version() -> int:
    from bayes_walk.inference.fast import backends, fastexp

    src = inspect.getsource(inspect.getmodule(forward)) + inspect.getsource(fastexp)
    src += inspect.getsource(backends)  # the compile options
    return int(hashlib.sha256(src.encode()).hexdigest()[:12], 16)


def _register_numba() -> None:
    from pytensor.link.numba.dispatch import basic as numba_basic
    from pytensor.link.numba.dispatch.basic import register_funcify_default_op_cache_key

    @register_funcify_default_op_cache_key(DaysBlock)
    def _funcify_block(op, node, **kwargs):
        fwd, _ = _compiled()

        @numba_basic.numba_njit
        def days_block(z, a, sb, sw, lam, k, ybar):
            n = z.shape[0]
            if k.shape[0] != n or ybar.shape[0] != n or a.shape[0] not in (1, n):
                raise ValueError("DaysBlock: input shapes do not match")
            h = np.empty(n)
            # C-contiguous types: PyTensor may hand over views of any layout, and numba
            # compiles strided, scalar loops for those
            z, k, ybar = (
                np.ascontiguousarray(z),
                np.ascontiguousarray(k),
                np.ascontiguousarray(ybar),
            )
            s = fwd(z, a, sb.item(), sw.item(), lam.item(), k, ybar, h)
            return np.array(s), h

        return days_block, _version()

    @register_funcify_default_op_cache_key(DaysBlockGrad)
    def _funcify_grad(op, node, **kwargs):
        _, bwd = _compiled()

        @numba_basic.numba_njit
        def days_block_grad(z, a, sb, sw, lam, k, ybar, g_s, g_h):
            n = z.shape[0]
            if k.shape[0] != n or ybar.shape[0] != n or a.shape[0] not in (1, n):
                raise ValueError("DaysBlockGrad: input shapes do not match")
            if g_h.shape[0] != n:
                raise ValueError("DaysBlockGrad: g_h has the wrong length")
            z, k, ybar = (
                np.ascontiguousarray(z),
                np.ascontiguousarray(k),
                np.ascontiguousarray(ybar),
            )
            gz, ga, g_sb, g_sw, g_lam = bwd(
                z,
                a,
                sb.item(),
                sw.item(),
                lam.item(),
                k,
                ybar,
                g_s.item(),
                np.ascontiguousarray(g_h),
            )
            return gz, ga, np.array(g_sb), np.array(g_sw), np.array(g_lam)

        return days_block_grad, _version()


def _register_jax() -> None:
    """The forward op in JAX: the fused pointwise log-likelihood computes each draw's
    habits through JAX (``inference/fast/pointwise.py``); no gradient is needed there."""
    import jax.numpy as jnp
    from pytensor.link.jax.dispatch import jax_funcify

    @jax_funcify.register(DaysBlock)
    def _funcify(op, **kwargs):
        def days_block(z, a, sb, sw, lam, k, ybar):
            inv_a = 1.0 / (sb * sb)
            b = k / (sw * sw)
            p = inv_a + b
            e = ybar - a
            d = e * b / p + z / jnp.sqrt(p)
            v = sb * sb + sw * sw / jnp.maximum(k, 1.0)
            marg = jnp.where(k > 0, -(0.5 * jnp.log(v) + HALF_LOG_2PI) - 0.5 * e * e / v, 0.0)
            x = lam * d
            zero = x == 0.0
            q = jnp.where(zero, 1.0, jnp.expm1(x) / jnp.where(zero, 1.0, x))
            u = d * q
            s = jnp.sum(marg) + jnp.sum((d * d - u * u) * (0.5 * inv_a) + x)
            return s, a + d

        return days_block


register(numba=_register_numba, jax=_register_jax)
