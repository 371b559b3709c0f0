"""Categories of an exposure (default: quartiles, the paper's Table 2).

The category holding the reference value is the reference (log-RR exactly 0); the other
categories get their own log-RR. The curve on the grid is the step function of the
category log-RRs. ``logrr_<exposure>_cat`` holds the category log-RRs in category order.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bayes_walk.errors import SpecError
from bayes_walk.model.forms.base import linear_term, scaling
from bayes_walk.model.forms.form import Form, TermContext
from bayes_walk.model.forms.registry import register_form

OPTIONS: dict[str, Any] = {"cuts": "quartiles", "decimals": None}
DEFAULT_PRIORS: dict[str, dict[str, Any]] = {
    # log-RR of each category versus the reference category: RR 95% within 0.46..2.2
    "logrr": {"dist": "Normal", "mu": 0.0, "sigma": 0.4},
}


def check_options(options: dict[str, Any], where: str) -> None:
    cuts = options.get("cuts", "quartiles")
    if cuts != "quartiles":
        ok = isinstance(cuts, list) and len(cuts) >= 1
        ok = ok and all(isinstance(c, int | float) and not isinstance(c, bool) for c in cuts)
        if not ok or list(cuts) != sorted(cuts) or len(set(cuts)) != len(cuts):
            raise SpecError(f"{where}: cuts must be 'quartiles' or an increasing list of numbers")
    dec = options.get("decimals")
    if dec is not None and (isinstance(dec, bool) or not isinstance(dec, int) or not 0 <= dec <= 6):
        raise SpecError(f"{where}: decimals must be an integer 0..6")


def _labels(cuts: np.ndarray, decimals: int) -> list[str]:
    from bayes_walk.cohort.quartiles import quartile_labels

    if len(cuts) == 3:
        return quartile_labels(cuts, decimals)
    f = [f"{c:.{decimals}f}" for c in cuts]
    return [f"<{f[0]}"] + [f"{a}-{b}" for a, b in zip(f[:-1], f[1:], strict=True)] + [f">={f[-1]}"]


def categories(x: np.ndarray, options: dict[str, Any]) -> tuple[np.ndarray, list[str]]:
    """Cuts and labels of the categories of ``x``."""
    from bayes_walk.cohort.quartiles import quartile_cuts

    cuts_opt = options.get("cuts", "quartiles")
    cuts = quartile_cuts(x) if cuts_opt == "quartiles" else np.asarray(cuts_opt, dtype=np.float64)
    dec = options.get("decimals")
    if dec is None:
        dec = 0 if np.ptp(np.percentile(x, [1, 99])) >= 20 else 2
    return cuts, _labels(cuts, int(dec))


def category_codes(x: np.ndarray, cuts) -> np.ndarray:
    """Category index of each value: bins ``[-inf, c1)``, ``[c1, c2)``, ..., ``[ck, inf)``."""
    return np.searchsorted(
        np.asarray(cuts, dtype=np.float64), np.asarray(x, dtype=np.float64), side="right"
    )


def design(
    x: np.ndarray, reference: float, options: dict[str, Any], priors: dict[str, Any] | None = None
) -> dict[str, Any]:
    cuts, labels = categories(x, options)
    codes = category_codes(x, cuts)
    counts = np.bincount(codes, minlength=len(labels))
    if (counts == 0).any():
        empty = [lab for lab, n in zip(labels, counts, strict=True) if n == 0]
        raise SpecError(f"categorical: categories {empty} have no participants; choose other cuts")
    ref_cat = int(category_codes(np.array([reference]), cuts)[0])
    return {
        **scaling(x),
        "reference": float(reference),
        "cuts": [float(c) for c in cuts],
        "labels": labels,
        "reference_category": ref_cat,
        "basis": [lab for i, lab in enumerate(labels) if i != ref_cat],
    }


def features(x: np.ndarray, design: dict[str, Any]) -> np.ndarray:
    """Dummies of the non-reference categories."""
    codes = category_codes(x, design["cuts"])
    k = len(design["labels"])
    onehot = np.eye(k)[codes]
    return np.delete(onehot, design["reference_category"], axis=1)


@register_form
class Categorical(Form):
    """Categories of an exposure with their own log-RR (default quartiles)."""

    name = "categorical"
    options = OPTIONS
    default_priors = DEFAULT_PRIORS

    def check_options(self, options, where):
        check_options(options, where)

    def design(self, x, reference, options, priors=None):
        return design(x, reference, options, priors)

    def features(self, x, design):
        return features(x, design)

    def key_quantities(self, exposures):
        return {f"log RR {e} top category": ("last", f"logrr_{e}_cat") for e in exposures}

    def pieces(self, ctx: TermContext) -> list:
        import pymc as pm
        import pytensor.tensor as pt

        from bayes_walk.spec.priors import make_rv

        e = ctx.exposure
        coef = make_rv(f"beta_{e}_cat", ctx.priors["logrr"], dims=(ctx.basis_dim,))
        r = ctx.design["reference_category"]
        full = pt.concatenate([coef[:r], pt.zeros(1), coef[r:]])
        pm.Deterministic(f"logrr_{e}_cat", full, dims=(f"{e}_category",))
        return linear_term(ctx, coef, None, features, categorical=True)
