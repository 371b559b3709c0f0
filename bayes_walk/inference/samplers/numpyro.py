"""numpyro backend: ``pm.sample(nuts_sampler="numpyro")`` (JAX; vectorized chains)."""

from __future__ import annotations

from bayes_walk.inference.samplers.pymc import pm_sample
from bayes_walk.inference.samplers.registry import SampleRequest


def sample(request: SampleRequest):
    """numpyro's NUTS with all chains vectorized in one JAX program."""
    return pm_sample(
        request, nuts_sampler="numpyro", nuts_sampler_kwargs={"chain_method": "vectorized"}
    )
