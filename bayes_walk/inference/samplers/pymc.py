"""PyMC backend: ``pm.sample`` with its own NUTS."""

from __future__ import annotations

from typing import Any

from bayes_walk.inference.samplers.registry import SampleRequest


def pm_sample(request: SampleRequest, **kwargs: Any):
    """``pm.sample`` on ``request.built.model`` with the request's settings and ``kwargs``."""
    import pymc as pm

    with request.built.model:
        return pm.sample(
            draws=request.draws,
            tune=request.tune,
            chains=request.chains,
            random_seed=request.seed,
            target_accept=request.target_accept,
            progressbar=request.progress,
            var_names=request.trace_vars(),
            idata_kwargs={"log_likelihood": False},
            **kwargs,
            **request.extra,
        )


def sample(request: SampleRequest):
    """PyMC's NUTS in one process (forking after JAX is imported can deadlock)."""
    return pm_sample(request, cores=1, compile_kwargs={"mode": "NUMBA"})
