"""A latent habit's position among a curve's knots, from its log, in one pass.

A curve with knots (``"interp"`` designs) reads the measurement-error model's latent habit
at ``pos_i = clip((exp(log_h_i + shift) - lo) / (hi - lo) * (points - 1), 0, points - 1 -
1e-9)`` (``model/measurement.py``: ``term_data``; ``shift = day_sd**2 / 2``). As a PyTensor
graph the ``exp`` is libm's scalar one, which numba cannot vectorise, in a loop forward
and again backward. :class:`LatentPosition` takes the exponential through the vectorised
:mod:`~bayes_walk.inference.fast.fastexp` (within 1 ulp of ``np.exp``) and
:class:`LatentPositionGrad` returns the gradients in ``log_h`` and ``shift``:

``d pos_i / d log_h_i = d pos_i / d shift = habit_i * (points - 1) / (hi - lo)`` inside the
clip, 0 outside (PyTensor's ``clip`` convention: the bounds count as inside).

Used by fused models; ``tests/inference/test_days_block.py`` holds it equal to the graph.
"""

from __future__ import annotations

import functools
import hashlib
import inspect

import numpy as np
from pytensor.graph.basic import Apply
from pytensor.graph.op import Op

from bayes_walk.inference.fast.backends import compile_loops, register

# the largest position: the curve reads knots j and j + 1 with j = floor(pos)
TOP_MARGIN = 1e-9


def position_forward(log_h, shift, lo, hi, points, pos, scratch):
    """``pos[i]`` from ``log_h[i]`` (module docstring); ``scratch`` holds the habits after."""
    n = log_h.shape[0]
    for i in range(n):
        pos[i] = log_h[i] + shift
    exp_block(pos, scratch, np.empty(n), n)
    top = points - 1 - TOP_MARGIN
    for i in range(n):
        p = (scratch[i] - lo) / (hi - lo) * (points - 1)
        pos[i] = min(max(p, 0.0), top)


def position_backward(log_h, shift, lo, hi, points, g, d_log_h):
    """``d_log_h[i]`` = ``g[i] d pos_i / d log_h_i``; returns the gradient in ``shift``."""
    n = log_h.shape[0]
    x = np.empty(n)
    habit = np.empty(n)
    for i in range(n):
        x[i] = log_h[i] + shift
    exp_block(x, habit, np.empty(n), n)
    top = points - 1 - TOP_MARGIN
    scale = (points - 1) / (hi - lo)
    total = 0.0
    for i in range(n):
        p = (habit[i] - lo) / (hi - lo) * (points - 1)
        inside = 1.0 if (p >= 0.0 and p <= top) else 0.0
        d = g[i] * habit[i] * scale * inside
        d_log_h[i] = d
        total += d
    return total


def exp_block(x, out, scratch, m):
    """``np.exp`` for :meth:`perform`; the numba versions use
    :mod:`~bayes_walk.inference.fast.fastexp`'s."""
    out[:m] = np.exp(x[:m])


class LatentPosition(Op):
    """Knot positions of ``exp(log_h + shift)`` for knots spanning ``[lo, hi]``."""

    __props__ = ("lo", "hi", "points")

    def __init__(self, lo: float, hi: float, points: int) -> None:
        self.lo, self.hi, self.points = float(lo), float(hi), int(points)

    def make_node(self, log_h, shift):
        import pytensor.tensor as pt

        ins = [pt.cast(pt.as_tensor_variable(v), "float64") for v in (log_h, shift)]
        return Apply(self, ins, [pt.dvector("position")])

    def perform(self, node, inputs, output_storage):
        log_h, shift = inputs
        pos = np.empty(log_h.shape[0])
        position_forward(
            log_h, float(shift), self.lo, self.hi, self.points, pos, np.empty(log_h.shape[0])
        )
        output_storage[0][0] = pos

    def grad(self, inputs, output_grads):
        (g,) = output_grads
        d_log_h, d_shift = LatentPositionGrad(self.lo, self.hi, self.points)(*inputs, g)
        return [d_log_h, d_shift]


class LatentPositionGrad(Op):
    """The vector-Jacobian product of :class:`LatentPosition` (first order only)."""

    __props__ = ("lo", "hi", "points")

    def __init__(self, lo: float, hi: float, points: int) -> None:
        self.lo, self.hi, self.points = float(lo), float(hi), int(points)

    def make_node(self, log_h, shift, g):
        import pytensor.tensor as pt

        ins = [pt.cast(pt.as_tensor_variable(v), "float64") for v in (log_h, shift, g)]
        return Apply(self, ins, [pt.dvector("d_log_h"), pt.dscalar("d_shift")])

    def perform(self, node, inputs, output_storage):
        log_h, shift, g = inputs
        d = np.empty(log_h.shape[0])
        total = position_backward(log_h, float(shift), self.lo, self.hi, self.points, g, d)
        output_storage[0][0] = d
        output_storage[1][0] = np.asarray(total, dtype=np.float64)


def _version() -> int:
    from bayes_walk.inference.fast import backends, fastexp

    src = inspect.getsource(inspect.getmodule(position_forward)) + inspect.getsource(fastexp)
    src += inspect.getsource(backends)  # the compile options
    return int(hashlib.sha256(src.encode()).hexdigest()[:12], 16)


@functools.cache
def _compiled():
    from bayes_walk.inference.fast.fastexp import compiled_exp_block

    namespace = {"np": np, "exp_block": compiled_exp_block(), "TOP_MARGIN": TOP_MARGIN}
    return compile_loops((position_forward, position_backward), namespace)


def _register_numba() -> None:
    from pytensor.link.numba.dispatch import basic as numba_basic
    from pytensor.link.numba.dispatch.basic import register_funcify_default_op_cache_key

    @register_funcify_default_op_cache_key(LatentPosition)
    def _funcify(op, node, **kwargs):
        fwd, _ = _compiled()
        lo, hi, points = op.lo, op.hi, op.points

        @numba_basic.numba_njit
        def latent_position(log_h, shift):
            n = log_h.shape[0]
            pos = np.empty(n)
            # C-contiguous types: numba compiles strided loops for views of other layouts
            fwd(np.ascontiguousarray(log_h), shift.item(), lo, hi, points, pos, np.empty(n))
            return pos

        return latent_position, _version()

    @register_funcify_default_op_cache_key(LatentPositionGrad)
    def _funcify_grad(op, node, **kwargs):
        _, bwd = _compiled()
        lo, hi, points = op.lo, op.hi, op.points

        @numba_basic.numba_njit
        def latent_position_grad(log_h, shift, g):
            n = log_h.shape[0]
            if g.shape[0] != n:
                raise ValueError("LatentPositionGrad: g and log_h differ in length")
            d = np.empty(n)
            log_h, g = np.ascontiguousarray(log_h), np.ascontiguousarray(g)
            total = bwd(log_h, shift.item(), lo, hi, points, g, d)
            return d, np.array(total)

        return latent_position_grad, _version()


def _register_jax() -> None:
    """The forward op in JAX (the fused pointwise log-likelihood evaluates the graph there)."""
    import jax.numpy as jnp
    from pytensor.link.jax.dispatch import jax_funcify

    @jax_funcify.register(LatentPosition)
    def _funcify(op, **kwargs):
        lo, hi, points = op.lo, op.hi, op.points

        def latent_position(log_h, shift):
            p = (jnp.exp(log_h + shift) - lo) / (hi - lo) * (points - 1)
            return jnp.clip(p, 0.0, points - 1 - TOP_MARGIN)

        return latent_position


register(numba=_register_numba, jax=_register_jax)
