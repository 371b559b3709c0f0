"""A curve read at positions that are parameters: linear interpolation between knots.

For a curve over a measured exposure the measurement-error model reads the knot values
at each participant's latent habit, a parameter. As a PyTensor graph that is a floor, a
cast, two gathers and, backward, two scatter-adds and the slope at each position, each a
loop of its own over the participants. :class:`LatentLerp` does the forward pass in one
loop and :class:`LatentLerpGrad` the backward one:

``f_i = V[j_i] + w_i (V[j_i + 1] - V[j_i])`` with ``j_i = floor(pos_i)``, ``w_i = pos_i - j_i``;
``df_i / dpos_i = V[j_i + 1] - V[j_i]``.

Positions must lie in ``[0, len(V) - 1)`` (``model/measurement.py`` clips them there).
Used by fused models (``measurement.as_vectors``); the plain model keeps the graph, and
``tests/inference/test_days_block.py`` holds the two equal.
"""

from __future__ import annotations

import hashlib
import inspect

import numpy as np
from pytensor.gradient import DisconnectedType
from pytensor.graph.basic import Apply
from pytensor.graph.op import Op

from bayes_walk.inference.fast.backends import register


def lerp_forward(values, pos, out):
    """``out[i]`` = the curve at ``pos[i]`` (positions in ``[0, len(values) - 1)``)."""
    for i in range(pos.shape[0]):
        j = int(pos[i])
        w = pos[i] - j
        left = values[j]
        out[i] = left + w * (values[j + 1] - left)


def lerp_backward(values, pos, g, d_values, d_pos):
    """Accumulate ``g``'s pull-back: ``d_values`` (zeroed by the caller) and ``d_pos``."""
    for i in range(pos.shape[0]):
        j = int(pos[i])
        w = pos[i] - j
        gi = g[i]
        gw = gi * w
        d_values[j] += gi - gw
        d_values[j + 1] += gw
        d_pos[i] = gi * (values[j + 1] - values[j])


def _check(values, pos) -> None:
    if pos.shape[0] and (np.min(pos) < 0 or np.max(pos) >= values.shape[0] - 1):
        raise ValueError("LatentLerp: a position lies outside the knots")


class LatentLerp(Op):
    """The curve with knot values ``values`` (knot,) at positions ``pos`` (participant,)."""

    __props__ = ()

    def make_node(self, values, pos):
        import pytensor.tensor as pt

        values, pos = (pt.cast(pt.as_tensor_variable(v), "float64") for v in (values, pos))
        return Apply(self, [values, pos], [pt.dvector("curve")])

    def perform(self, node, inputs, output_storage):
        values, pos = inputs
        _check(values, pos)
        j = pos.astype(np.int64)
        w = pos - j
        output_storage[0][0] = values[j] + w * (values[j + 1] - values[j])

    def grad(self, inputs, output_grads):
        (g,) = output_grads
        if isinstance(g.type, DisconnectedType):  # pragma: no cover - PyTensor prunes it
            return [g, g]
        d_values, d_pos = LatentLerpGrad()(*inputs, g)
        return [d_values, d_pos]


class LatentLerpGrad(Op):
    """The vector-Jacobian product of :class:`LatentLerp` (first order only)."""

    __props__ = ()

    def make_node(self, values, pos, g):
        import pytensor.tensor as pt

        ins = [pt.cast(pt.as_tensor_variable(v), "float64") for v in (values, pos, g)]
        return Apply(self, ins, [pt.dvector("d_values"), pt.dvector("d_pos")])

    def perform(self, node, inputs, output_storage):
        values, pos, g = inputs
        _check(values, pos)
        j = pos.astype(np.int64)
        w = pos - j
        d_values = np.zeros(values.shape[0])
        np.add.at(d_values, j, g * (1.0 - w))
        np.add.at(d_values, j + 1, g * w)
        output_storage[0][0] = d_values
        output_storage[1][0] = g * (values[j + 1] - values[j])


def _version() -> int:
    """Salt of PyTensor's disk cache: the op's props do not see an edit of the loops."""
    src = inspect.getsource(inspect.getmodule(lerp_forward))
    return int(hashlib.sha256(src.encode()).hexdigest()[:12], 16)


def _register_numba() -> None:
    import numba
    from pytensor.link.numba.dispatch import basic as numba_basic
    from pytensor.link.numba.dispatch.basic import register_funcify_default_op_cache_key

    forward = numba.njit(lerp_forward)
    backward = numba.njit(lerp_backward)

    @register_funcify_default_op_cache_key(LatentLerp)
    def _funcify(op, node, **kwargs):
        @numba_basic.numba_njit
        def latent_lerp(values, pos):
            # the loops read without bounds checks
            if pos.shape[0] and (pos.min() < 0 or pos.max() >= values.shape[0] - 1):
                raise ValueError("LatentLerp: a position lies outside the knots")
            out = np.empty(pos.shape[0])
            # C-contiguous types: numba compiles strided loops for views of other layouts
            forward(np.ascontiguousarray(values), np.ascontiguousarray(pos), out)
            return out

        return latent_lerp, _version()

    @register_funcify_default_op_cache_key(LatentLerpGrad)
    def _funcify_grad(op, node, **kwargs):
        @numba_basic.numba_njit
        def latent_lerp_grad(values, pos, g):
            if g.shape[0] != pos.shape[0]:
                raise ValueError("LatentLerpGrad: g and pos differ in length")
            if pos.shape[0] and (pos.min() < 0 or pos.max() >= values.shape[0] - 1):
                raise ValueError("LatentLerp: a position lies outside the knots")
            d_values = np.zeros(values.shape[0])
            d_pos = np.empty(pos.shape[0])
            backward(
                np.ascontiguousarray(values),
                np.ascontiguousarray(pos),
                np.ascontiguousarray(g),
                d_values,
                d_pos,
            )
            return d_values, d_pos

        return latent_lerp_grad, _version()


def _register_jax() -> None:
    import jax.numpy as jnp
    from pytensor.link.jax.dispatch import jax_funcify

    @jax_funcify.register(LatentLerp)
    def _funcify(op, **kwargs):
        def latent_lerp(values, pos):
            j = jnp.floor(pos).astype(jnp.int64)
            w = pos - j
            left = values[j]
            return left + w * (values[j + 1] - left)

        return latent_lerp


register(numba=_register_numba, jax=_register_jax)
