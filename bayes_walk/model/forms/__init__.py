"""Dose-response forms: one module per form, each with default priors and a ``build``.

Every form module defines

- ``OPTIONS``: option name -> default value (the spec may set these per exposure);
- ``DEFAULT_PRIORS``: term name -> prior dict (see :mod:`bayes_walk.spec.priors`);
- ``SUPPORTS_STRATA``: whether ``hierarchy.curve_by`` can give it stratum curves;
- ``design(x, reference, options) -> dict``: JSON-able constants fixed from training data;
- ``build(ctx) -> TermResult``: adds the term to the model (see :mod:`bayes_walk.model.forms.base`);
- ``predict(x, posterior, design, exposure) -> xr.DataArray``: the log-RR at new ``x``.

Modules are imported lazily so that reading a spec does not import PyMC.
"""

from __future__ import annotations

import importlib
from types import ModuleType

FORMS: tuple[str, ...] = (
    "categorical",
    "linear",
    "rcs",
    "hsgp",
    "changepoint",
    "monotone",
    "joint",
)

# Forms that can carry partially pooled stratum curves (hierarchy.curve_by).
STRATA_FORMS: tuple[str, ...] = ("linear", "rcs", "hsgp")


def get_form(name: str) -> ModuleType:
    """The module implementing form ``name`` (caller checks ``name in FORMS``)."""
    return importlib.import_module(f"bayes_walk.model.forms.{name}")
