"""The sweep's one adapter to the fitting and estimand internals.

Everything the sweep needs from the model, the sampler and the estimands goes through
this module (``run_fit``, ``prepare_reusable``, ``task_estimands``, ``save_fit_file``), so
a change of the fitting API is a change here only.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

# The RR compared across variants and specs, and the one the E-values are computed for:
# 125 vs 78 min/day (the paper's reference is the lowest quartile's median, 78 min/day).
RR_COMPARISON_REFERENCE = 78.0


def prepare_reusable(spec, cohort):
    """A :class:`~bayes_walk.inference.compiled.ModelCache` of ``spec`` built on ``cohort``:
    a plain model whose data are swapped per task (designs fixed from ``cohort``), with
    each backend's compiled form kept beside it."""
    from bayes_walk.inference.compiled import ModelCache

    return ModelCache.for_spec(spec, cohort)


def run_fit(spec, cohort, overrides: dict[str, Any], seed: int, built=None):
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
        A ``ModelCache`` from :func:`prepare_reusable` of the same structure: its data are
        swapped for ``cohort`` and its compiled sampler reused. None: a one-off fit
        (fastest per draw).
    """
    from bayes_walk.inference.fit import fit

    names = ("chains", "draws", "tune", "sampler", "target_accept")
    kw = {k: overrides[k] for k in names if overrides.get(k) is not None}
    idata = fit(spec, cohort, seed=seed, progress=False, cache=built, **kw)
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
    from bayes_walk.answers.plateau import plateau_summary

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
    from bayes_walk.answers.guards import is_step_form

    exposure = estimands.get("exposure", "walking_min")
    rows: list[dict[str, Any]] = []
    categorical = f"logrr_{exposure}_cat" in idata.posterior
    if f"logrr_{exposure}" in idata.posterior:
        rows += _rr_rows(idata, exposure, list(estimands["rr_at"]), RR_COMPARISON_REFERENCE)
        if not is_step_form(idata, exposure):
            # a step function (categorical or joint cells) has no onset: its "plateau"
            # would be where a cut falls, and the plateau answer refuses it
            rows.append(_plateau_row(idata, exposure, estimands["near"], estimands["within"]))
    if categorical:
        rows += _category_rows(idata, exposure)
    return rows


def plateau_piece(idata, estimands: dict[str, Any]) -> dict[str, np.ndarray] | None:
    """What this fit contributes to the cohort's averaged plateau answer, or None for a
    fit without a smooth volume curve (categorical, joint).

    Returns
    -------
    dict
        ``onset`` and ``remaining`` (per draw, default onset definition; ``inf`` = no
        plateau), ``probability`` (P(|onset - near| <= within)) and ``elpd_i`` (pointwise
        PSIS-LOO elpd per participant, for the stacking weights).
    """
    import warnings

    import arviz as az

    from bayes_walk.answers.averaged import curve_piece
    from bayes_walk.answers.guards import is_step_form
    from bayes_walk.fitmeta import outcome_of

    exposure = estimands.get("exposure", "walking_min")
    if f"logrr_{exposure}" not in idata.posterior or is_step_form(idata, exposure):
        return None
    curve = idata.posterior[f"logrr_{exposure}"]
    if "stratum" in curve.dims:  # the first stratum, as plateau_summary does
        curve = curve.isel(stratum=0, drop=True)
    piece = curve_piece(curve, float(estimands["near"]), float(estimands["within"]))
    with warnings.catch_warnings():
        # Pareto-k and pandas notices: the stacking uses the values as they are
        warnings.simplefilter("ignore")
        loo = az.loo(idata, pointwise=True, var_name=outcome_of(idata))
    return {
        "onset": piece.onset,
        "remaining": piece.remaining,
        "probability": np.float64(piece.probability),
        "elpd_i": np.asarray(loo.loo_i.values, dtype=np.float64).ravel(),
    }
