"""The sweep's one adapter to the fitting and estimand internals.

Everything the sweep needs from the model, the sampler and the estimands goes through
this module (``run_fit``, ``prepare_reusable``, ``task_estimands``, ``save_fit_file``), so
a change of the fitting API is a change here only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

# The RR compared across variants and specs, and the one the E-values are computed for:
# 125 vs 78 min/day (the paper's reference is the lowest quartile's median, 78 min/day).
RR_COMPARISON_REFERENCE = 78.0


@dataclass
class Reusable:
    """A model built (not fused) for data swapping, and its compiled sampler when known.

    ``compiled`` is nutpie's compiled model of ``built.model``; kept here because
    ``inference.fit`` remembers only the last one it compiled.
    """

    built: Any
    compiled: Any = None


def prepare_reusable(spec, cohort) -> Reusable:
    """Build ``spec`` on ``cohort`` as a model whose data can be swapped (designs fixed)."""
    from bayes_walk.model.builder import build_model

    return Reusable(built=build_model(spec, cohort))


def run_fit(
    spec, cohort, overrides: dict[str, Any], seed: int, built: Reusable | None = None
) -> tuple[Any, dict[str, Any]]:
    """Fit ``spec`` to ``cohort``; returns ``(idata, diagnostics)``.

    Parameters
    ----------
    spec
        ModelSpec.
    cohort
        Cohort Dataset (the variant already applied).
    overrides
        Sampler settings: ``chains``, ``draws``, ``tune``, ``sampler``, ``target_accept``.
    seed
        Sampler seed.
    built
        A :class:`Reusable` of the same structure: its data are swapped for ``cohort``
        and its compiled sampler reused. None: a one-off fit (fastest per draw).
    """
    from bayes_walk.inference import fit as fit_mod

    names = ("chains", "draws", "tune", "sampler", "target_accept")
    kw = {k: overrides[k] for k in names if overrides.get(k) is not None}
    if built is None:
        idata = fit_mod.fit(spec, cohort, seed=seed, progress=False, **kw)
    else:
        model = built.built.model
        # inference.fit keeps one compiled model, keyed by id(model); put ours back so a
        # worker alternating between structures does not recompile.
        cache = getattr(fit_mod, "_NUTPIE_CACHE", None)
        if cache is not None and built.compiled is not None:
            cache.clear()
            cache[id(model)] = (model, built.compiled)
        idata = fit_mod.fit(spec, cohort, seed=seed, progress=False, built=built.built, **kw)
        if cache is not None and id(model) in cache:
            built.compiled = cache[id(model)][1]
    return idata, json.loads(idata.attrs["diagnostics"])


def save_fit_file(idata, path) -> None:
    """Write the fit file atomically."""
    from bayes_walk.results import save_fit

    save_fit(idata, path)


def _finite(v) -> float | None:
    v = float(v)
    return v if np.isfinite(v) else None


def _rr_rows(idata, exposure: str, xs: list[float], reference: float) -> list[dict[str, Any]]:
    from bayes_walk.estimands.curve import logrr_at
    from bayes_walk.estimands.evalue import evalue_summary

    curve = idata.posterior[f"logrr_{exposure}"]
    if "stratum" in curve.dims:  # the first stratum, as plateau_summary does
        curve = curve.isel(stratum=0)
    lr = logrr_at(curve, [*xs, reference])
    v = np.asarray(lr.transpose("chain", "draw", "x").values, dtype=float)
    rows = []
    for i, x in enumerate(xs):
        d = np.exp(v[..., i] - v[..., -1]).ravel()
        ok = np.isfinite(d).all()
        q = np.quantile(d, [0.025, 0.5, 0.975]) if ok else [np.nan] * 3
        row = {
            "estimand": "rr",
            "exposure": exposure,
            "x": x,
            "reference": reference,
            "rr_median": _finite(q[1]),
            "rr_lo": _finite(q[0]),
            "rr_hi": _finite(q[2]),
            "p_benefit": float(np.mean(d < 1)) if ok else None,
        }
        if ok:
            row.update(evalue_summary(d))
        rows.append(row)
    return rows


def _category_rows(idata, exposure: str) -> list[dict[str, Any]]:
    from bayes_walk.estimands.categories import category_table

    t = category_table(idata, exposure)
    return [
        {
            "estimand": "category",
            "exposure": exposure,
            "category": str(r["category"]),
            "rr_median": _finite(r["rr_median"]),
            "rr_lo": _finite(r["rr_lo"]),
            "rr_hi": _finite(r["rr_hi"]),
            "p_benefit": _finite(r["p_benefit"]),
        }
        for _, r in t.iterrows()
    ]


def _plateau_row(idata, exposure: str, near: float, within: float) -> dict[str, Any]:
    from bayes_walk.estimands.plateau_report import plateau_summary

    p = plateau_summary(idata, exposure, near=near, within=within)
    onset = p.get("onset") or {}
    return {
        "estimand": "plateau",
        "exposure": exposure,
        "plateau_probability": p.get("probability"),
        "onset_median": onset.get("median"),
        "onset_lo": onset.get("lo"),
        "onset_hi": onset.get("hi"),
    }


def task_estimands(idata, estimands: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per estimand of a fit: RR(x vs 78) with E-values, plateau, category RRs.

    Parameters
    ----------
    idata
        The fit.
    estimands
        ``exposure`` (default ``walking_min``), ``rr_at`` (x values), ``near``, ``within``.
    """
    exposure = estimands.get("exposure", "walking_min")
    rows: list[dict[str, Any]] = []
    if f"logrr_{exposure}" in idata.posterior:
        rows += _rr_rows(idata, exposure, list(estimands["rr_at"]), RR_COMPARISON_REFERENCE)
        rows.append(_plateau_row(idata, exposure, estimands["near"], estimands["within"]))
    if f"logrr_{exposure}_cat" in idata.posterior:
        rows += _category_rows(idata, exposure)
    return rows
