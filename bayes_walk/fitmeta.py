"""The one reader of a fit's attributes (ARCHITECTURE "fit.nc" attrs).

A fit stores its spec, designs, categories and diagnostics as JSON strings in the
InferenceData attrs (older or hand-made files may carry them on the posterior group).
Every module that needs them calls the functions here; :class:`bayes_walk.results.Fit`
parses them once on loading.
"""

from __future__ import annotations

import json
from typing import Any


def fit_attrs(idata) -> dict[str, Any]:
    """Fit-level attributes: the InferenceData attrs over the posterior's."""
    merged: dict[str, Any] = {}
    if "posterior" in idata.groups():
        merged.update(dict(idata.posterior.attrs))
    merged.update(dict(getattr(idata, "attrs", {}) or {}))
    return merged


def json_attr(attrs: dict[str, Any], key: str, default: Any = None) -> Any:
    """``attrs[key]`` decoded from JSON when it is a string; ``default`` when absent."""
    if key not in attrs:
        return default
    value = attrs[key]
    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def attr(idata, name: str, default: Any = None) -> Any:
    """One fit attribute (raw), ``default`` when absent."""
    return fit_attrs(idata).get(name, default)


def spec_dict(idata) -> dict[str, Any]:
    """The fit's spec as a dict (empty when not recorded or unreadable)."""
    spec = json_attr(fit_attrs(idata), "spec", {}) or {}
    return spec if isinstance(spec, dict) else {}


def ratio_abbr(idata) -> str:
    """``IRR`` (incidence rate ratio) for fits with an offset (person-time), else ``RR``.

    With an offset the Poisson model is a rate model, so its exp(log-ratio) is a rate ratio,
    not a risk ratio; JSON keys keep the name ``rr`` either way.
    """
    return "IRR" if spec_dict(idata).get("offset") else "RR"


def model_name(idata, fallback: str) -> str:
    """The spec name stored in the fit, else ``fallback``."""
    name = attr(idata, "spec_name") or spec_dict(idata).get("name")
    return str(name) if name else fallback


def form_of(idata, exposure: str) -> str | None:
    """The form of ``exposure`` in the fit's spec."""
    return ((spec_dict(idata).get("exposures") or {}).get(exposure) or {}).get("form")


DEFAULT_OUTCOME = "clbp"
DEFAULT_LABELS = {"clbp": "chronic low back pain"}


def outcome_of(idata) -> str:
    """The outcome variable the fit modelled (the spec's ``outcome``; ``clbp`` by default)."""
    return str(spec_dict(idata).get("outcome") or DEFAULT_OUTCOME)


def label_for(outcome: str, cohort=None) -> str:
    """The words for ``outcome``: the cohort's ``outcome_label`` attr (on the Dataset or on
    the variable), else ``long_name``-free defaults: "chronic low back pain" for ``clbp``,
    the variable name otherwise."""
    if cohort is not None:
        for attrs in (getattr(cohort, "attrs", {}), _var_attrs(cohort, outcome)):
            label = attrs.get("outcome_label")
            if label:
                return str(label)
    return DEFAULT_LABELS.get(outcome, outcome)


def _var_attrs(cohort, name: str) -> dict[str, Any]:
    try:
        return dict(cohort[name].attrs)
    except (KeyError, TypeError):
        return {}


def outcome_label(idata) -> str:
    """The outcome's words stored with the fit (attr ``outcome_label``), else the default."""
    label = attr(idata, "outcome_label")
    return str(label) if label else label_for(outcome_of(idata))
