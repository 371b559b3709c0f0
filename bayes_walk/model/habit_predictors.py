"""What the latent habit's population median depends on (``habit_covariates = true``).

Regression calibration needs the habit's conditional mean given everything the outcome
model conditions on (docs/models.md "Population model"): the adjustment covariates and the
model's other exposures. Left out, a predictor of the outcome that is correlated with the
habit keeps part of the dilution: the calibrated curve keeps about ``lambda_Z / lambda`` of
a linear effect (``lambda`` the reliability of the day means, ``lambda_Z`` that given the
predictors). On the simulated cohorts the observed intensity is the one that matters (the
habits of volume and pace are correlated), not the covariates.

The predictors of exposure ``e`` are the model's centred covariate columns (its
``X_covariates``) and every other exposure of the spec that is *observed* (its
``measurement`` is not ``"days"``), standardised with the training cohort's mean and SD.
A latent other exposure is left out: its observed mean is itself modelled from its own
habit, so conditioning on it would not give a joint model (a correlated population of
the two habits would; docs/models.md "Scope today").
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from bayes_walk.model.covariates import centred_covariates


def predictor_design(
    cohort: xr.Dataset, name: str, covariate_columns: list[str], others: list[str]
) -> dict[str, Any]:
    """JSON-able constants: predictor labels and the scaling of the other exposures.

    ``others`` are the spec's other exposures that are observed (not latent).
    """
    scale = {}
    for o in others:
        x = np.asarray(cohort[o].values, dtype=np.float64)
        sd = float(np.nanstd(x))
        scale[o] = {"mean": float(np.nanmean(x)), "sd": sd if sd > 0 else 1.0}
    return {"labels": [*covariate_columns, *others], "others": scale}


def predictor_matrix(cohort: xr.Dataset, design: dict[str, Any], covariates: np.ndarray | None):
    """``(participant, predictor)`` matrix of :func:`predictor_design`'s labels.

    ``covariates`` is the model's centred ``X_covariates`` (None without an adjustment set).
    """
    n = cohort.sizes["participant"]
    cols = [np.asarray(covariates, dtype=np.float64)] if covariates is not None else []
    for o, s in design["others"].items():
        x = (np.asarray(cohort[o].values, dtype=np.float64) - s["mean"]) / s["sd"]
        cols.append(x[:, None])
    return np.concatenate(cols, axis=1) if cols else np.zeros((n, 0))


def habit_matrix(
    cohort: xr.Dataset, designs: dict[str, Any], name: str, covariates: np.ndarray | None = None
) -> np.ndarray | None:
    """``X_habit_<name>`` for ``cohort`` under the model's designs, or None when the
    exposure's habit population has no predictors. ``covariates``: the model's centred
    ``X_covariates`` when the caller already has it (else computed here)."""
    pred = designs["exposures"][name].get("measurement", {}).get("predictors")
    if pred is None:
        return None
    cov = designs["covariates"]
    if covariates is None and cov["columns"]:
        covariates = centred_covariates(cohort, cov)
    return predictor_matrix(cohort, pred, covariates)


def dim(name: str) -> str:
    """The predictor dim of exposure ``name``'s ``habit_beta_<e>``."""
    return f"habit_predictor_{name}"
