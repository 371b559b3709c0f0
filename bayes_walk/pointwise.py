"""Per-draw, per-participant quantities of a fitted model: the pointwise log-likelihood
(for LOO) and the expected outcome ``mu`` (for posterior predictive draws).

Both come from one JAX function of the model's own graphs (the observed variable's
elementwise log-density and ``mu``), vectorised over a leading draw dimension with
``vectorize_graph``: the same likelihood as the sampler used, for every form and
likelihood, in batches of draws rather than a Python loop over them. Data enter as the
model's shared variables, so a reused model (``BuiltModel.set_data``) evaluates on its
current data set.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import xarray as xr

# 100 draws x n per call: larger batches gained nothing (memory-bound gathers)
BATCH_DRAWS = 100


def _compile(built) -> Callable[..., list[np.ndarray]]:
    import pymc as pm
    import pytensor
    import pytensor.tensor as pt
    from pytensor.graph.replace import vectorize_graph

    model = built.model
    obs = model[built.spec.outcome]
    loglik = pm.logp(obs, model.rvs_to_values[obs])
    rvs = model.free_RVs
    rep = {rv: pt.tensor(name=rv.name, shape=(None, *rv.type.shape), dtype=rv.dtype) for rv in rvs}
    ll_b, mu_b = vectorize_graph([loglik, model["mu"]], replace=rep)
    outs = [pt.cast(ll_b, "float32"), pt.cast(mu_b, "float32")]
    return pytensor.function(list(rep.values()), outs, mode="JAX")


def pointwise_function(built) -> Callable[..., tuple[np.ndarray, np.ndarray]]:
    """``fn(posterior, mu_step=1) -> (log_lik, mu)``: float32 arrays (chain, draw,
    participant), ``mu`` only at every ``mu_step``-th draw of each chain (what the thinned
    posterior predictive needs: at n = 200,000 all of it would be 3.2 GB).

    Compiled once per built model and kept on it.
    """
    fn = getattr(built, "_pointwise_fn", None)
    if fn is not None:
        return fn
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
