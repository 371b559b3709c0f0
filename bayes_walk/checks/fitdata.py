"""Read what the checks need out of a fit (InferenceData), with clear errors.

The fit file is read by :func:`bayes_walk.results.load_fit`; the checks then use only
(ARCHITECTURE "fit.nc") ``observed_data.<outcome>`` (the spec's outcome, ``clbp`` by
default), ``posterior_predictive.mu`` / ``<outcome>``, ``constant_data``
(exposures, covariates, grouping codes) and the attrs. They never rebuild the model, so
``ppc`` and ``compare`` stay fast and work for fits from every sampler.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import xarray as xr

from bayes_walk.errors import FitFileError
from bayes_walk.fitmeta import outcome_of, spec_dict

OUTCOME = "clbp"  # the default outcome; a fit's own is fitmeta.outcome_of(idata)
EXPOSURES = ("walking_min", "walking_mets")


def require(idata, group: str, var: str, *, source: str = "fit", why: str = "") -> xr.DataArray:
    """``idata[group][var]`` or a :class:`FitFileError` naming what is missing."""
    if group not in idata.groups() or var not in idata[group]:
        reason = f" ({why})" if why else ""
        raise FitFileError(
            f"{source}: the fit has no '{group}.{var}'{reason}; refit with `bayes-walk fit`"
        )
    return idata[group][var]


def likelihood_of(idata) -> str:
    """``"poisson"`` or ``"bernoulli_log"`` (the spec's likelihood; Poisson by default)."""
    lik = spec_dict(idata).get("likelihood", "poisson")
    return "bernoulli_log" if str(lik).startswith("bernoulli") else "poisson"


@dataclass(frozen=True)
class PredictiveData:
    """Per-participant arrays the predictive checks work on.

    Attributes
    ----------
    y : numpy.ndarray
        Observed outcome, shape ``(participant,)``.
    mu : numpy.ndarray
        Expected counts (Poisson mean / Bernoulli probability) per thinned posterior draw,
        shape ``(sample, participant)``.
    y_rep : numpy.ndarray or None
        Replicated outcomes, shape ``(sample, participant)``, when stored.
    likelihood : str
        ``"poisson"`` or ``"bernoulli_log"``.
    participant : numpy.ndarray
        Participant ids.
    outcome : str
        The outcome variable's name.
    """

    y: np.ndarray
    mu: np.ndarray
    y_rep: np.ndarray | None
    likelihood: str
    participant: np.ndarray
    outcome: str = OUTCOME


def _stack_samples(da: xr.DataArray) -> np.ndarray:
    other = [d for d in da.dims if d not in ("chain", "draw", "participant")]
    if other:
        raise FitFileError(f"unexpected dims {other} on posterior_predictive.{da.name}")
    return da.stack(sample=("chain", "draw")).transpose("sample", "participant").values


def predictive_data(idata, *, source: str = "fit") -> PredictiveData:
    """Collect observed outcome, expected counts and replicates from a fit.

    Raises
    ------
    FitFileError
        When ``observed_data.<outcome>`` or ``posterior_predictive.mu`` is missing.
    """
    outcome = outcome_of(idata)
    y_da = require(idata, "observed_data", outcome, source=source, why="observed outcome")
    mu_da = require(
        idata, "posterior_predictive", "mu", source=source, why="expected counts for the checks"
    )
    mu = _stack_samples(mu_da).astype(np.float64)
    y_rep = None
    if outcome in idata.posterior_predictive:
        y_rep = _stack_samples(idata.posterior_predictive[outcome])
    y = np.asarray(y_da.values, dtype=np.float64)
    if mu.shape[1] != y.shape[0]:
        raise FitFileError(
            f"{source}: posterior_predictive.mu has {mu.shape[1]} participants but "
            f"observed_data.{outcome} has {y.shape[0]}"
        )
    if not np.all(np.isfinite(mu)) or np.any(mu < 0):
        raise FitFileError(f"{source}: posterior_predictive.mu has negative or non-finite values")
    participant = (
        np.asarray(y_da["participant"].values)
        if "participant" in y_da.coords
        else np.arange(y.shape[0])
    )
    return PredictiveData(y, mu, y_rep, likelihood_of(idata), participant, outcome)


def constant(idata, name: str) -> xr.DataArray | None:
    """``constant_data[name]`` as a per-participant array, or None when not stored."""
    if "constant_data" not in idata.groups() or name not in idata.constant_data:
        return None
    da = idata.constant_data[name]
    if da.dims != ("participant",):
        return None
    return da


def categorical_levels(da: xr.DataArray) -> list[str] | None:
    """Level labels of a coded categorical (attrs ``levels`` JSON), if recorded."""
    raw = da.attrs.get("levels")
    if raw is None:
        return None
    try:
        levels = json.loads(raw) if isinstance(raw, str) else list(raw)
    except (TypeError, ValueError):
        return None
    return [str(v) for v in levels]
