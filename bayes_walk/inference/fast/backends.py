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
