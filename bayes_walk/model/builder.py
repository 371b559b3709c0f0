"""Build the PyMC model of a spec on a cohort: covariates, dose-response terms, hierarchy,
likelihood.

All data enter through ``pm.Data`` so a built (and compiled) model can be reused on other
data sets of the same structure: ``built.set_data(other_cohort)`` swaps the arrays (the
designs, e.g. the HSGP boundary and covariate scaling, stay those of the training data);
for nutpie, :func:`bayes_walk.inference.fit.fit` with ``built=`` reuses its compiled model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr

from bayes_walk.errors import SpecError
from bayes_walk.model.forms import get_form
from bayes_walk.model.forms.base import (
    Interpolated,
    Strata,
    TermContext,
    exposure_grid,
    interpolation_arrays,
    interpolation_knots,
    matvec,
    scaled,
)
from bayes_walk.spec.model_spec import (
    DERIVED_STRATIFIERS,
    ModelSpec,
    resolve_reference,
    validate_spec,
)

# log p = -softplus(-K * eta) / K - EPS: equal to eta (to 1e-6) for eta < -1 and never above
# -EPS, so the log-binomial probability stays below 1 - 1e-6 with a smooth gradient.
LOG_BINOMIAL_K = 20.0
LOG_BINOMIAL_EPS = 1e-6


@dataclass
class BuiltModel:
    """A built model: the ``pm.Model`` plus what is needed to feed it and read it.

    Attributes
    ----------
    spec
        The spec it was built from.
    model
        The ``pm.Model`` (held, never subclassed).
    coords
        Named coords of every dim.
    grids
        Exposure name -> curve grid (the ``<exposure>_grid`` coord).
    designs
        JSON-able constants fixed from the training data (exposure designs incl. the HSGP
        boundary ``L``, covariate scaling, group and stratum labels).
    data_names
        Names of the ``pm.Data`` containers.
    """

    spec: ModelSpec
    model: Any
    coords: dict[str, list]
    grids: dict[str, np.ndarray]
    designs: dict[str, Any]
    data_names: tuple[str, ...] = field(default_factory=tuple)
    # the fused likelihood's pieces (bayes_walk.inference.fast.likelihood.FusedPredictor) of a fused model
    predictor: Any = None

    def data_arrays(self, cohort: xr.Dataset) -> dict[str, np.ndarray]:
        """The ``pm.Data`` values for ``cohort`` under this model's fixed designs."""
        return data_arrays(self.spec, cohort, self.designs)

    def set_data(self, cohort: xr.Dataset) -> None:
        """Swap the data of ``cohort`` into the model (same spec, same designs)."""
        if self.predictor is not None:
            raise SpecError(
                "a fused model (build_model(..., fused=True)) holds its data in its "
                "likelihood and cannot take another data set; reuse an ordinary model"
            )
        validate_spec(self.spec, cohort)
        arrays = self.data_arrays(cohort)
        ids = [str(i) for i in cohort["participant"].values]
        self.model.set_dim("participant", len(ids), coord_values=ids)
        for name, arr in arrays.items():
            self.model[name].set_value(_storage(arr))
        self.coords["participant"] = ids


def stratifier(cohort: xr.Dataset, name: str) -> tuple[np.ndarray, list[str]]:
    """Codes and labels of a grouping variable (categorical, or derived like ``age65``)."""
    from bayes_walk.cohort.schema import levels_of

    if name == "age65":
        return (np.asarray(cohort["age"].values) >= 65).astype(np.int64), list(
            DERIVED_STRATIFIERS[name]
        )
    return np.asarray(cohort[name].values, dtype=np.int64), levels_of(cohort, name)


def _covariate_design(spec: ModelSpec, cohort: xr.Dataset) -> dict[str, Any]:
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
    d["shift"] = _raw_covariates(cohort, d).mean(axis=0).tolist() if cols else []
    return d


def _raw_covariates(cohort: xr.Dataset, d: dict[str, Any]) -> np.ndarray:
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


def make_designs(spec: ModelSpec, cohort: xr.Dataset) -> dict[str, Any]:
    """Constants fixed from the training cohort (JSON-able)."""
    designs: dict[str, Any] = {"exposures": {}, "covariates": _covariate_design(spec, cohort)}
    joint = [k for k, e in spec.exposures.items() if e.form == "joint"]
    for name, e in spec.exposures.items():
        if name in joint:
            continue
        x = np.asarray(cohort[name].values, dtype=np.float64)
        ref = resolve_reference(e.reference, x)
        mod = get_form(e.form)
        d = mod.design(x, ref, e.options, spec.exposure_priors(name))
        if hasattr(mod, "features"):
            d["shift"] = mod.features(x, d).mean(axis=0).tolist()
        d["form"] = e.form
        designs["exposures"][name] = d
    if joint:
        from bayes_walk.model.forms import joint as jmod

        xs = [np.asarray(cohort[k].values, dtype=np.float64) for k in joint]
        refs = [
            resolve_reference(spec.exposures[k].reference, x)
            for k, x in zip(joint, xs, strict=True)
        ]
        designs["exposures"].update(
            jmod.design_pair(joint, xs, refs, [spec.exposures[k].options for k in joint])
        )
    h = spec.hierarchy
    if h.intercept_by:
        designs["group"] = {
            "variable": h.intercept_by,
            "labels": stratifier(cohort, h.intercept_by)[1],
        }
    if h.curve_by:
        designs["strata"] = {"variable": h.curve_by, "labels": stratifier(cohort, h.curve_by)[1]}
    return designs


def data_arrays(
    spec: ModelSpec, cohort: xr.Dataset, designs: dict[str, Any]
) -> dict[str, np.ndarray]:
    """Every ``pm.Data`` array of the model for ``cohort``."""
    cov = designs["covariates"]
    out: dict[str, np.ndarray] = {}
    if cov["columns"]:
        out["X_covariates"] = _raw_covariates(cohort, cov) - np.asarray(cov["shift"])
    joint_done = False
    for name, d in designs["exposures"].items():
        mod = get_form(d["form"])
        if d["form"] == "joint":
            if not joint_done:
                out["F_joint"] = mod.data_pair(cohort, designs["exposures"])
                joint_done = True
            continue
        x = np.asarray(cohort[name].values, dtype=np.float64)
        if "interp" in d:
            out[f"i_{name}"], out[f"w_{name}"] = interpolation_arrays(x, d, name)
        elif hasattr(mod, "features"):
            out[f"F_{name}"] = mod.features(x, d) - np.asarray(d["shift"])
        else:
            out[f"x_{name}"] = scaled(x, d)
    if "group" in designs:
        out["group_idx"] = stratifier(cohort, designs["group"]["variable"])[0]
    if "strata" in designs:
        out["stratum_idx"] = stratifier(cohort, designs["strata"]["variable"])[0]
    if spec.offset:
        out["log_offset"] = np.log(np.asarray(cohort[spec.offset].values, dtype=np.float64))
    out[f"{spec.outcome}_obs"] = np.asarray(cohort[spec.outcome].values, dtype=np.int64)
    return out


def _data(model, name: str, arr: np.ndarray, dims: tuple[str, ...]):
    """A data container; 2-d float arrays stay float32 (``pm.Data`` would upcast them)."""
    import pytensor

    shared = pytensor.shared(_storage(arr), name)
    model.register_data_var(shared, dims=dims)
    return shared


def _storage(arr: np.ndarray) -> np.ndarray:
    if arr.ndim == 2 and np.issubdtype(arr.dtype, np.floating):
        return np.ascontiguousarray(arr, dtype=np.float32)
    if np.issubdtype(arr.dtype, np.floating):
        return np.asarray(arr, dtype=np.float64)
    return np.asarray(arr, dtype=np.int64)


def _dims_of(name: str, arr: np.ndarray, designs: dict[str, Any]) -> tuple[str, ...]:
    if arr.ndim == 1:
        return ("participant",)
    if name == "X_covariates":
        return ("participant", "covariate")
    if name == "F_joint":
        return ("participant", "joint_basis")
    return ("participant", f"{name[2:]}_basis")


def _categorical_columns(designs: dict[str, Any]) -> np.ndarray:
    """Which covariate columns are dummies of a categorical covariate."""
    return np.concatenate(
        [
            np.full(
                len(t["levels"]) - 1 if t["kind"] == "categorical" else 1,
                t["kind"] == "categorical",
            )
            for t in designs["covariates"]["terms"]
        ]
    )


def _term_data(mod, name: str, design: dict[str, Any], data: dict[str, Any], sink=None):
    if "interp" in design:
        knots = interpolation_knots(design)
        feats = mod.features(knots, design) - np.asarray(design["shift"])
        return Interpolated(feats, data[f"i_{name}"], data[f"w_{name}"], sink=sink)
    return data[f"F_{name}"] if f"F_{name}" in data else data[f"x_{name}"]


def build_model(
    spec: ModelSpec,
    cohort: xr.Dataset,
    designs: dict[str, Any] | None = None,
    *,
    fused: bool = False,
) -> BuiltModel:
    """Validate ``spec`` against ``cohort`` and build the PyMC model.

    Parameters
    ----------
    spec
        The model spec.
    cohort
        The cohort Dataset (ARCHITECTURE "The cohort Dataset").
    designs
        Fixed designs (from a stored fit); computed from ``cohort`` when None.
    fused
        Build the sampling twin: the same parameters and Deterministics, with the
        likelihood a ``pm.Potential`` computed by :mod:`bayes_walk.inference.fast.likelihood` in one pass (no
        ``mu``, no observed variable; Poisson only). ``fit`` samples it in a one-off
        nutpie fit, and its pieces give the pointwise log-likelihood and ``mu``.

    Returns
    -------
    BuiltModel
    """
    import pymc as pm
    import pytensor.tensor as pt

    from bayes_walk.spec.priors import make_rv

    validate_spec(spec, cohort)
    if fused and spec.likelihood != "poisson":
        raise SpecError(f"the fused likelihood is Poisson only, not {spec.likelihood!r}")
    designs = designs if designs is not None else make_designs(spec, cohort)
    arrays = data_arrays(spec, cohort, designs)
    coords: dict[str, list] = {"participant": [str(i) for i in cohort["participant"].values]}
    if designs["covariates"]["columns"]:
        coords["covariate"] = list(designs["covariates"]["columns"])
    grids: dict[str, np.ndarray] = {}
    for name, d in designs["exposures"].items():
        grids[name] = exposure_grid(
            np.asarray(cohort[name].values, dtype=np.float64), d["reference"]
        )
        coords[f"{name}_grid"] = grids[name].tolist()
        if "basis" in d:
            coords[f"{name}_basis"] = list(d["basis"])
        if "labels" in d:
            coords[f"{name}_category"] = list(d["labels"])
    if "F_joint" in arrays:
        coords["joint_basis"] = list(next(iter(designs["exposures"].values()))["joint_basis"])
    if "group" in designs:
        coords[designs["group"]["variable"]] = list(designs["group"]["labels"])
    if "strata" in designs:
        coords["stratum"] = list(designs["strata"]["labels"])
    gpri = spec.global_priors()
    curve_targets = (
        set(spec.hierarchy.curve_exposures or spec.exposures) if "strata" in designs else set()
    )

    sink = None
    if fused:
        from bayes_walk.inference.fast.likelihood import FusedPredictor

        sink = FusedPredictor(len(coords["participant"]))

    with pm.Model(coords=coords) as model:
        data = {k: _data(model, k, v, _dims_of(k, v, designs)) for k, v in arrays.items()}
        eta = make_rv("intercept", gpri["intercept"])
        if "X_covariates" in data:
            beta = make_rv("beta", gpri["covariates"], dims="covariate")
            if sink is not None:
                cat = _categorical_columns(designs)
                eta = eta + sink.covariates(arrays["X_covariates"], beta, cat)
            else:
                eta = eta + matvec(data["X_covariates"], beta)
        strata = (
            Strata(designs["strata"]["variable"], coords["stratum"], data["stratum_idx"])
            if "strata" in designs
            else None
        )
        joint = [k for k, d in designs["exposures"].items() if d["form"] == "joint"]
        for name, d in designs["exposures"].items():
            if name in joint:
                continue
            mod = get_form(d["form"])
            ctx = TermContext(
                exposure=name,
                design=d,
                priors=spec.exposure_priors(name),
                grid=grids[name],
                data=_term_data(mod, name, d, data, sink),
                strata=strata if name in curve_targets else None,
            )
            eta = eta + mod.build(ctx).eta
        if joint:
            from bayes_walk.model.forms import joint as jmod

            eta = eta + jmod.build_pair(
                joint, designs["exposures"], grids, spec.exposure_priors(joint[0]), data["F_joint"]
            )
        if "group" in designs:
            g = designs["group"]["variable"]
            sd = make_rv(f"sd_{g}", gpri["group_sd"])
            z = pm.Normal(f"z_{g}", 0.0, 1.0, dims=(g,))
            effect = pm.Deterministic(f"effect_{g}", sd * z, dims=(g,))
            if sink is not None:
                eta = eta + sink.lookup(effect, arrays["group_idx"])
            else:
                eta = eta + effect[data["group_idx"]]
        if spec.offset:
            eta = eta + data["log_offset"]
        y = data[f"{spec.outcome}_obs"]
        if sink is not None:
            obs = arrays[f"{spec.outcome}_obs"]
            pm.Potential(f"{spec.outcome}_loglik", sink.poisson_logp(obs, eta))
        elif spec.likelihood == "poisson":
            mu = pm.Deterministic("mu", pt.exp(eta), dims=("participant",))
            pm.Poisson(spec.outcome, mu=mu, observed=y, dims=("participant",))
        elif spec.likelihood == "bernoulli_log":
            logp = -pt.softplus(-LOG_BINOMIAL_K * eta) / LOG_BINOMIAL_K - LOG_BINOMIAL_EPS
            mu = pm.Deterministic("mu", pt.exp(logp), dims=("participant",))
            pm.Bernoulli(spec.outcome, p=mu, observed=y, dims=("participant",))
        else:  # pragma: no cover - the spec parser rejects other likelihoods
            raise SpecError(f"unknown likelihood {spec.likelihood!r}")
    return BuiltModel(spec, model, coords, grids, designs, tuple(arrays), predictor=sink)
