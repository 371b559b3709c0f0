"""The adjustment covariates: their design (fixed from the training data), their data
matrix, and their piece of the linear predictor."""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from bayes_walk.spec.model_spec import ModelSpec


def covariate_design(spec: ModelSpec, cohort: xr.Dataset) -> dict[str, Any]:
    """Columns of the covariate matrix: dummies of categorical covariates (first level
    the reference), continuous covariates standardised; ``shift`` centres the columns."""
    from bayes_walk.cohort.schema import is_categorical, levels_of

    cols: list[str] = []
    parts: list[dict[str, Any]] = []
    for var in spec.adjust:
        if is_categorical(cohort, var):
            levels = levels_of(cohort, var)
            parts.append({"name": var, "kind": "categorical", "levels": levels})
            cols += [f"{var}[{lev}]" for lev in levels[1:]]
        else:
            x = np.asarray(cohort[var].values, dtype=np.float64)
            sd = float(np.std(x)) or 1.0
            parts.append({"name": var, "kind": "continuous", "mean": float(np.mean(x)), "sd": sd})
            cols.append(var)
    d = {"terms": parts, "columns": cols, "shift": [0.0] * len(cols)}
    d["shift"] = raw_covariates(cohort, d).mean(axis=0).tolist() if cols else []
    return d


def raw_covariates(cohort: xr.Dataset, d: dict[str, Any]) -> np.ndarray:
    """The uncentred covariate matrix (participant, column) of ``cohort``."""
    n = cohort.sizes["participant"]
    blocks = []
    for t in d["terms"]:
        v = np.asarray(cohort[t["name"]].values)
        if t["kind"] == "categorical":
            k = len(t["levels"])
            blocks.append(np.eye(k)[v.astype(np.int64)][:, 1:])
        else:
            blocks.append(((v.astype(np.float64) - t["mean"]) / t["sd"])[:, None])
    return np.hstack(blocks) if blocks else np.zeros((n, 0))


def centred_covariates(cohort: xr.Dataset, d: dict[str, Any]) -> np.ndarray:
    """The model's covariate matrix ``X_covariates``: :func:`raw_covariates` minus the
    design's column means."""
    return raw_covariates(cohort, d) - np.asarray(d["shift"])


def categorical_columns(d: dict[str, Any]) -> np.ndarray:
    """Bool per column: whether it is a dummy of a categorical covariate."""
    return np.concatenate(
        [
            np.full(
                len(t["levels"]) - 1 if t["kind"] == "categorical" else 1,
                t["kind"] == "categorical",
            )
            for t in d["terms"]
        ]
    ).astype(bool)
