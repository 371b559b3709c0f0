"""Dose-response forms: one module per form, each a registered :class:`Form` subclass.

The contract (:mod:`bayes_walk.model.forms.form`): a form declares ``name``, ``options``
(defaults) with ``check_options``, ``default_priors``, ``supports_strata``, ``arity``
(2 for a pair form such as ``joint``) and ``scalar_parameters``, and implements
``design`` (constants fixed from the training data), optionally ``features`` (a numpy
basis, for forms linear in their coefficients), ``pieces`` (parameters, Deterministics
and the typed pieces of the linear predictor, :mod:`bayes_walk.model.pieces`) and
``predict`` (the log-RR at new exposure values). A new form is one module with a class
decorated by :func:`register_form`, imported before the spec is read.

Importing this package registers the built-in forms; none of them imports PyMC until a
model is built, so reading a spec stays light.
"""

from __future__ import annotations

from bayes_walk.model.forms import (  # noqa: F401 - imported to register the forms
    categorical,
    changepoint,
    hsgp,
    joint,
    linear,
    monotone,
    plateau,
    rcs,
)
from bayes_walk.model.forms.form import Form, Strata, TermContext
from bayes_walk.model.forms.registry import (
    FORMS,
    get_form,
    register_form,
    strata_forms,
    unregister_form,
)

__all__ = [
    "FORMS",
    "Form",
    "Strata",
    "TermContext",
    "get_form",
    "register_form",
    "strata_forms",
    "unregister_form",
]
