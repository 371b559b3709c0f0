"""The plateau answer for one exposure of a fit, as a JSON-ready dict (``bayes-walk plateau``)."""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from bayes_walk.answers.guards import refuse_without_curve
from bayes_walk.errors import FitFileError
from bayes_walk.estimands.curve import UNITS, logrr_at, p_benefit, round_values_in_grid
from bayes_walk.estimands.draws import (
    curve_draws,
    finite_or_none,
    grid_values,
    interval,
    probability,
)
from bayes_walk.estimands.onset import (
    DEFAULT_DEFINITION,
    definition_label,
    definition_sentence,
    onset_draws,
    parse_definition,
    remaining_draws,
)
from bayes_walk.estimands.plateau import (
    DEFAULT_DELTA,
    DEFAULT_NEAR,
    DEFAULT_TAIL,
    DEFAULT_WITHIN,
    minimal_dose,
    near_probability,
)
from bayes_walk.estimands.reference import rereference
from bayes_walk.fitmeta import fit_attrs, form_of

DEFAULT_TARGET_RR: float = 0.85


def _triple(ds: xr.Dataset) -> dict[str, float | None]:
    return {k: finite_or_none(ds[k].values) for k in ("median", "lo", "hi")}


def definition_text(
    exposure: str,
    near: float,
    within: float,
    delta: float,
    tail: float,
    grid: np.ndarray,
    definition: str = DEFAULT_DEFINITION,
) -> str:
    """One plain sentence (or three) saying what the plateau numbers mean."""
    unit = UNITS.get(exposure, "")
    pct = 100 * (1 - math.exp(-delta))
    d, _ = parse_definition(definition)
    if d.name in ("min", "edge", "isotonic"):
        first = (
            f"The plateau onset is the lowest {exposure} ({unit}) beyond which walking more "
            f"would lower the risk of chronic low back pain by less than {pct:.1f}% "
            f"(definition '{d.name}': {d.text}, delta = {delta:.4f} on the log-RR scale)"
        )
    else:
        first = (
            f"The plateau onset (definition '{definition_label(definition)}') is the lowest "
            f"{exposure} ({unit}) at which {definition_sentence(definition)}"
        )
    return (
        f"{first}, judged within the observed range "
        f"{grid[0]:.4g}-{grid[-1]:.4g} {unit}. 'probability' is the posterior probability "
        f"that this onset lies within {within:g} {unit} of {near:g} {unit}. Curves still "
        f"falling in the top {100 * tail:.0f}% of the range have no plateau inside the data "
        f"and count as not near."
    )


def _block(
    curve: xr.DataArray,
    exposure: str,
    *,
    near: float,
    within: float,
    delta: float,
    tail: float,
    target_rr: float,
    prob: float,
    hdi: bool,
    definition: str,
) -> dict:
    onset = onset_draws(curve, definition, delta=delta, tail=tail)
    r_near = logrr_at(remaining_draws(curve, definition), [near]).isel(x=0, drop=True)
    dose = minimal_dose(curve, target_rr)
    grid = grid_values(curve)
    xs = round_values_in_grid(curve, exposure)
    lr = logrr_at(curve, xs)
    p_ben = p_benefit(lr)
    r_iv = interval(r_near, prob=prob, hdi=hdi)
    return {
        "probability": float(near_probability(onset, near=near, within=within).values),
        "onset": _triple(interval(onset, prob=prob, hdi=hdi)),
        "p_no_plateau": float(probability(np.isinf(onset)).values),
        "remaining_benefit_at_near": _triple(r_iv),
        "remaining_risk_reduction_at_near_pct": {
            k: (None if v is None else 100 * (1 - math.exp(-v))) for k, v in _triple(r_iv).items()
        },
        "minimal_dose": {
            "target_rr": target_rr,
            "p_reached": float(probability(np.isfinite(dose)).values),
            **_triple(interval(dose, prob=prob, hdi=hdi)),
        },
        "p_benefit": [
            {"x": float(x), "p": finite_or_none(p)} for x, p in zip(xs, p_ben.values, strict=True)
        ],
        "grid": {"min": float(grid[0]), "max": float(grid[-1])},
    }


def tau_summary(
    idata, exposure: str, *, near: float, within: float, prob: float = 0.95, hdi: bool = False
) -> dict | None:
    """Posterior of a changepoint fit's ``tau_<exposure>``; ``None`` for other forms."""
    name = f"tau_{exposure}"
    if name not in idata.posterior:
        return None
    tau = idata.posterior[name]
    extra = [d for d in tau.dims if d not in ("chain", "draw")]
    if extra:  # stratum-specific changepoints: summarise each
        iv = interval(tau, prob=prob, hdi=hdi)
        near_p = probability(np.abs(tau - near) <= within)
        dim = extra[0]
        return {
            "by": dim,
            "strata": [
                {
                    "stratum": str(s),
                    **_triple(iv.sel({dim: s})),
                    "p_near": float(near_p.sel({dim: s}).values),
                }
                for s in tau[dim].values
            ],
        }
    return {
        **_triple(interval(tau, prob=prob, hdi=hdi)),
        "p_near": float(probability(np.abs(tau - near) <= within).values),
    }


def plateau_summary(
    idata,
    exposure: str = "walking_min",
    *,
    near: float = DEFAULT_NEAR,
    within: float = DEFAULT_WITHIN,
    delta: float = DEFAULT_DELTA,
    tail: float = DEFAULT_TAIL,
    target_rr: float = DEFAULT_TARGET_RR,
    stratum: str | None = None,
    prob: float = 0.95,
    hdi: bool = False,
    definition: str = DEFAULT_DEFINITION,
    reference: float | None = None,
) -> dict:
    """Plateau onset, its probability near ``near``, remaining benefit, minimal dose.

    For stratum curves the top-level numbers are those of ``stratum`` (default: the first
    stratum) and ``strata`` holds one block per stratum.

    Returns
    -------
    dict
        DESIGN "JSON output" plateau keys (``exposure``, ``near``, ``within``, ``delta``,
        ``probability``, ``onset``, ``remaining_benefit_at_near``, ``definition``) plus
        ``p_no_plateau``, ``minimal_dose``, ``p_benefit``, ``tau`` (changepoint fits),
        ``strata``.
    """
    if within < 0:
        raise FitFileError(f"--within must be >= 0, got {within}")
    if delta < 0:
        raise FitFileError(f"--delta must be >= 0, got {delta}")
    if not 0 < target_rr:
        raise FitFileError(f"the target RR must be > 0, got {target_rr}")
    label = definition_label(definition)
    refuse_without_curve(idata, exposure)
    # the onset does not depend on the reference; RRs, P(RR < 1) and the minimal dose do
    curve = rereference(curve_draws(idata, exposure), reference, exposure)
    grid = grid_values(curve)
    attrs = fit_attrs(idata)
    opts = dict(
        near=near,
        within=within,
        delta=delta,
        tail=tail,
        target_rr=target_rr,
        prob=prob,
        hdi=hdi,
        definition=label,
    )
    out: dict = {
        "model": str(attrs.get("spec_name", "")) or None,
        "form": curve.attrs.get("form") or form_of(idata, exposure),
        "exposure": exposure,
        "units": UNITS.get(exposure, ""),
        "near": float(near),
        "within": float(within),
        "delta": float(delta),
        "tail": float(tail),
        "interval": "hdi" if hdi else "equal-tailed",
        "prob": prob,
        "definition": definition_text(exposure, near, within, delta, tail, grid, label),
        "onset_definition": label,
        "reference": finite_or_none(curve.attrs.get("reference", float("nan"))),
    }
    if "stratum" in curve.dims:
        labels = [str(s) for s in curve["stratum"].values]
        chosen = labels[0] if stratum is None else str(stratum)
        if chosen not in labels:
            raise FitFileError(f"stratum '{stratum}' not in the fit (strata: {', '.join(labels)})")
        blocks = {
            s: _block(curve.sel(stratum=s), exposure, **opts) for s in curve["stratum"].values
        }
        out["stratum"] = chosen
        out["curve_by"] = curve.attrs.get("curve_by")
        out.update(blocks[_match(curve, chosen)])
        out["strata"] = [{"stratum": str(s), **b} for s, b in blocks.items()]
    else:
        if stratum is not None:
            raise FitFileError(f"the fit has no stratum curves for {exposure}; drop --stratum")
        out["stratum"] = None
        out.update(_block(curve, exposure, **opts))
    out["tau"] = tau_summary(idata, exposure, near=near, within=within, prob=prob, hdi=hdi)
    return out


def _match(curve: xr.DataArray, label: str):
    for s in curve["stratum"].values:
        if str(s) == label:
            return s
    raise KeyError(label)
