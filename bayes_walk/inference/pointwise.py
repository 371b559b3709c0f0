"""Per-draw, per-participant quantities of a fitted model: the pointwise log-likelihood
(for LOO) and the expected outcome ``mu`` (for posterior predictive draws).

Both come from one JAX function of the model's own graphs (the observed variable's
elementwise log-density and ``mu``): the same likelihood as the sampler used, for every
form and likelihood. A fused model (``build_model(..., fused=True)``, which a one-off
nutpie fit of a Poisson model samples) has no observed variable; its quantities come
from its own pieces (:mod:`bayes_walk.inference.fast.pointwise`), tested to agree with this path. The per-draw function is mapped over a batch of draws inside one
compiled call (``jax.lax.map``); vectorising the graph over draws instead
(``vectorize_graph``, the fallback) made XLA's batched gathers of the interpolated HSGP
terms the slowest part: 4.6 s against about 1 s for 4000 draws at n = 11,194. Data enter
as the model's shared variables, read at each call, so a reused model
(``BuiltModel.set_data``) evaluates on its current data set.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import xarray as xr

# draws per call: bounds the float32 (draws, n) outputs held at once
BATCH_DRAWS = 100


def _graphs(built):
    import pymc as pm

    model = built.model
    obs = model[built.spec.outcome]
    return model.free_RVs, pm.logp(obs, model.rvs_to_values[obs]), model["mu"]


def _compile_mapped(built) -> Callable[..., list[np.ndarray]]:
    import jax
    import pytensor
    import pytensor.tensor as pt

    rvs, loglik, mu = _graphs(built)
    rep = {rv: rv.type(name=rv.name) for rv in rvs}
    ll1, mu1 = pytensor.clone_replace([loglik, mu], replace=rep)
    f = pytensor.function(
        list(rep.values()), [pt.cast(ll1, "float32"), pt.cast(mu1, "float32")], mode="JAX"
    )
    raw = f.vm.jit_fn._fun  # the traced python function (nutpie relies on it too)
    shared = f.get_shared()

    @jax.jit
    def mapped(draws, data):
        return jax.lax.map(lambda one: raw(*one, *data), draws)

    def call(*args):
        return mapped(tuple(args), tuple(v.get_value() for v in shared))

    return call


def _compile_vectorised(built) -> Callable[..., list[np.ndarray]]:
    import pytensor
    import pytensor.tensor as pt
    from pytensor.graph.replace import vectorize_graph

    rvs, loglik, mu = _graphs(built)
    rep = {rv: pt.tensor(name=rv.name, shape=(None, *rv.type.shape), dtype=rv.dtype) for rv in rvs}
    ll_b, mu_b = vectorize_graph([loglik, mu], replace=rep)
    outs = [pt.cast(ll_b, "float32"), pt.cast(mu_b, "float32")]
    return pytensor.function(list(rep.values()), outs, mode="JAX")


def _compile(built) -> Callable[..., list[np.ndarray]]:
    try:
        return _compile_mapped(built)
    except AttributeError:  # a PyTensor without the jitted function's ``_fun``
        return _compile_vectorised(built)


def pointwise_function(built) -> Callable[..., tuple[np.ndarray, np.ndarray]]:
    """``fn(posterior, mu_step=1) -> (log_lik, mu)``: float32 arrays (chain, draw,
    participant), ``mu`` only at every ``mu_step``-th draw of each chain (what the thinned
    posterior predictive needs: at n = 200,000 all of it would be 3.2 GB).

    Compiled once per built model and kept on it.
    """
    fn = getattr(built, "_pointwise_fn", None)
    if fn is not None:
        return fn
    if built.predictor is not None:  # a fused model: its own pieces, no JAX
        from bayes_walk.inference.fast.pointwise import fused_pointwise_function

        built._pointwise_fn = fused_pointwise_function(built)
        return built._pointwise_fn
    compiled = _compile(built)
    names = [rv.name for rv in built.model.free_RVs]

    def fn(post: xr.Dataset, mu_step: int = 1) -> tuple[np.ndarray, np.ndarray]:
        st = post.stack(sample=("chain", "draw"))
        keep = np.isin(np.asarray(st["draw"].values), np.asarray(post["draw"].values)[::mu_step])
        lls, mus = [], []
        for i in range(0, st.sizes["sample"], BATCH_DRAWS):
            chunk = st.isel(sample=slice(i, i + BATCH_DRAWS))
            args = [np.moveaxis(chunk[n].values, -1, 0) for n in names]
            ll, mu = compiled(*args)
            lls.append(np.asarray(ll))
            mus.append(np.asarray(mu)[keep[i : i + BATCH_DRAWS]])
        n_chain = post.sizes["chain"]
        ll = np.concatenate(lls).reshape(n_chain, post.sizes["draw"], -1)
        return ll, np.concatenate(mus).reshape(n_chain, -1, ll.shape[-1])

    built._pointwise_fn = fn
    return fn
