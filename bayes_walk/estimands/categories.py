"""Category risk-ratio tables (the paper's Table 2) from categorical fits.

Categorical forms store ``logrr_<exposure>_cat`` with dims ``(chain, draw,
<exposure>_category)``, reference category first (exactly 0), and the fit's
``attrs["categories"]`` (JSON) holds per exposure the ``labels``, ``cuts``, ``n`` and
``cases`` of each category.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bayes_walk.estimands.draws import interval, probability
from bayes_walk.fitmeta import fit_attrs, json_attr


def categorical_exposures(idata) -> list[str]:
    """Exposures with stored category log-RRs (``logrr_<exposure>_cat``)."""
    out = []
    for name in idata.posterior.data_vars:
        if name.startswith("logrr_") and name.endswith("_cat"):
            out.append(name[len("logrr_") : -len("_cat")])
    return out


def category_info(idata, exposure: str) -> dict:
    """``labels``, ``cuts``, ``n``, ``cases`` of ``exposure``'s categories (may be partial).

    Looks in the fit's ``categories`` attr, then in the category array's own attrs.
    """
    cats = json_attr(fit_attrs(idata), "categories", {}) or {}
    info = dict(cats.get(exposure, {})) if isinstance(cats, dict) else {}
    name = f"logrr_{exposure}_cat"
    if name in idata.posterior:
        own = json_attr(dict(idata.posterior[name].attrs), "categories", {}) or {}
        if isinstance(own, dict):
            for k, v in (own.get(exposure, own)).items():
                info.setdefault(k, v)
    return info


def category_table(idata, exposure: str, *, prob: float = 0.95, hdi: bool = False) -> pd.DataFrame:
    """Posterior RR per category of ``exposure`` versus the reference category.

    Returns
    -------
    pd.DataFrame
        One row per category: ``exposure``, ``category``, ``n``, ``cases``, ``rr_median``,
        ``rr_lo``, ``rr_hi``, ``p_benefit`` (``P(RR < 1)``), ``reference`` (bool).
        ``n``/``cases`` are ``<NA>`` when the fit does not record them.
    """
    da = idata.posterior[f"logrr_{exposure}_cat"]
    dim = f"{exposure}_category"
    if dim not in da.dims:
        dim = next(d for d in da.dims if d not in ("chain", "draw"))
    iv = np.exp(interval(da, prob=prob, hdi=hdi))
    p = probability(da < 0)
    info = category_info(idata, exposure)
    labels = [str(v) for v in da[dim].values]
    if info.get("labels") and len(info["labels"]) == len(labels):
        labels = [str(v) for v in info["labels"]]
    k = len(labels)

    def _ints(key: str) -> list:
        vals = info.get(key)
        if vals is None or len(vals) != k:
            return [pd.NA] * k
        return [int(v) for v in vals]

    ref = np.all(np.asarray(da.values) == 0, axis=(0, 1))
    return pd.DataFrame(
        {
            "exposure": exposure,
            "category": labels,
            "n": pd.array(_ints("n"), dtype="Int64"),
            "cases": pd.array(_ints("cases"), dtype="Int64"),
            "rr_median": iv["median"].values,
            "rr_lo": iv["lo"].values,
            "rr_hi": iv["hi"].values,
            "p_benefit": np.where(ref, np.nan, p.values),
            "reference": ref,
        }
    )
