"""The registry of sampler backends.

A backend is one function ``sample(request: SampleRequest) -> az.InferenceData`` (a
``posterior`` of the model's free variables and Deterministics, and a ``sample_stats``
group with at least ``diverging``) and one entry here. The spec's allowed
``sampler.backend`` values and the CLI's ``--sampler`` choices are read from this registry,
so a backend registered with :func:`register_sampler` is usable everywhere at once.

Built-in entries name their function as ``"module:function"`` and are imported only when
used: reading the registry never imports PyMC, nutpie or JAX.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bayes_walk.errors import SpecError


@dataclass
class SampleRequest:
    """What a backend is asked to do.

    Attributes
    ----------
    built
        The :class:`~bayes_walk.model.builder.BuiltModel` to sample (its data already set).
    chains, draws, tune, seed, target_accept
        Resolved sampler settings.
    progress
        Show the backend's progress bar.
    extra
        Backend-specific keyword arguments (``sampler_kwargs`` of ``fit``).
    cache
        A :class:`~bayes_walk.inference.compiled.ModelCache` owned by the caller when the same
        model is fitted to many data sets (SBC, sweeps); ``None`` for a one-off fit.
    """

    built: Any
    chains: int
    draws: int
    tune: int
    seed: int
    target_accept: float
    progress: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    cache: Any = None

    def trace_vars(self) -> list[str]:
        """Free variables and Deterministics to keep (not the per-participant ``mu``)."""
        model = self.built.model
        keep = [v.name for v in model.free_RVs] + [d.name for d in model.deterministics]
        return [n for n in keep if n != "mu"]


@dataclass(frozen=True)
class Sampler:
    """One registry entry.

    Attributes
    ----------
    name
        The ``--sampler`` / ``sampler.backend`` value.
    function
        ``sample(request) -> az.InferenceData``, or ``"module:function"`` imported on use.
    fused
        Whether a one-off fit uses the fused likelihood strategy
        (``build_model(..., fused=True)``): worth it for backends that compile the log
        density with numba.
    description
        One line for ``--help`` and the docs.
    """

    name: str
    function: Callable[[SampleRequest], Any] | str
    fused: bool = False
    description: str = ""

    def sample(self, request: SampleRequest):
        """Run the backend on ``request``."""
        fn = self.function
        if isinstance(fn, str):
            module, _, attr = fn.partition(":")
            fn = getattr(importlib.import_module(module), attr)
        return fn(request)


SAMPLERS: dict[str, Sampler] = {
    "nutpie": Sampler(
        "nutpie",
        "bayes_walk.inference.samplers.nutpie:sample",
        fused=True,
        description="nutpie NUTS (default; numba-compiled, chains in parallel)",
    ),
    "pymc": Sampler(
        "pymc",
        "bayes_walk.inference.samplers.pymc:sample",
        description="PyMC's own NUTS (pm.sample, numba mode, one process)",
    ),
    "numpyro": Sampler(
        "numpyro",
        "bayes_walk.inference.samplers.numpyro:sample",
        description="numpyro NUTS through JAX (vectorized chains; GPUs)",
    ),
}


def register_sampler(
    name: str,
    function: Callable[[SampleRequest], Any] | str,
    *,
    fused: bool = False,
    description: str = "",
) -> Sampler:
    """Add (or replace) a backend; returns its entry.

    Examples
    --------
    >>> def toy(request):  # doctest: +SKIP
    ...     ...  # return an az.InferenceData with posterior and sample_stats.diverging
    >>> register_sampler("toy", toy)  # doctest: +SKIP
    """
    if not name or not name.replace("_", "").isalnum():
        raise ValueError(f"a sampler name is a plain word, got {name!r}")
    entry = Sampler(name, function, fused=fused, description=description)
    SAMPLERS[name] = entry
    return entry


def sampler_names() -> tuple[str, ...]:
    """The registered backend names, built-ins first."""
    return tuple(SAMPLERS)


def get_sampler(name: str) -> Sampler:
    """The entry of ``name``; :class:`SpecError` listing the known backends otherwise."""
    try:
        return SAMPLERS[name]
    except KeyError:
        raise SpecError(
            f"unknown sampler {name!r}; choose one of {', '.join(sampler_names())}"
        ) from None
