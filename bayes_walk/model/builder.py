"""Build the model of a spec on a cohort: one model description, one likelihood strategy.

Every term (intercept, covariates, each dose-response term of the forms, group
intercepts, offset) adds its parameters and returns typed pieces of the linear predictor
(:mod:`bayes_walk.model.pieces`); a likelihood strategy
(:mod:`bayes_walk.model.likelihoods`) turns the pieces of all terms into the log density:
the plain PyMC graph with an observed variable, or the fused numba kernel
(``fused=True``).

All data enter through ``pm.Data`` so a built plain model can be reused on other data
sets of the same structure: ``built.set_data(other_cohort)`` swaps the arrays (the
designs, e.g. the HSGP boundary and covariate scaling, stay those of the training data).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr

from bayes_walk.errors import SpecError
from bayes_walk.model import habit_predictors, measurement
from bayes_walk.model.covariates import categorical_columns
from bayes_walk.model.data import data_arrays, data_with_dims, register_data, storage
from bayes_walk.model.designs import design_terms, make_designs, stratifier
from bayes_walk.model.forms import Strata, TermContext, get_form
from bayes_walk.model.forms.base import exposure_grid
from bayes_walk.model.forms.informed import diagonal_transform
from bayes_walk.model.likelihoods import make_likelihood
from bayes_walk.model.pieces import Dense, Lookup, Vector
from bayes_walk.spec.model_spec import ModelSpec, validate_spec

__all__ = ["BuiltModel", "build_model", "data_arrays", "make_designs", "stratifier"]


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
    likelihood
        The likelihood strategy it was built with (``likelihood.name``: ``"plain"`` or
        ``"fused"``).
    pieces
        Term -> its pieces of the linear predictor (``"intercept"``, ``"covariates"``,
        the exposure names of each dose-response term joined by ``"+"``, the group
        variable, ``"offset"``).
    """

    spec: ModelSpec
    model: Any
    coords: dict[str, list]
    grids: dict[str, np.ndarray]
    designs: dict[str, Any]
    data_names: tuple[str, ...] = field(default_factory=tuple)
    likelihood: Any = None
    pieces: dict[str, list] = field(default_factory=dict)

    @property
    def fused(self) -> bool:
        """Whether the model was built with the fused likelihood."""
        return getattr(self.likelihood, "name", "plain") == "fused"

    def data_arrays(self, cohort: xr.Dataset) -> dict[str, np.ndarray]:
        """The ``pm.Data`` values for ``cohort`` under this model's fixed designs."""
        return data_arrays(self.spec, cohort, self.designs)

    def set_data(self, cohort: xr.Dataset) -> None:
        """Swap the data of ``cohort`` into the model (same spec, same designs)."""
        if self.likelihood is not None and not self.likelihood.accepts_new_data:
            raise SpecError(
                "a fused model (build_model(..., fused=True)) holds its data in its "
                "likelihood and cannot take another data set; reuse an ordinary model"
            )
        validate_spec(self.spec, cohort)
        measurement.check_measurement(self.spec, cohort)
        arrays = self.data_arrays(cohort)
        ids = [str(i) for i in cohort["participant"].values]
        self.model.set_dim("participant", len(ids), coord_values=ids)
        for name, arr in arrays.items():
            self.model[name].set_value(storage(arr, name))
        self.coords["participant"] = ids

    def global_quantities(self) -> dict[str, tuple[str, str]]:
        """The model-level scalars worth ranking in SBC: label -> (kind, variable)."""
        return {"intercept": ("scalar", "intercept")}

    def term_quantities(self) -> list[tuple[tuple[str, ...], dict[str, tuple[str, str]]]]:
        """Per dose-response term (its exposures): the scalars its form names
        (:meth:`~bayes_walk.model.forms.form.Form.key_quantities`)."""
        out = []
        for names in design_terms(self.designs):
            form = get_form(self.designs["exposures"][names[0]]["form"])
            out.append((names, form.key_quantities(names)))
        return out


def _coords(cohort: xr.Dataset, designs: dict[str, Any], grids) -> dict[str, list]:
    coords: dict[str, list] = {"participant": [str(i) for i in cohort["participant"].values]}
    if designs["covariates"]["columns"]:
        coords["covariate"] = list(designs["covariates"]["columns"])
    for names in design_terms(designs):
        for n in names:
            coords[f"{n}_grid"] = grids[n].tolist()
        form = get_form(designs["exposures"][names[0]]["form"])
        coords.update(form.coords_term(list(names), designs["exposures"]))
        for n in names:
            pred = designs["exposures"][n].get("measurement", {}).get("predictors")
            if pred is not None:
                coords[habit_predictors.dim(n)] = list(pred["labels"])
    if "group" in designs:
        coords[designs["group"]["variable"]] = list(designs["group"]["labels"])
    if "strata" in designs:
        coords["stratum"] = list(designs["strata"]["labels"])
    return coords


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
        Use the fused likelihood strategy (:mod:`bayes_walk.inference.fast.strategy`):
        the same parameters, priors and Deterministics, with the likelihood a
        ``pm.Potential`` computed by one numba kernel from the same pieces (no ``mu``, no
        observed variable; Poisson or log-binomial; the data cannot be swapped).

    Returns
    -------
    BuiltModel
    """
    import pymc as pm

    from bayes_walk.spec.priors import make_rv

    validate_spec(spec, cohort)
    measurement.check_measurement(spec, cohort)
    note = measurement.likelihood_warning(spec, cohort)
    if note:
        warnings.warn(note, UserWarning, stacklevel=2)
    likelihood = make_likelihood(fused)
    likelihood.check(spec)
    designs = designs if designs is not None else make_designs(spec, cohort)
    arrays = data_with_dims(spec, cohort, designs)
    grids = {
        name: exposure_grid(np.asarray(cohort[name].values, dtype=np.float64), d["reference"])
        for name, d in designs["exposures"].items()
    }
    coords = _coords(cohort, designs, grids)
    gpri = spec.global_priors()
    curve_targets = (
        set(spec.hierarchy.curve_exposures or spec.exposures) if "strata" in designs else set()
    )
    pieces: dict[str, list] = {}
    with pm.Model(coords=coords) as model:
        data = {k: register_data(model, k, a, dims) for k, (a, dims) in arrays.items()}
        pieces["intercept"] = [Vector(make_rv("intercept", gpri["intercept"]))]
        if "X_covariates" in data:
            beta = make_rv("beta", gpri["covariates"], dims="covariate")
            cat = categorical_columns(designs["covariates"])
            pieces["covariates"] = [Dense(data["X_covariates"], beta, cat)]
        strata = (
            Strata(designs["strata"]["variable"], coords["stratum"], data["stratum_idx"])
            if "strata" in designs
            else None
        )
        fused_days = likelihood.name == "fused"  # day models and latent curves as ops
        for names in design_terms(designs):
            d0 = designs["exposures"][names[0]]
            term_designs = {n: designs["exposures"][n] for n in names}
            latent = {n: d for n, d in term_designs.items() if "measurement" in d}
            term_data = dict(data)
            for n, d in latent.items():
                log_h, shift = measurement.latent_habit(n, d, data, fused=fused_days)
                term_data.update(measurement.term_data(n, d, log_h, shift, fused=fused_days))
            ctx = TermContext(
                exposures=names,
                designs=term_designs,
                priors=spec.exposure_priors(names[0]),
                grids={n: grids[n] for n in names},
                data=term_data,
                strata=strata if names[0] in curve_targets else None,
            )
            term = list(get_form(d0["form"]).pieces(ctx))
            pieces["+".join(names)] = (
                measurement.as_vectors(term, term_data, fused_days) if latent else term
            )
        if "group" in designs:
            g = designs["group"]["variable"]
            sd = make_rv(f"sd_{g}", gpri["group_sd"])
            informed = designs["group"].get("informed")
            if informed is not None:
                # groups with many cases: each effect's standardised approximate
                # posterior (model/forms/informed.py); non-centred for few cases
                effect = pm.Normal(
                    f"effect_{g}",
                    0.0,
                    sd,
                    dims=(g,),
                    transform=diagonal_transform(informed["d"], informed["h"]),
                )
            else:
                z = pm.Normal(f"z_{g}", 0.0, 1.0, dims=(g,))
                effect = pm.Deterministic(f"effect_{g}", sd * z, dims=(g,))
            pieces[g] = [Lookup(effect, data["group_idx"])]
        if spec.offset:
            pieces["offset"] = [Vector(data["log_offset"])]
        flat = [p for term in pieces.values() for p in term]
        likelihood.add(spec, flat, data[f"{spec.outcome}_obs"])
    return BuiltModel(
        spec, model, coords, grids, designs, tuple(arrays), likelihood=likelihood, pieces=pieces
    )
