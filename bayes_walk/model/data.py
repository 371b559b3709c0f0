"""The data of a model: every ``pm.Data`` array for a cohort under fixed designs."""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from bayes_walk.model.covariates import centred_covariates
from bayes_walk.model.designs import design_terms, stratifier
from bayes_walk.model.forms import get_form
from bayes_walk.model.habit_predictors import dim, habit_matrix
from bayes_walk.model.measurement import measurement_data
from bayes_walk.spec.model_spec import ModelSpec

P = ("participant",)


def data_with_dims(
    spec: ModelSpec, cohort: xr.Dataset, designs: dict[str, Any]
) -> dict[str, tuple[np.ndarray, tuple[str, ...]]]:
    """Every ``pm.Data`` array of the model for ``cohort``, with its dims."""
    cov = designs["covariates"]
    out: dict[str, tuple[np.ndarray, tuple[str, ...]]] = {}
    X = centred_covariates(cohort, cov) if cov["columns"] else None
    if X is not None:
        out["X_covariates"] = (X, ("participant", "covariate"))
    for names in design_terms(designs):
        form = get_form(designs["exposures"][names[0]]["form"])
        xs = [np.asarray(cohort[k].values, dtype=np.float64) for k in names]
        out.update(form.data_term(list(names), xs, designs["exposures"]))
        for k in names:
            if "measurement" not in designs["exposures"][k]:
                continue
            out.update(measurement_data(cohort, k))
            Xh = habit_matrix(cohort, designs, k, X)
            if Xh is not None:
                out[f"X_habit_{k}"] = (Xh, ("participant", dim(k)))
    if "group" in designs:
        out["group_idx"] = (stratifier(cohort, designs["group"]["variable"])[0], P)
    if "strata" in designs:
        out["stratum_idx"] = (stratifier(cohort, designs["strata"]["variable"])[0], P)
    if spec.offset:
        off = np.log(np.asarray(cohort[spec.offset].values, dtype=np.float64))
        out["log_offset"] = (off, P)
    out[f"{spec.outcome}_obs"] = (np.asarray(cohort[spec.outcome].values, dtype=np.int64), P)
    return out


def data_arrays(
    spec: ModelSpec, cohort: xr.Dataset, designs: dict[str, Any]
) -> dict[str, np.ndarray]:
    """Every ``pm.Data`` array of the model for ``cohort``."""
    return {k: a for k, (a, _) in data_with_dims(spec, cohort, designs).items()}


def storage(arr: np.ndarray, name: str = "") -> np.ndarray:
    """How an array is held: 2-d float arrays as float32 (half the memory traffic of the
    design products), other floats as float64, integers as int64.

    The habit predictors ``X_habit_<e>`` stay float64: they enter a product with float64
    weights (a PyTensor ``dot``, or :class:`~bayes_walk.inference.fast.rowdot.RowDot`),
    which would cast the whole matrix at every gradient. Matrices are C-contiguous: the
    numba backend copies any other layout at every use.
    """
    if arr.ndim == 2 and np.issubdtype(arr.dtype, np.floating) and not name.startswith("X_habit_"):
        return np.ascontiguousarray(arr, dtype=np.float32)
    if np.issubdtype(arr.dtype, np.floating):
        return np.ascontiguousarray(arr, dtype=np.float64)
    return np.asarray(arr, dtype=np.int64)


def register_data(model, name: str, arr: np.ndarray, dims: tuple[str, ...]):
    """A data container; 2-d float arrays stay float32 (``pm.Data`` would upcast them)."""
    import pytensor

    shared = pytensor.shared(storage(arr, name), name)
    model.register_data_var(shared, dims=dims)
    return shared
