"""Fit a spec to a cohort: resolve settings, build, sample through the registry, add groups,
diagnose. Orchestration only; each step lives in its own module:

- settings: :mod:`bayes_walk.inference.settings`
- backends: :mod:`bayes_walk.inference.samplers` (registry of nutpie, pymc, numpyro)
- compiled-model reuse: :class:`bayes_walk.inference.compiled.ModelCache`
- added groups and attrs: :mod:`bayes_walk.inference.groups`
- diagnostics: :mod:`bayes_walk.inference.diagnostics`

The result is an ``az.InferenceData`` laid out as ARCHITECTURE "fit.nc" says; the public
:func:`bayes_walk.fit` wraps it in a :class:`bayes_walk.results.Fit`.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import numpy as np
import xarray as xr

from bayes_walk.spec.model_spec import ModelSpec

HEARTBEAT_S = 10.0


def _log(msg: str, progress: bool) -> None:
    if progress:
        print(f"[bayes-walk] {msg}", file=sys.stderr, flush=True)


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
    cache=None,
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
        Override the spec's ``[sampler]`` settings; ``sampler`` is a registered backend
        (:func:`bayes_walk.inference.samplers.sampler_names`).
    progress
        Progress and diagnostics on stderr.
    built
        A :class:`~bayes_walk.model.builder.BuiltModel` of ``spec`` to reuse (its data are
        set to ``cohort`` first). Shorthand for ``cache=ModelCache(built)`` for one call.
    cache
        A :class:`~bayes_walk.inference.compiled.ModelCache` the caller holds across fits of
        one model to many data sets: the model is built and compiled once.
    cohort_path
        Recorded in ``attrs["cohort_path"]``.
    posterior_predictive
        Whether to add the thinned ``posterior_predictive`` group (SBC can skip it).
    sampler_kwargs
        Extra keyword arguments for the backend (e.g. ``nutpie.sample`` or ``pm.sample``).

    Returns
    -------
    az.InferenceData
        posterior (with ``logrr_<exposure>`` curves), sample_stats, log_likelihood
        (float32), posterior_predictive, observed_data, constant_data and attrs
        (spec, cohort hash, version, seed, sampler, diagnostics, designs, categories).
    """
    import arviz as az

    from bayes_walk.inference import groups
    from bayes_walk.inference.advice import advice
    from bayes_walk.inference.compiled import ModelCache
    from bayes_walk.inference.diagnostics import compute_diagnostics, warnings_in_words
    from bayes_walk.inference.samplers.registry import SampleRequest, get_sampler
    from bayes_walk.inference.settings import SamplerSettings
    from bayes_walk.model.builder import build_model

    settings = SamplerSettings.resolve(
        spec,
        draws=draws,
        tune=tune,
        chains=chains,
        sampler=sampler,
        seed=seed,
        target_accept=target_accept,
    )
    backend = get_sampler(settings.backend)
    t0 = time.perf_counter()
    if cache is None and built is not None:
        cache = ModelCache(built)
    if cache is not None:
        built = cache.built
        built.set_data(cohort)
    else:
        n = cohort.sizes["participant"]
        _log(f"building model '{spec.name}' on {n} participants", progress)
        # A one-off fit with a numba backend uses the fused likelihood strategy: the same
        # pieces, parameters and Deterministics, and an equal log density and gradient
        # (tests/inference/test_fused.py) at a lower cost per gradient.
        fused = backend.fused
        built = build_model(spec, cohort, fused=fused)
    _log(
        f"sampling with {settings.backend}: {settings.chains} chains x ({settings.tune} tune + "
        f"{settings.draws} draws), seed {settings.seed}",
        progress,
    )
    request = SampleRequest(
        built=built,
        chains=int(settings.chains),
        draws=int(settings.draws),
        tune=int(settings.tune),
        seed=int(settings.seed),
        target_accept=float(settings.target_accept),
        progress=progress,
        extra=dict(sampler_kwargs or {}),
        cache=cache,
    )
    # sampling and the pointwise log-likelihood compile through PyTensor (JAX, C) and run
    # ArviZ's convergence checks: their known-harmless warnings are dropped here only
    from bayes_walk.inference.progress import Heartbeat
    from bayes_walk.inference.quiet import known_harmless_warnings

    # in a log file the sampler's bar is silent: one line every HEARTBEAT_S instead
    heartbeat = Heartbeat(
        f"compiling and sampling ({settings.backend})",
        every=HEARTBEAT_S,
        enabled=None if progress else False,
    )
    with known_harmless_warnings(), heartbeat:
        idata = backend.sample(request)
    if not isinstance(idata, az.InferenceData) or "posterior" not in idata.groups():
        raise TypeError(f"sampler {settings.backend!r} returned no InferenceData with a posterior")
    t_sample = time.perf_counter() - t0
    groups.strip_sampler_groups(idata)
    _log(f"sampled in {t_sample:.1f} s; computing log-likelihood", progress)
    with known_harmless_warnings():
        log_lik, mu = groups.log_likelihood(built, idata.posterior, cohort)
    idata.add_groups(
        log_likelihood=log_lik,
        observed_data=xr.Dataset({spec.outcome: cohort[spec.outcome].astype(np.int8)}),
        constant_data=groups.constant_data(built, cohort),
    )
    t_ll = time.perf_counter() - t0 - t_sample
    if posterior_predictive:
        _log(f"log-likelihood in {t_ll:.1f} s; posterior predictive draws", progress)
        pp = groups.posterior_predictive(built, idata.posterior, mu, cohort, settings.seed)
        idata.add_groups(posterior_predictive=pp)
    del mu
    groups.label_curves(idata, built)
    with known_harmless_warnings():
        diag = compute_diagnostics(idata)
    # after the diagnostics, which judge the latent values' mixing too
    groups.drop_latent_values(idata)
    diag["seconds"] = round(time.perf_counter() - t0, 2)
    diag["seconds_sampling"] = round(t_sample, 2)
    diag["seconds_log_likelihood"] = round(t_ll, 2)
    idata.attrs.update(groups.fit_attrs(built, cohort, settings, diag, cohort_path))
    _log(f"done in {diag['seconds']:.1f} s: {_diag_line(diag)}", progress)
    for w in warnings_in_words(diag):
        _log(f"WARNING: {w}", progress)
    for a in advice(diag, cohort.sizes.get("participant")):
        _log(f"TRY: {a}", progress)
    return idata


def _diag_line(diag: dict[str, Any]) -> str:
    def f(v, fmt):
        return "n/a" if v is None else format(v, fmt)

    return (
        f"divergences {diag['divergences']}, max R-hat {f(diag['max_rhat'], '.3f')}, "
        f"min ESS bulk {f(diag['min_ess_bulk'], '.0f')} / tail {f(diag['min_ess_tail'], '.0f')}, "
        f"min BFMI {f(diag['min_bfmi'], '.2f')}"
    )
