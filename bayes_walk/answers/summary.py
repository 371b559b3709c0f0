"""Everything ``bayes-walk summary`` reports for one fit, as a JSON-ready dict."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from bayes_walk.answers.cohort_link import adjustment_of, cohort_for_fit, frequentist_table
from bayes_walk.estimands.categories import categorical_exposures, category_info, category_table
from bayes_walk.estimands.curve import UNITS, round_values_in_grid, rr_summary
from bayes_walk.estimands.draws import (
    curve_draws,
    curve_exposures,
    finite_or_none,
    interval,
    reference_of,
)
from bayes_walk.estimands.evalue import evalues
from bayes_walk.fitmeta import fit_attrs, json_attr, outcome_of, spec_dict
from bayes_walk.inference.advice import advice
from bayes_walk.inference.diagnostics import fit_diagnostics, warnings_in_words


def _rr(m, lo, hi) -> dict:
    return {"median": finite_or_none(m), "lo": finite_or_none(lo), "hi": finite_or_none(hi)}


def _evalue(rr: dict | None) -> dict | None:
    """E-values of a ``{"median", "lo", "hi"}`` RR (None for the reference row)."""
    if not rr or rr.get("median") is None:
        return None

    def num(v):
        return math.nan if v is None else float(v)

    return evalues(num(rr["median"]), num(rr["lo"]), num(rr["hi"]))


def covariate_rows(idata, *, prob: float = 0.95, hdi: bool = False) -> list[dict]:
    """RR per unit and per SD of each continuous covariate, per level of a categorical one
    (versus its first level), with P(RR < 1) and E-values."""
    from bayes_walk.estimands.covariates import covariate_table
    from bayes_walk.fitmeta import json_attr

    designs = json_attr(fit_attrs(idata), "designs", {}) or {}
    table = covariate_table(idata.posterior, designs.get("covariates") or {}, prob=prob, hdi=hdi)
    rows = []
    for r in table.to_dict("records"):
        rr = _rr(r["rr_median"], r["rr_lo"], r["rr_hi"])
        rows.append(
            {
                "covariate": r["covariate"],
                "contrast": r["contrast"],
                "reference": r["reference"] if isinstance(r["reference"], str) else None,
                "rr": rr,
                "p_benefit": finite_or_none(r["p_benefit"]),
                "evalue": _evalue(rr),
            }
        )
    return rows


def _freq_rows(table, labels: list[str]) -> list[dict | None]:
    if table is None:
        return [None] * len(labels)
    out = []
    by_cat = {str(r["category"]): r for _, r in table.iterrows()}
    for i, lab in enumerate(labels):
        row = by_cat.get(lab)
        if row is None and len(table) == len(labels):
            row = table.iloc[i]
        if row is None:
            out.append(None)
            continue
        rr = float(row["rr"])
        lo, hi = row.get("lo"), row.get("hi")
        out.append(
            {
                "rr": rr,
                "lo": None if lo is None or not np.isfinite(lo) else float(lo),
                "hi": None if hi is None or not np.isfinite(hi) else float(hi),
            }
        )
    return out


def rr_table_rows(
    idata, *, cohort=None, prob: float = 0.95, hdi: bool = False
) -> tuple[list, dict]:
    """Table 2 rows (categorical exposures) with the frequentist column; and notes."""
    rows: list[dict] = []
    notes: dict[str, str] = {}
    for exposure in categorical_exposures(idata):
        table = category_table(idata, exposure, prob=prob, hdi=hdi)
        cuts = category_info(idata, exposure).get("cuts")
        # the paper's Table 2 model: focal exposure in categories, the other one linear
        freq, note = frequentist_table(
            cohort,
            exposure,
            adjust=adjustment_of(idata),
            cuts=cuts,
            other="linear",
            outcome=outcome_of(idata),
        )
        notes[exposure] = note
        freq_rows = _freq_rows(freq, list(table["category"]))
        for (_, r), f in zip(table.iterrows(), freq_rows, strict=True):
            rows.append(
                {
                    "exposure": exposure,
                    "category": str(r["category"]),
                    "n": None if _isna(r["n"]) else int(r["n"]),
                    "cases": None if _isna(r["cases"]) else int(r["cases"]),
                    "reference": bool(r["reference"]),
                    "rr": _rr(r["rr_median"], r["rr_lo"], r["rr_hi"]),
                    "p_benefit": finite_or_none(r["p_benefit"]),
                    "frequentist": f,
                }
            )
            rows[-1]["evalue"] = None if r["reference"] else _evalue(rows[-1]["rr"])
    return rows, notes


def _isna(v) -> bool:
    return v is None or bool(pd.isna(v))


def curve_rows(
    idata, *, prob: float = 0.95, hdi: bool = False, references: dict | float | None = None
) -> list[dict]:
    """Every stored curve at its exposure's round values (one row per x and stratum).

    ``references`` (exposure -> value, or one number for a one-curve fit) re-references
    the curves; ``step`` marks rows of categorical/joint terms (step functions of the
    exposure, not dose-response curves).
    """
    from bayes_walk.answers.guards import is_step_form
    from bayes_walk.estimands.reference import parse_references, rereference

    rows = []
    refs = parse_references(references, curve_exposures(idata))
    for exposure in curve_exposures(idata):
        curve = rereference(curve_draws(idata, exposure), refs.get(exposure), exposure)
        step = is_step_form(idata, exposure)
        xs = round_values_in_grid(curve, exposure)
        if not xs:
            continue
        s = rr_summary(curve, xs, prob=prob, hdi=hdi)
        strata = [str(v) for v in curve["stratum"].values] if "stratum" in curve.dims else [None]
        for k, stratum in enumerate(strata):
            sel = s.isel(stratum=k) if stratum is not None else s
            for i, x in enumerate(xs):
                rows.append(
                    {
                        "exposure": exposure,
                        "x": float(x),
                        "units": UNITS.get(exposure, ""),
                        "stratum": stratum,
                        "reference": refs.get(exposure, reference_of(curve, idata)),
                        "step": step,
                        "rr": _rr(
                            sel["median"].values[i], sel["lo"].values[i], sel["hi"].values[i]
                        ),
                        "p_benefit": finite_or_none(sel["p_benefit"].values[i]),
                    }
                )
                rows[-1]["evalue"] = (
                    None if float(x) == rows[-1]["reference"] else (_evalue(rows[-1]["rr"]))
                )
    return rows


def fit_summary(
    idata,
    *,
    fit_path: str | None = None,
    prob: float = 0.95,
    hdi: bool = False,
    frequentist: bool = True,
    references: dict | float | None = None,
) -> dict:
    """The summary of one fit (DESIGN "JSON output" summary keys and more).

    Parameters
    ----------
    idata
        The fit (``az.InferenceData`` in the fit.nc layout).
    fit_path
        Where the fit was read from (to resolve a relative ``cohort_path``).
    frequentist
        Compute the modified-Poisson column (needs the cohort; can take a few seconds).
    references
        Exposure -> reference value for the curve rows (one number: the only curve).

    Returns
    -------
    dict
        ``model``, ``forms``, ``n_participants``, ``interval``, ``diagnostics``,
        ``warnings``, ``rr_table``, ``curve``, ``frequentist_source``, ``tau``,
        ``joint_table`` (the 16 cells of a joint fit, else None), ``covariates`` (RR per
        unit / SD / level of each adjustment covariate); rr_table and curve rows carry
        ``evalue`` (``point`` and ``limit``: the E-value of the CI limit nearest 1).
    """
    attrs = fit_attrs(idata)
    spec = spec_dict(idata)
    linked = cohort_for_fit(idata, fit_path=fit_path) if frequentist else None
    cohort = linked.cohort if linked is not None else None
    diag = fit_diagnostics(idata)
    rr_rows, notes = rr_table_rows(idata, cohort=cohort, prob=prob, hdi=hdi)
    tau = {}
    # only the user-facing ``tau_<exposure>``: the sampler's own transformed copies
    # (``tau_<exposure>_scaled``, ``..._interval__``) share the prefix
    exposures = list(spec.get("exposures") or {})
    exposures += [n[len("logrr_") :] for n in idata.posterior.data_vars if n.startswith("logrr_")]
    for exposure in dict.fromkeys(exposures):
        name = f"tau_{exposure}"
        if name in idata.posterior:
            iv = interval(idata.posterior[name], prob=prob, hdi=hdi)
            if iv["median"].ndim == 0:
                tau[exposure] = _rr(iv["median"].values, iv["lo"].values, iv["hi"].values)
    joint = None
    if "logrr_joint" in idata.posterior:
        from bayes_walk.estimands.joint import joint_table

        jt = joint_table(idata, prob=prob, hdi=hdi)
        joint = [
            {
                "walking_min": r.walking_min,
                "walking_mets": r.walking_mets,
                "rr": _rr(r.rr_median, r.rr_lo, r.rr_hi),
                "p_benefit": finite_or_none(r.p_benefit),
            }
            for r in jt.itertuples(index=False)
        ]
    return {
        "model": str(attrs.get("spec_name") or spec.get("name") or "fit"),
        "forms": {e: (v or {}).get("form") for e, v in (spec.get("exposures") or {}).items()},
        "n_participants": _int_or_none(attrs.get("n_participants")),
        "sampler": attrs.get("sampler"),
        "interval": {"prob": prob, "kind": "hdi" if hdi else "equal-tailed"},
        "diagnostics": diag,
        "warnings": warnings_in_words(diag),
        "advice": advice(diag, _int_or_none(attrs.get("n_participants"))),
        "rr_table": rr_rows,
        "frequentist_source": (
            {"cohort": linked.how, **notes} if linked is not None else "not requested"
        ),
        "curve": curve_rows(idata, prob=prob, hdi=hdi, references=references),
        "tau": tau or None,
        "covariates": covariate_rows(idata, prob=prob, hdi=hdi),
        "joint_table": joint,
        "priors": json_attr(attrs, "priors"),
    }


def _int_or_none(v) -> int | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return int(f) if math.isfinite(f) else None
