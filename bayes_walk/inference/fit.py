"""Fit a spec to a cohort: sample, add log-likelihood, posterior predictive, diagnostics.

Backends: nutpie (default; numba-compiled with the data frozen in for a one-off fit, of
the fused twin for a Poisson model; JAX-compiled and reused across data sets via
``built=``),
pymc (``pm.sample``) and numpyro (``pm.sample(nuts_sampler="numpyro")``). The result is an
``az.InferenceData`` laid out as ARCHITECTURE "fit.nc" says.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
import time
from typing import Any

import numpy as np
import xarray as xr

from bayes_walk.errors import SpecError
from bayes_walk.spec.model_spec import BACKENDS, ModelSpec

MAX_PPC_DRAWS = 500
# nutpie compiled models keyed by id(pm.Model): sweeps and SBC reuse the compiled code.
_NUTPIE_CACHE: dict[int, tuple[Any, Any]] = {}


def cohort_hash(cohort: xr.Dataset) -> str:
    """SHA-256 of the participant ids and every per-participant variable (sorted by name)."""
    h = hashlib.sha256()
    h.update("\n".join(map(str, cohort["participant"].values)).encode())
    for name in sorted(v for v in cohort.data_vars if cohort[v].dims == ("participant",)):
        h.update(name.encode())
        h.update(np.ascontiguousarray(cohort[name].values).tobytes())
    return h.hexdigest()


def _log(msg: str, progress: bool) -> None:
    if progress:
        print(f"[bayes-walk] {msg}", file=sys.stderr, flush=True)


def _trace_vars(model) -> list[str]:
    keep = [v.name for v in model.free_RVs] + [d.name for d in model.deterministics]
    return [n for n in keep if n != "mu"]


def _sample_nutpie(built, chains, draws, tune, seed, target_accept, progress, extra, reuse):
    import nutpie

    # A one-off fit freezes the data into a numba-compiled function: the chains then run
    # in parallel without the GIL (nutpie calls a JAX function through Python, one chain
    # at a time). For a Poisson model `built` is the fused model (bayes_walk/fused.py):
    # 0.126 ms per gradient at n = 11,194, against 0.233 ms for the ordinary model's
    # frozen graph and ~1.2 ms per step through JAX. A reused model (SBC, sweeps) keeps
    # the data as inputs of a JAX function, which compiles in seconds, so that
    # with_data() swaps data sets without recompiling.
    key = id(built.model)
    cached = _NUTPIE_CACHE.get(key)
    if reuse and cached is not None and cached[0] is built.model:
        compiled = cached[1]
    else:
        how = {"backend": "jax", "gradient_backend": "jax"} if reuse else {"backend": "numba"}
        compiled = nutpie.compile_pymc_model(
            built.model, freeze_model=not reuse, var_names=_trace_vars(built.model), **how
        )
        if reuse:
            _NUTPIE_CACHE.clear()
            _NUTPIE_CACHE[key] = (built.model, compiled)
    if reuse:
        current = {name: built.model[name].get_value() for name in built.data_names}
        compiled = compiled.with_data(**current)
    # A low-rank update of the mass matrix captures the posterior correlations of the
    # basis weights: on the paper cohort it removed the few divergences of the diagonal
    # adaptation and allowed a larger step size at the same cost per draw.
    extra = {"low_rank_modified_mass_matrix": True, **extra}
    # One BLAS thread per chain: nutpie already runs a chain per core, and OpenBLAS's own
    # threads (which start once the design products get large) oversubscribe the cores.
    # At n = 50,000 on 2 cores this made sampling 3.8x slower (105 vs 28 s, 4 x 300 draws).
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return nutpie.sample(
            compiled,
            draws=draws,
            tune=tune,
            chains=chains,
            seed=seed,
            save_warmup=False,
            progress_bar=progress,
            target_accept=target_accept,
            **extra,
        )


def _sample_pymc(built, chains, draws, tune, seed, target_accept, progress, numpyro: bool, extra):
    import pymc as pm

    kwargs: dict[str, Any] = {}
    if numpyro:
        kwargs["nuts_sampler"] = "numpyro"
        kwargs["nuts_sampler_kwargs"] = {"chain_method": "vectorized"}
    else:
        # one process: forking after JAX (used for the log-likelihood) is imported can deadlock
        kwargs["cores"] = 1
        kwargs["compile_kwargs"] = {"mode": "NUMBA"}
    with built.model:
        return pm.sample(
            draws=draws,
            tune=tune,
            chains=chains,
            random_seed=seed,
            target_accept=target_accept,
            progressbar=progress,
            var_names=_trace_vars(built.model),
            idata_kwargs={"log_likelihood": False},
            **kwargs,
            **extra,
        )


def diagnostics(idata) -> dict[str, Any]:
    """Divergences, max R-hat, min bulk/tail ESS over the posterior, min BFMI."""
    import arviz as az

    post = idata.posterior
    names = [v for v in post.data_vars if v != "mu"]
    rhat = az.rhat(post[names])
    ess_b = az.ess(post[names], method="bulk")
    ess_t = az.ess(post[names], method="tail")

    def _red(ds, fn):
        vals = [float(fn(ds[v].values)) for v in ds.data_vars if np.isfinite(ds[v].values).any()]
        return float(fn(np.array(vals))) if vals else float("nan")

    div = int(idata.sample_stats["diverging"].sum()) if "diverging" in idata.sample_stats else 0
    try:
        bfmi = float(np.min(az.bfmi(idata)))
    except Exception:  # no energy stat (never for the three backends, but be safe)
        bfmi = float("nan")
    n_draws = int(post.sizes["chain"] * post.sizes["draw"])
    return {
        "divergences": div,
        "max_rhat": _red(rhat, np.nanmax),
        "min_ess_bulk": _red(ess_b, np.nanmin),
        "min_ess_tail": _red(ess_t, np.nanmin),
        "min_bfmi": bfmi,
        "draws": n_draws,
    }


def diagnostic_warnings(diag: dict[str, Any]) -> list[str]:
    """Plain-language warnings for a fit that should not be trusted as is."""
    out = []
    if diag["divergences"] > 0:
        out.append(
            f"{diag['divergences']} divergent transitions: the sampler could not explore part of "
            "the posterior; results may be biased (try more tuning or a higher target_accept)."
        )
    if not diag["max_rhat"] <= 1.01:
        out.append(
            f"max R-hat {diag['max_rhat']:.3f} > 1.01: the chains disagree; the fit has not converged."
        )
    if diag["min_ess_bulk"] < 100 * diag.get("chains", 1):
        out.append(f"min bulk ESS {diag['min_ess_bulk']:.0f} is low; intervals are imprecise.")
    if np.isfinite(diag["min_bfmi"]) and diag["min_bfmi"] < 0.3:
        out.append(
            f"BFMI {diag['min_bfmi']:.2f} < 0.3: poor exploration of the energy distribution."
        )
    return out


def _categories(built, cohort: xr.Dataset) -> dict[str, Any]:
    from bayes_walk.model.forms.categorical import category_codes

    y = np.asarray(cohort[built.spec.outcome].values)
    out: dict[str, Any] = {}
    for name, d in built.designs["exposures"].items():
        if "labels" not in d:
            continue
        codes = category_codes(np.asarray(cohort[name].values, dtype=np.float64), d["cuts"])
        k = len(d["labels"])
        out[name] = {
            "labels": d["labels"],
            "cuts": d["cuts"],
            "reference": d["labels"][d["reference_category"]],
            "n": np.bincount(codes, minlength=k).tolist(),
            "cases": np.bincount(codes, weights=y, minlength=k).astype(int).tolist(),
        }
        if d["form"] == "joint":
            # cell counts: rows this exposure's categories, columns the partner's
            partner = d["pair"][1 - d["position"]]
            pd_ = built.designs["exposures"][partner]
            pcodes = category_codes(
                np.asarray(cohort[partner].values, dtype=np.float64), pd_["cuts"]
            )
            kp = len(pd_["labels"])
            cell = codes * kp + pcodes
            out[name]["joint_with"] = partner
            out[name]["joint_n"] = np.bincount(cell, minlength=k * kp).reshape(k, kp).tolist()
            out[name]["joint_cases"] = (
                np.bincount(cell, weights=y, minlength=k * kp).reshape(k, kp).astype(int).tolist()
            )
    return out


def _constant_data(built, cohort: xr.Dataset) -> xr.Dataset:
    spec = built.spec
    names = list(spec.exposures) + list(spec.adjust)
    h = spec.hierarchy
    for extra in (h.intercept_by, h.curve_by, spec.offset):
        if extra == "age65":
            extra = "age"
        if extra and extra not in names:
            names.append(extra)
    # The predictive checks group by these even when the spec leaves them out.
    for extra in ("walking_min", "walking_mets", "age", "sex", "municipality"):
        if extra in cohort.data_vars and extra not in names:
            names.append(extra)
    cd = cohort[names].copy()
    cd.attrs = {}
    return cd


def _ppc_step(post: xr.Dataset) -> int:
    return max(1, math.ceil(post.sizes["chain"] * post.sizes["draw"] / MAX_PPC_DRAWS))


DRAW_DIMS = ("chain", "draw", "participant")


def _draw_coords(post: xr.Dataset, cohort: xr.Dataset) -> dict[str, np.ndarray]:
    return {
        "chain": post["chain"].values,
        "draw": post["draw"].values,
        "participant": cohort["participant"].values,
    }


def _posterior_predictive(
    built, post: xr.Dataset, mu: np.ndarray, cohort: xr.Dataset, seed: int
) -> xr.Dataset:
    """Replicated outcomes at every ``_ppc_step``-th draw; ``mu`` is at those draws."""
    step = _ppc_step(post)
    thin = post.isel(draw=slice(None, None, step))
    rng = np.random.default_rng([int(seed), 7])
    if built.spec.likelihood == "poisson":
        rep = rng.poisson(mu.astype(np.float64))
    else:
        rep = (rng.uniform(size=mu.shape) < mu).astype(np.int64)
    coords = _draw_coords(thin, cohort)
    y = built.spec.outcome
    return xr.Dataset(
        {
            y: xr.DataArray(np.minimum(rep, 127).astype(np.int8), dims=DRAW_DIMS, coords=coords),
            "mu": xr.DataArray(mu, dims=DRAW_DIMS, coords=coords),
        },
        attrs={"thin_step": step},
    )


def _log_likelihood(built, post: xr.Dataset, cohort: xr.Dataset):
    """The log_likelihood group (float32) and ``mu`` at the posterior predictive's draws."""
    from bayes_walk.inference.pointwise import pointwise_function

    ll, mu = pointwise_function(built)(post, mu_step=_ppc_step(post))
    da = xr.DataArray(ll, dims=DRAW_DIMS, coords=_draw_coords(post, cohort))
    return xr.Dataset({built.spec.outcome: da}), mu


def fit(
    spec: ModelSpec,
    cohort: xr.Dataset,
    *,
    draws: int | None = None,
    tune: int | None = None,
    chains: int | None = None,
    sampler: str | None = None,
    seed: int | None = None,
    target_accept: float | None = None,
    progress: bool = True,
    built=None,
    cohort_path: str | None = None,
    posterior_predictive: bool = True,
    sampler_kwargs: dict[str, Any] | None = None,
):
    """Fit ``spec`` to ``cohort`` and return the self-describing InferenceData.

    Parameters
    ----------
    spec
        Model spec (see :func:`bayes_walk.spec.model_spec.load_spec`).
    cohort
        Cohort Dataset.
    draws, tune, chains, sampler, seed, target_accept
        Override the spec's ``[sampler]`` settings.
    progress
        Progress and diagnostics on stderr.
    built
        A :class:`~bayes_walk.model.builder.BuiltModel` of ``spec`` to reuse (its data are set to
        ``cohort`` first; nutpie reuses the compiled model). Built when None.
    cohort_path
        Recorded in ``attrs["cohort_path"]``.
    posterior_predictive
        Whether to add the thinned ``posterior_predictive`` group (SBC can skip it).
    sampler_kwargs
        Extra keyword arguments for ``nutpie.sample`` or ``pm.sample``.

    Returns
    -------
    az.InferenceData
        posterior (with ``logrr_<exposure>`` curves), sample_stats, log_likelihood
        (float32), posterior_predictive, observed_data, constant_data and attrs
        (spec, cohort hash, version, seed, sampler, diagnostics, designs, categories).
    """
    import arviz as az

    from bayes_walk import __version__
    from bayes_walk.model.builder import build_model

    s = spec.sampler
    draws = s.draws if draws is None else draws
    tune = s.tune if tune is None else tune
    chains = s.chains if chains is None else chains
    backend = s.backend if sampler is None else sampler
    seed = s.seed if seed is None else seed
    target_accept = s.target_accept if target_accept is None else target_accept
    if backend not in BACKENDS:
        raise SpecError(f"unknown sampler {backend!r}; choose one of {', '.join(BACKENDS)}")
    for what, v, lo in (
        ("draws", draws, 1),
        ("chains", chains, 1),
        ("tune", tune, 0),
        ("seed", seed, 0),
    ):
        if int(v) != v or v < lo:
            raise SpecError(f"{what} must be an integer >= {lo}, got {v!r}")
    t0 = time.perf_counter()
    reuse = built is not None
    if built is None:
        _log(
            f"building model '{spec.name}' on {cohort.sizes['participant']} participants", progress
        )
        # A one-off nutpie fit of a Poisson model samples the fused twin (bayes_walk/fused.py):
        # the same parameters, priors and Deterministics, and a log density and gradient
        # equal to the ordinary model's (tests/test_fused.py) at about half the cost per
        # gradient; its pieces also give the pointwise log-likelihood and mu.
        fused = backend == "nutpie" and spec.likelihood == "poisson"
        built = build_model(spec, cohort, fused=fused)
    else:
        built.set_data(cohort)
    _log(
        f"sampling with {backend}: {chains} chains x ({tune} tune + {draws} draws), seed {seed}",
        progress,
    )
    run = (chains, draws, tune, seed, target_accept, progress)
    if backend == "nutpie":
        idata = _sample_nutpie(built, *run, sampler_kwargs or {}, reuse)
    else:
        numpyro = backend == "numpyro"
        idata = _sample_pymc(built, *run, numpyro=numpyro, extra=sampler_kwargs or {})
    t_sample = time.perf_counter() - t0
    for g in ("constant_data", "observed_data", "log_likelihood", "posterior_predictive"):
        if g in idata.groups():
            del idata[g]
    if "mu" in idata.posterior:
        idata.posterior = idata.posterior.drop_vars("mu")
    _log(f"sampled in {t_sample:.1f} s; computing log-likelihood", progress)
    log_lik, mu = _log_likelihood(built, idata.posterior, cohort)
    idata.add_groups(
        log_likelihood=log_lik,
        observed_data=xr.Dataset({spec.outcome: cohort[spec.outcome].astype(np.int8)}),
        constant_data=_constant_data(built, cohort),
    )
    t_ll = time.perf_counter() - t0 - t_sample
    if posterior_predictive:
        _log(f"log-likelihood in {t_ll:.1f} s; posterior predictive draws", progress)
        idata.add_groups(
            posterior_predictive=_posterior_predictive(built, idata.posterior, mu, cohort, seed)
        )
    del mu
    for name, d in built.designs["exposures"].items():
        var = idata.posterior[f"logrr_{name}"]
        var.attrs.update({"reference": d["reference"], "form": d["form"]})
        if "stratum" in var.dims:
            var.attrs["curve_by"] = built.designs["strata"]["variable"]
    diag = diagnostics(idata)
    diag["chains"] = chains
    diag["seconds"] = round(time.perf_counter() - t0, 2)
    diag["seconds_sampling"] = round(t_sample, 2)
    diag["seconds_log_likelihood"] = round(t_ll, 2)
    y = np.asarray(cohort[spec.outcome].values)
    idata.attrs.update(
        {
            "spec": spec.to_json(),
            "spec_name": spec.name,
            "cohort_hash": cohort_hash(cohort),
            "cohort_path": str(cohort_path or ""),
            "bayes_walk_version": __version__,
            "seed": int(seed),
            "sampler": backend,
            "chains": int(chains),
            "draws": int(draws),
            "tune": int(tune),
            "n_participants": int(y.size),
            "n_cases": int(y.sum()),
            "categories": json.dumps(_categories(built, cohort)),
            "designs": json.dumps(built.designs),
            "diagnostics": json.dumps(diag),
        }
    )
    _log(
        f"done in {diag['seconds']:.1f} s: divergences {diag['divergences']}, max R-hat "
        f"{diag['max_rhat']:.3f}, min ESS bulk {diag['min_ess_bulk']:.0f} / tail "
        f"{diag['min_ess_tail']:.0f}, min BFMI {diag['min_bfmi']:.2f}",
        progress,
    )
    for w in diagnostic_warnings(diag):
        _log(f"WARNING: {w}", progress)
    if not isinstance(idata, az.InferenceData):  # pragma: no cover - defensive
        raise TypeError("sampler returned no InferenceData")
    return idata
