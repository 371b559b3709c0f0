"""The absolute-risk part of ``summary`` and of the report (g-computation, one table).

For the volume exposure (``walking_min``, else the fit's first curve exposure): the
standardised risk at the round values the summary's curve rows use (categorical fits: at
each category), the risk difference from the reference and the cases per 1,000 prevented,
and the population attributable fraction of exposure below the reference. Computed once,
over one :class:`~bayes_walk.answers.risk.RiskData`, by the functions of ``bayes-walk
risk`` (:mod:`bayes_walk.answers.risk`). A fit the method does not apply to (no stored
``mu``, only a joint term) gets an empty table and a one-line ``note``, not an error.
JSON-ready dicts.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bayes_walk.errors import BayesWalkError
from bayes_walk.estimands.curve import UNITS, round_values_in_grid
from bayes_walk.estimands.draws import curve_draws, curve_exposures, finite_or_none
from bayes_walk.fitmeta import outcome_label, spec_dict

# the g-computation holds a few (draws x participants) float64 arrays: up to this many
# elements every stored draw is used (a fit stores at most 4,000,000 draws x participants,
# else 500 draws: at n = 11,194 all 500, about 1 s), beyond it the draws are thinned,
# never below MIN_DRAWS (n = 200,000: 200 draws)
MAX_ELEMENTS = 6_000_000
MIN_DRAWS = 200

KEYS = ("absolute_risk", "risk_difference", "attributable_fraction")


def risk_exposure(fit) -> str | None:
    """The exposure of the summary's risk table: ``walking_min`` when it has a curve of
    its own (not a joint cell), else the first such exposure; None when there is none."""
    exposures = [
        e
        for e in curve_exposures(fit.idata)
        if e in fit.designs["exposures"] and fit.designs["exposures"][e].get("form") != "joint"
    ]
    if "walking_min" in exposures:
        return "walking_min"
    return exposures[0] if exposures else None


def _n_participants(fit) -> int:
    idata = fit.idata
    if "posterior_predictive" in idata.groups() and "mu" in idata.posterior_predictive:
        return int(idata.posterior_predictive["mu"].sizes.get("participant", 1))
    return 1


def _trio(table, prefix: str, i: int) -> dict[str, float | None]:
    return {k: finite_or_none(table[f"{prefix}_{k}"].iloc[i]) for k in ("median", "lo", "hi")}


def _empty(exposure: str | None, note: str) -> dict[str, Any]:
    return {
        "absolute_risk": {"exposure": exposure, "rows": [], "note": note},
        "risk_difference": None,
        "attributable_fraction": None,
    }


def _points(fit, data, exposure: str, reference: float | None):
    """``(xs, labels, versus, threshold)``: where to standardise, the category labels
    (None for a curve), the comparison value and the attributable fraction's threshold
    (None when there is no category above the reference one)."""
    design = fit.designs["exposures"][exposure]
    if design.get("form") == "categorical":
        from bayes_walk.model.forms.categorical import category_codes

        # any value inside a category gives that category's risk: the reference value
        # for the reference category, the median participant's exposure for the others
        versus = float(design["reference"])
        codes = category_codes(data.x_obs, design["cuts"])
        ref_cat = int(design["reference_category"])
        xs = [
            versus if k == ref_cat else float(np.median(data.x_obs[codes == k]))
            for k in range(len(design["labels"]))
        ]
        # the fraction of walking less than the reference category's upper cut (78 in
        # the paper): a threshold inside the reference category would move nobody out
        # of it, so its attributable fraction would be 0 by construction
        cuts = design["cuts"]
        threshold = float(cuts[ref_cat]) if ref_cat < len(cuts) else None
        return xs, [str(lab) for lab in design["labels"]], versus, threshold
    curve = curve_draws(fit.idata, exposure)
    versus = float(design["reference"] if reference is None else reference)
    xs = sorted({*round_values_in_grid(curve, exposure), versus})
    return xs, None, versus, versus


def summary_risks(
    fit,
    *,
    references: dict | float | None = None,
    prob: float = 0.95,
    hdi: bool = False,
    max_draws: int | None = None,
) -> dict[str, Any]:
    """Standardised risks, risk differences and the attributable fraction for a summary.

    Parameters
    ----------
    fit
        A :class:`~bayes_walk.results.Fit`.
    references
        Exposure -> comparison value, or one number for a one-curve fit (as for the
        summary's curve rows); default the exposure's spec reference (78 min/day). The
        attributable fraction is that of exposure below it. Categorical fits always
        compare with the reference category, and their attributable fraction is that of
        exposure below the reference category's upper cut (none when it is the top one).
    max_draws
        Use at most this many posterior draws (evenly thinned). None: every stored draw
        while draws x participants <= ``MAX_ELEMENTS``, else ``MAX_ELEMENTS /
        participants`` of them (at least ``MIN_DRAWS``).

    Returns
    -------
    dict
        ``absolute_risk``: ``exposure``, ``units``, ``reference``, ``scale`` (``"risk"``,
        or ``"rate"`` for a fit with a person-time offset: expected cases per participant
        over the follow-up), ``outcome``, ``n_participants``, ``draws`` (used),
        ``draws_stored``, ``note`` (None, or why the table is empty or thinned) and
        ``rows`` (``x``, ``category`` (None for a curve), ``risk``).
        ``risk_difference``: ``versus``, ``versus_category`` (the reference category of a
        categorical fit, else None), ``baseline`` (the risk at ``versus``) and
        ``rows`` (``x``, ``category``, ``rd`` = R(x) - R(versus), ``prevented_per_1000``
        = -1000 rd, ``p_lower`` = P(R(x) < R(versus)), None at ``versus`` itself), or None.
        ``attributable_fraction``: ``threshold``, ``share_below`` (share of participants
        below it), ``paf`` = 1 - R(everyone below raised to it) / R(as observed), or None.
        Every estimate is ``{"median", "lo", "hi"}``.
    """
    from bayes_walk.answers.risk import RiskData, attributable_fraction_frame, risk_versus_frame

    exposure = risk_exposure(fit)
    if exposure is None:
        return _empty(None, "no exposure with a curve of its own (joint cells only)")
    if max_draws is None:
        max_draws = max(MIN_DRAWS, MAX_ELEMENTS // max(_n_participants(fit), 1))
    try:
        data = RiskData(fit, exposure, max_draws=max_draws)
    except (BayesWalkError, NotImplementedError) as exc:
        return _empty(exposure, f"not computed: {str(exc).split(': ', 1)[-1]}")
    from bayes_walk.estimands.reference import parse_references

    reference = parse_references(references, curve_exposures(fit.idata)).get(exposure)
    xs, labels, versus, threshold = _points(fit, data, exposure, reference)
    table = risk_versus_frame(data, xs, versus, prob=prob, hdi=hdi)
    paf = (
        None
        if threshold is None
        else attributable_fraction_frame(data, threshold, prob=prob, hdi=hdi).iloc[0]
    )
    base = xs.index(versus)
    cats = labels or [None] * len(xs)
    xs_out = [None] * len(xs) if labels else [float(x) for x in xs]
    thinned = data.n_draws < data.draws_stored
    return {
        "absolute_risk": {
            "exposure": exposure,
            "units": UNITS.get(exposure, ""),
            "reference": versus,
            "scale": "rate" if spec_dict(fit.idata).get("offset") else "risk",
            "outcome": outcome_label(fit.idata),
            "n_participants": data.n_participants,
            "draws": data.n_draws,
            "draws_stored": data.draws_stored,
            "note": (
                f"computed on {data.n_draws} of the {data.draws_stored} stored draws (thinned)"
                if thinned
                else None
            ),
            "rows": [
                {"x": x, "category": c, "risk": _trio(table, "risk", i)}
                for i, (x, c) in enumerate(zip(xs_out, cats, strict=True))
            ],
        },
        "risk_difference": {
            "exposure": exposure,
            "versus": versus,
            "versus_category": labels[base] if labels else None,
            "baseline": _trio(table, "risk", base),
            "rows": [
                {
                    "x": x,
                    "category": c,
                    "rd": _trio(table, "rd", i),
                    "prevented_per_1000": _trio(table, "prevented_per_1000", i),
                    # the comparison row against itself has no probability to report
                    "p_lower": None if i == base else finite_or_none(table["p_lower"].iloc[i]),
                }
                for i, (x, c) in enumerate(zip(xs_out, cats, strict=True))
            ],
        },
        "attributable_fraction": None
        if paf is None
        else {
            "exposure": exposure,
            "threshold": float(paf["threshold"]),
            "share_below": float(paf["share_below"]),
            "paf": {k: finite_or_none(paf[f"paf_{k}"]) for k in ("median", "lo", "hi")},
        },
    }
