"""Sampler backends: one function each, found through :mod:`.registry`."""

from bayes_walk.inference.samplers.registry import (
    SAMPLERS,
    Sampler,
    SampleRequest,
    get_sampler,
    register_sampler,
    sampler_names,
)

__all__ = [
    "SAMPLERS",
    "SampleRequest",
    "Sampler",
    "get_sampler",
    "register_sampler",
    "sampler_names",
]
