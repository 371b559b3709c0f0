"""Apply an analysis variant: filter the cohort, swap the outcome, extend the adjustment.

Rules, in order: ``min_valid_days`` keeps participants with at least that many valid days;
``exclude = {var = "op value"}`` drops participants matching the rule (a missing value
never matches); ``exclude_if = "var"`` drops participants for whom ``var`` is present
(1 for a 0/1 variable, any level but the first for a categorical one) and, since their
status is unknown, those missing ``var``; ``adjust_extra`` variables and a swapped
``outcome`` must be complete, so participants missing them are dropped (complete-case
analysis, as in the paper). The inclusion flow gains one step per rule.
"""

from __future__ import annotations

import json
import operator

import numpy as np
import xarray as xr

from bayes_walk.errors import SpecError
from bayes_walk.sweep.sweepfile import Variant

OPS = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
}


def _need(cohort: xr.Dataset, var: str, variant: Variant) -> xr.DataArray:
    if var not in cohort.data_vars or cohort[var].dims != ("participant",):
        have = sorted(v for v in cohort.data_vars if cohort[v].dims == ("participant",))
        raise SpecError(
            f"variant '{variant.name}': variable '{var}' is not in the cohort; "
            f"available: {', '.join(have)}"
        )
    return cohort[var]


def _missing(cohort: xr.Dataset, var: str) -> np.ndarray:
    from bayes_walk.cohort.schema import is_categorical

    v = np.asarray(cohort[var].values)
    if is_categorical(cohort, var):
        return v < 0
    return ~np.isfinite(v.astype(np.float64))


def _matches(cohort: xr.Dataset, var: str, op: str, value, variant: Variant) -> np.ndarray:
    from bayes_walk.cohort.schema import is_categorical, levels_of

    da = _need(cohort, var, variant)
    v = np.asarray(da.values)
    if is_categorical(cohort, var):
        levels = levels_of(cohort, var)
        if isinstance(value, float):
            raise SpecError(
                f"variant '{variant.name}': '{var}' is categorical ({', '.join(levels)}); "
                f"compare it with a level, not {value}"
            )
        if value not in levels:
            raise SpecError(
                f"variant '{variant.name}': '{var}' has no level '{value}'; "
                f"levels: {', '.join(levels)}"
            )
        hit = OPS[op](v, levels.index(value))
        return hit & (v >= 0)
    if isinstance(value, str):
        raise SpecError(f"variant '{variant.name}': '{var}' is numeric; compare it with a number")
    x = v.astype(np.float64)
    with np.errstate(invalid="ignore"):
        return OPS[op](x, value) & np.isfinite(x)


def _present(cohort: xr.Dataset, var: str, variant: Variant) -> np.ndarray:
    from bayes_walk.cohort.schema import is_categorical

    v = np.asarray(_need(cohort, var, variant).values)
    if is_categorical(cohort, var):
        return v > 0
    x = v.astype(np.float64)
    finite = x[np.isfinite(x)]
    if not np.isin(finite, (0.0, 1.0)).all():
        raise SpecError(
            f"variant '{variant.name}': exclude_if '{var}' must be 0/1 or categorical; "
            'use exclude = {var = "op value"} for a numeric rule'
        )
    return np.isfinite(x) & (x == 1.0)


def apply_variant(cohort: xr.Dataset, variant: Variant) -> xr.Dataset:
    """The cohort of ``variant``: participants that pass its rules, flow extended.

    Raises
    ------
    SpecError
        A variable the variant names is absent, or a rule does not fit its type, or no
        participant is left.
    """
    keep = np.ones(cohort.sizes["participant"], dtype=bool)
    steps: list[tuple[str, np.ndarray]] = []
    if variant.min_valid_days is not None:
        vd = np.asarray(_need(cohort, "valid_days", variant).values)
        steps.append((f">= {variant.min_valid_days} valid days", vd >= variant.min_valid_days))
    for var, op, value in variant.exclude:
        steps.append((f"excluding {var} {op} {value}", ~_matches(cohort, var, op, value, variant)))
    for var in variant.exclude_if:
        drop = _present(cohort, var, variant) | _missing(cohort, var)
        steps.append((f"excluding {var} (or missing)", ~drop))
    complete = [*variant.adjust_extra, *([variant.outcome] if variant.outcome else [])]
    for var in complete:
        _need(cohort, var, variant)
        steps.append((f"complete {var}", ~_missing(cohort, var)))
    flow = json.loads(cohort.attrs.get("inclusion_flow", "[]"))
    for label, ok in steps:
        keep &= ok
        flow.append([f"{variant.name}: {label}", int(keep.sum())])
    if not keep.any():
        raise SpecError(f"variant '{variant.name}': no participant is left")
    out = cohort.isel(participant=np.flatnonzero(keep)) if not keep.all() else cohort.copy()
    out.attrs["inclusion_flow"] = json.dumps(flow)
    out.attrs["variant"] = variant.name
    return out


def spec_for_variant(spec, variant: Variant):
    """``spec`` with the variant's outcome and extra adjustment (a new frozen spec)."""
    from bayes_walk.spec.model_spec import spec_from_dict

    if not variant.outcome and not variant.adjust_extra:
        return spec
    d = spec.to_dict()
    if variant.outcome:
        d["outcome"] = variant.outcome
    d["adjust"] = list(d["adjust"]) + [a for a in variant.adjust_extra if a not in d["adjust"]]
    return spec_from_dict(d, source=f"{spec.name} (variant '{variant.name}')")
