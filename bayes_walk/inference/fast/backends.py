"""Registering an op's numba and JAX implementations where those libraries are installed."""

from __future__ import annotations

from collections.abc import Callable


def register(
    numba: Callable[[], None] | None = None, jax: Callable[[], None] | None = None
) -> None:
    """Call each registration hook, skipping a library that is not installed.

    numba is a dependency of nutpie (without it an op's numpy ``perform`` is used); JAX is
    optional (the numpyro sampler and a fused model's pointwise log-likelihood use it).
    """
    for hook in (numba, jax):
        if hook is None:
            continue
        try:
            hook()
        except ImportError:  # pragma: no cover - both are installed in the tested stack
            pass


# "reassoc" lets sums over participants vectorise; no "nnan"/"ninf": a NaN must reach the
# sampler. error_model="numpy": a division by zero gives inf or NaN (which the sampler
# rejects) instead of raising, so numba adds no zero test to each division
LOOP_OPTIONS = {"fastmath": {"nsz", "arcp", "contract", "reassoc"}, "error_model": "numpy"}


def compile_loops(functions: tuple, namespace: dict) -> tuple:
    """numba versions of ``functions`` whose globals come from ``namespace``.

    An op's loops are plain Python functions that call ``exp_block`` and other helpers;
    their numpy versions serve ``perform``. Compiled from their source against
    ``namespace`` (the numba helpers, e.g. the vectorised exp), they become the numba
    implementation, with :data:`LOOP_OPTIONS`.
    """
    import inspect

    import numba

    jit = numba.njit(**LOOP_OPTIONS)
    out = []
    for f in functions:
        exec(inspect.getsource(f), namespace)  # noqa: S102
        out.append(jit(namespace[f.__name__]))
    return tuple(out)
