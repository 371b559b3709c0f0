"""The public Python API (DESIGN "Python API"); ``import bayes_walk as bw`` exposes it.

Every function here is a thin call into the package's stages; the CLI calls the same
functions. Heavy libraries (PyMC, ArviZ, nutpie) are imported inside the functions.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import xarray as xr

if TYPE_CHECKING:
    import pandas as pd

FitLike = Any  # a bayes_walk.results.Fit or a path to a fit file


def simulate(n: int = 11194, seed: int = 0, truth: str = "paper", **options: Any) -> xr.Dataset:
    """Simulate a HUNT-like cohort with a known dose-response truth.

    Parameters
    ----------
    n
        Participants.
    seed
        Random seed (same seed, same cohort).
    truth
        ``"paper"``, ``"plateau:<min>"``, ``"smooth:<min>"``, ``"u_shape"``, ``"linear"`` or
        ``"null"``.
    **options
        Passed to :func:`bayes_walk.cohort.simulate.simulate_cohort`.

    Returns
    -------
    xarray.Dataset
        The cohort (ARCHITECTURE "The cohort Dataset"), with the true curves.

    Examples
    --------
    >>> import bayes_walk as bw
    >>> cohort = bw.simulate(n=1500, seed=1)  # doctest: +SKIP
    """
    from bayes_walk.cohort.simulate import simulate_cohort

    return simulate_cohort(n=n, seed=seed, truth=truth, **options)


def import_cohort(
    participants: str | os.PathLike[str],
    daily: str | os.PathLike[str] | None = None,
    format: str | None = None,  # noqa: A002 - the CLI's name for it
    **options: Any,
) -> xr.Dataset:
    """Read a cohort from a participants table (and a daily table), validated.

    See :func:`bayes_walk.cohort.adapters.import_cohort`; ``format`` is one of ``hunt``,
    ``actimotus``, ``actipass``, ``stepcount``, ``participants``.

    Examples
    --------
    >>> cohort = bw.import_cohort("participants.csv", "daily.csv", format="hunt")  # doctest: +SKIP
    """
    from bayes_walk.cohort.adapters import import_cohort as _import

    return _import(participants, daily, format, **options)


def load_cohort(path: str | os.PathLike[str]) -> xr.Dataset:
    """Read a cohort file (``cohort.nc``) into memory; a clear error when it is not one.

    Examples
    --------
    >>> cohort = bw.load_cohort("cohort.nc")  # doctest: +SKIP
    """
    from bayes_walk.cohort.store import load_cohort as _load

    return _load(path)


def save_cohort(cohort: xr.Dataset, path: str | os.PathLike[str]) -> Path:
    """Write a cohort to NetCDF atomically."""
    from bayes_walk.cohort.store import save_cohort as _save

    _save(cohort, path)
    return Path(path)


def load_spec(name_or_path: str | os.PathLike[str]):
    """A model spec: a shipped name (``"gp"``, ``"quartiles"``, ...) or a TOML file path.

    Examples
    --------
    >>> spec = bw.load_spec("gp")  # doctest: +SKIP
    >>> spec.sampler.backend  # doctest: +SKIP
    'nutpie'
    """
    from bayes_walk.spec.model_spec import load_spec as _load

    return _load(name_or_path)


def prior(
    spec,
    cohort: xr.Dataset | str | os.PathLike[str],
    draws: int = 500,
    seed: int = 0,
) -> dict:
    """Prior predictive curves: the priors in force, the prior RR spread, the check.

    ``spec`` is a spec object, a shipped name or a .toml path; ``cohort`` a Dataset or
    a cohort file. Returns ``{"model", "draws", "priors", "exposures", "check"}``:
    ``priors`` holds the defaults merged with the spec (``"global"`` and per-exposure
    form priors), ``exposures[name]["rr"]`` the prior median and 95% interval of RR vs
    the reference at round values, ``check`` the share of prior RR(200 vs 78 min/day)
    within 0.3..3 (``None`` without a walking_min curve).

    Examples
    --------
    >>> p = bw.prior("gp", cohort, draws=500)  # doctest: +SKIP
    >>> p["check"]["fraction_in_band"]  # doctest: +SKIP
    0.99
    """
    from bayes_walk.checks.prior_curves import prior_summary

    if not hasattr(spec, "exposures"):
        spec = load_spec(spec)
    if not isinstance(cohort, xr.Dataset):
        cohort = load_cohort(cohort)
    return prior_summary(spec, cohort, draws=draws, seed=seed)


def fit(
    spec: Any,
    cohort: xr.Dataset | str | os.PathLike[str],
    *,
    progress: bool = False,
    cache: Any = None,
    **sampler_overrides: Any,
):
    """Fit a model spec to a cohort.

    Parameters
    ----------
    spec
        A :class:`~bayes_walk.spec.model_spec.ModelSpec`, a shipped spec name or a path.
    cohort
        A cohort Dataset or the path of a cohort file (recorded in the fit).
    progress
        Progress and diagnostics on stderr.
    cache
        A :class:`~bayes_walk.inference.compiled.ModelCache` to reuse one compiled model
        across many data sets.
    **sampler_overrides
        ``draws``, ``tune``, ``chains``, ``sampler``, ``seed``, ``target_accept``,
        ``sampler_kwargs`` (see :func:`bayes_walk.inference.fit.fit`).

    Returns
    -------
    bayes_walk.results.Fit

    Examples
    --------
    >>> fit = bw.fit("gp", cohort, chains=2, draws=500, tune=500, seed=0)  # doctest: +SKIP
    >>> fit.diagnostics["max_rhat"] < 1.01  # doctest: +SKIP
    True
    """
    from bayes_walk.inference.fit import fit as _fit
    from bayes_walk.results import Fit
    from bayes_walk.spec.model_spec import ModelSpec, validate_spec

    if not isinstance(spec, ModelSpec):
        spec = load_spec(spec)
    cohort_path = None
    if not isinstance(cohort, xr.Dataset):
        cohort_path = str(cohort)
        cohort = load_cohort(cohort)
    validate_spec(spec, cohort)
    idata = _fit(
        spec, cohort, progress=progress, cache=cache, cohort_path=cohort_path, **sampler_overrides
    )
    return Fit.from_idata(idata)


def load_fit(path: str | os.PathLike[str]):
    """Read and check a fit file; see :func:`bayes_walk.results.load_fit`.

    Examples
    --------
    >>> fit = bw.load_fit("gp.nc")  # doctest: +SKIP
    >>> fit.rr("walking_min", at=[60, 100, 150])  # doctest: +SKIP
    """
    from bayes_walk.results import load_fit as _load

    return _load(path)


def _as_fits(fits: Sequence[FitLike]) -> list:
    from bayes_walk.results import Fit
    from bayes_walk.results import load_fit as _load

    return [f if isinstance(f, Fit) else _load(f) for f in fits]


def compare(fits: Sequence[FitLike]):
    """Rank fits of one cohort by PSIS-LOO (the compare ranking as a DataFrame).

    Returns
    -------
    pandas.DataFrame
        One row per model, best first: ``model``, ``elpd_loo``, ``se``, ``elpd_diff``,
        ``dse``, ``weight`` (stacking), ``pareto_k_bad`` and more.

    Examples
    --------
    >>> bw.compare([fit_gp, fit_linear])  # doctest: +SKIP
    """
    from dataclasses import asdict

    import pandas as pd

    from bayes_walk.checks.compare import compare_fits

    loaded = _as_fits(fits)
    ranked = compare_fits([f.idata for f in loaded], names=[f.name for f in loaded])
    return pd.DataFrame([asdict(r) for r in ranked])


def plateau(fits: Sequence[FitLike], exposure: str = "walking_min", **options: Any) -> dict:
    """The plateau answer averaged over fits with LOO stacking weights (+ ``per_model``).

    With one fit, that fit's answer (:meth:`bayes_walk.results.Fit.plateau`). ``options``:
    ``near``, ``within``, ``delta``, ``tail``, ``prob``, ``weights``, ``definition`` (onset
    definition, :mod:`bayes_walk.estimands.onset`).

    Examples
    --------
    >>> bw.plateau([fit_gp, fit_changepoint], near=100, within=10)  # doctest: +SKIP
    """
    loaded = _as_fits(fits)
    if len(loaded) == 1:
        return loaded[0].plateau(exposure, **options)
    from bayes_walk.answers.averaged import averaged_plateau

    return averaged_plateau(loaded, exposure, **options)


def report(fits: Sequence[FitLike], out: str | os.PathLike[str], **options: Any) -> dict:
    """Write the HTML and Markdown report of ``fits`` to the folder ``out``.

    Returns
    -------
    dict
        Paths written (``html``, ``markdown``, ``figures``).

    Examples
    --------
    >>> bw.report([fit_gp, "quartiles.nc"], out="reports/mine")  # doctest: +SKIP
    """
    from bayes_walk.reporting.build import build_report

    return build_report(_as_fits(fits), out, **options)


def samplers() -> tuple[str, ...]:
    """The registered sampler backends (``--sampler`` choices)."""
    from bayes_walk.inference.samplers.registry import sampler_names

    return sampler_names()


def sweep(
    path: str | os.PathLike[str],
    out: str | os.PathLike[str],
    scheduler: str | None = None,
    workers: int | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Run a sweep file (cohorts x variants x specs) on Dask; returns its results table.

    Finished tasks in ``out`` are skipped, so a rerun resumes (docs/scaling.md).

    Parameters
    ----------
    path
        Sweep file (DESIGN "Sweep file").
    out
        Sweep folder (``results.csv``, ``results.parquet``, ``tasks/``, ``fits/``).
    scheduler
        Address of a running Dask scheduler (``tcp://host:8786``); None starts a
        ``LocalCluster``.
    workers
        Workers of the ``LocalCluster`` (default: one per core).
    **options
        ``retry_failed``, ``progress`` (see :func:`bayes_walk.sweep.engine.run_sweep`).

    Examples
    --------
    >>> table = bw.sweep("sweeps/paper_sensitivity.toml", out="sens")  # doctest: +SKIP
    """
    from bayes_walk.sweep.engine import run_sweep

    return run_sweep(path, out, scheduler=scheduler, workers=workers, **options)
