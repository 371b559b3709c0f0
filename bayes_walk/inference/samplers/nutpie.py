"""nutpie backend (the default)."""

from __future__ import annotations

from bayes_walk.inference.samplers.registry import SampleRequest


def _compile(request: SampleRequest, reuse: bool):
    import nutpie

    # A one-off fit freezes the data into a numba-compiled function, so the chains run in
    # parallel without the GIL. A reused model keeps the data as inputs of a JAX function
    # (compiles in seconds) so that with_data() swaps data sets without recompiling.
    # Cost per gradient of each route: docs/performance.md.
    how = {"backend": "jax", "gradient_backend": "jax"} if reuse else {"backend": "numba"}
    return nutpie.compile_pymc_model(
        request.built.model, freeze_model=not reuse, var_names=request.trace_vars(), **how
    )


def has_participant_parameters(model) -> bool:
    """Whether ``model`` has a free variable with a ``participant`` dim (latent habits)."""
    dims = model.named_vars_to_dims
    return any("participant" in dims.get(v.name, ()) for v in model.free_RVs)


def sample(request: SampleRequest):
    """Sample ``request.built`` with nutpie; returns nutpie's InferenceData."""
    import nutpie
    from threadpoolctl import threadpool_limits

    cache = request.cache
    if cache is None:
        compiled = _compile(request, reuse=False)
    else:
        compiled = cache.compiled("nutpie", lambda: _compile(request, reuse=True))
        compiled = compiled.with_data(**cache.current_data())
    # A low-rank mass-matrix update captures the posterior correlations of the basis
    # weights: fewer divergences than the diagonal adaptation at a larger step size. With
    # one latent value per participant (measurement = "days") its updates work on
    # n-dimensional draws and cost more than they save: the same step size and tree depth
    # as the diagonal adaptation at twice the wall time (docs/performance.md).
    low_rank = not has_participant_parameters(request.built.model)
    extra = {"low_rank_modified_mass_matrix": low_rank, **request.extra}
    # One BLAS thread per chain: nutpie already runs a chain per core, and OpenBLAS's own
    # threads oversubscribe the cores once the design products get large.
    with threadpool_limits(limits=1, user_api="blas"):
        return nutpie.sample(
            compiled,
            draws=request.draws,
            tune=request.tune,
            chains=request.chains,
            seed=request.seed,
            save_warmup=False,
            progress_bar=request.progress,
            target_accept=request.target_accept,
            **extra,
        )
