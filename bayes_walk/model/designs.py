"""Designs: the JSON-able constants a model fixes from its training cohort.

Exposure designs come from the forms (one call per term: a pair form designs both of its
exposures at once), covariate scaling from :mod:`bayes_walk.model.covariates`, and the
labels of the grouping and stratifying variables from the cohort. A stored fit keeps
them in ``attrs["designs"]``, so a model rebuilt on other data uses the same basis.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from bayes_walk.model.covariates import covariate_design
from bayes_walk.model.forms import get_form
from bayes_walk.model.habit_predictors import predictor_design
from bayes_walk.model.information import add_informed
from bayes_walk.model.measurement import latent_knots, measurement_design
from bayes_walk.spec.model_spec import DERIVED_STRATIFIERS, ModelSpec, resolve_reference


def stratifier(cohort: xr.Dataset, name: str) -> tuple[np.ndarray, list[str]]:
    """Codes and labels of a grouping variable (categorical, or derived like ``age65``)."""
    from bayes_walk.cohort.schema import levels_of

    if name == "age65":
        return (np.asarray(cohort["age"].values) >= 65).astype(np.int64), list(
            DERIVED_STRATIFIERS[name]
        )
    return np.asarray(cohort[name].values, dtype=np.int64), levels_of(cohort, name)


def exposure_terms(forms: dict[str, str]) -> list[tuple[str, ...]]:
    """Exposures grouped into terms, in spec order: one per exposure, except that a
    form of arity k > 1 takes all (k) exposures naming it as one term.

    ``forms`` maps exposure -> form name (a spec's exposures, or stored designs).
    """
    terms: list[tuple[str, ...]] = []
    done: set[str] = set()
    for name, form in forms.items():
        if name in done:
            continue
        if get_form(form).arity == 1:
            members: tuple[str, ...] = (name,)
        else:
            members = tuple(k for k, f in forms.items() if f == form)
        terms.append(members)
        done.update(members)
    return terms


def make_designs(spec: ModelSpec, cohort: xr.Dataset) -> dict[str, Any]:
    """Constants fixed from the training cohort (JSON-able)."""
    designs: dict[str, Any] = {"exposures": {}, "covariates": covariate_design(spec, cohort)}
    for names in exposure_terms({k: e.form for k, e in spec.exposures.items()}):
        es = [spec.exposures[k] for k in names]
        xs = [np.asarray(cohort[k].values, dtype=np.float64) for k in names]
        refs = [resolve_reference(e.reference, x) for e, x in zip(es, xs, strict=True)]
        form = get_form(es[0].form)
        designs["exposures"].update(
            form.design_term(
                list(names), xs, refs, [e.options for e in es], spec.exposure_priors(names[0])
            )
        )
        for k, e, x in zip(names, es, xs, strict=True):
            if e.measurement == "days":
                d = designs["exposures"][k]
                d["measurement"] = measurement_design(cohort, k, e.habit_covariates)
                if e.habit_covariates:
                    others = [
                        o for o, oe in spec.exposures.items() if o != k and oe.measurement != "days"
                    ]
                    d["measurement"]["predictors"] = predictor_design(
                        cohort, k, list(designs["covariates"]["columns"]), others
                    )
                if "interp" not in d and form.linear:
                    d["interp"] = latent_knots(x)
    h = spec.hierarchy
    if h.intercept_by:
        designs["group"] = {
            "variable": h.intercept_by,
            "labels": stratifier(cohort, h.intercept_by)[1],
        }
    if h.curve_by:
        designs["strata"] = {"variable": h.curve_by, "labels": stratifier(cohort, h.curve_by)[1]}
    # which HSGP curves and varying intercepts the cohort pins down enough to sample
    # through the informed transform (model/forms/informed.py)
    add_informed(spec, cohort, designs)
    return designs


def design_terms(designs: dict[str, Any]) -> list[tuple[str, ...]]:
    """The exposure terms of stored designs (same grouping as :func:`exposure_terms`)."""
    return exposure_terms({k: d["form"] for k, d in designs["exposures"].items()})
