"""Per-draw, per-participant quantities of a fitted model: the pointwise log-likelihood
(for LOO) and the expected outcome ``mu`` (for posterior predictive draws).

One path per likelihood strategy (:mod:`bayes_walk.model.likelihoods`):

- plain: the model's own graphs (the observed variable's elementwise log-density and
  ``mu``) of one draw, compiled once through PyTensor's JAX backend and mapped over a
  batch of draws in one jitted call; the data enter as the model's shared variables, read
  at each call, so a reused model (``BuiltModel.set_data``) evaluates on its current data
  set;
- fused: the strategy's own pieces (:mod:`bayes_walk.inference.fast.pointwise`).

Tests hold both paths equal; docs/performance.md has the timings.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import xarray as xr

# draws per call: bounds the (draws, n) arrays held at once
BATCH_DRAWS = 100


def _plain_function(built) -> Callable[..., list[np.ndarray]]:
    """A batch of draws' free-variable values (leading draw dim) -> (log-likelihood, mu),
    float32 (draw, participant).

    PyTensor compiles one draw's graph for JAX; its rewritten graph is turned into a JAX
    function by the public dispatcher (``jax_funcify``) and mapped over the batch inside
    one jitted call (``jax.lax.map``). Vectorising the graph over draws instead makes
    XLA's batched gathers of the interpolated terms the slowest part (docs/performance.md).
    """
    import jax
    import pymc as pm
    import pytensor
    import pytensor.tensor as pt
    from pytensor.link.jax.dispatch import jax_funcify

    model = built.model
    obs = model[built.spec.outcome]
    loglik, mu = pm.logp(obs, model.rvs_to_values[obs]), model["mu"]
    rep = {rv: rv.type(name=rv.name) for rv in model.free_RVs}
    ll1, mu1 = pytensor.clone_replace([loglik, mu], replace=rep)
    f = pytensor.function(
        list(rep.values()),
        [pt.cast(ll1, "float32"), pt.cast(mu1, "float32")],
        mode="JAX",
        on_unused_input="ignore",
    )
    # the rewritten graph's inputs: the draw's values, then the shared data
    one_draw = jax_funcify(f.maker.fgraph)
    shared = f.get_shared()

    @jax.jit
    def mapped(draws, data):
        return jax.lax.map(lambda one: one_draw(*one, *data), draws)

    def call(*args):
        # the data are read at each call, so set_data() takes effect
        return mapped(tuple(args), tuple(v.get_value() for v in shared))

    return call


def plain_pointwise_function(built) -> Callable[..., tuple[np.ndarray, np.ndarray]]:
    """The plain strategy's ``fn(posterior, mu_step=1) -> (log_lik, mu)``."""
    compiled = _plain_function(built)
    names = [rv.name for rv in built.model.free_RVs]

    def fn(post: xr.Dataset, mu_step: int = 1) -> tuple[np.ndarray, np.ndarray]:
        st = post.stack(sample=("chain", "draw"))
        keep = np.isin(np.asarray(st["draw"].values), np.asarray(post["draw"].values)[::mu_step])
        # (sample, ...) C-ordered copies: JAX would copy a strided view at every call
        cols = [np.ascontiguousarray(np.moveaxis(st[n].values, -1, 0)) for n in names]
        lls, mus = [], []
        for i in range(0, st.sizes["sample"], BATCH_DRAWS):
            ll, mu = compiled(*[c[i : i + BATCH_DRAWS] for c in cols])
            lls.append(np.asarray(ll))
            mus.append(np.asarray(mu)[keep[i : i + BATCH_DRAWS]])
        n_chain = post.sizes["chain"]
        ll = np.concatenate(lls).reshape(n_chain, post.sizes["draw"], -1)
        return ll, np.concatenate(mus).reshape(n_chain, -1, ll.shape[-1])

    return fn


def pointwise_function(built) -> Callable[..., tuple[np.ndarray, np.ndarray]]:
    """``fn(posterior, mu_step=1) -> (log_lik, mu)``: float32 arrays (chain, draw,
    participant), ``mu`` only at every ``mu_step``-th draw of each chain (what the thinned
    posterior predictive needs: at n = 200,000 all of it would be 3.2 GB).

    The path is the one of the model's likelihood strategy; it is compiled once per
    built model and kept on it.
    """
    fn = getattr(built, "_pointwise_fn", None)
    if fn is not None:
        return fn
    if built.fused:
        from bayes_walk.inference.fast.pointwise import fused_pointwise_function

        fn = fused_pointwise_function(built)
    else:
        fn = plain_pointwise_function(built)
    built._pointwise_fn = fn
    return fn
