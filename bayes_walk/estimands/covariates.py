"""Risk ratios of the adjustment covariates from the posterior ``beta``.

The model enters a continuous covariate standardised, ``(x - mean) / sd`` of the training
data, and a categorical one as treatment dummies against its first level (designs
``covariates.terms``). So ``exp(beta)`` is the RR per SD; per unit it is
``exp(beta / sd)``; per level it is that level versus the reference level.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from bayes_walk.estimands.draws import interval

COLUMNS = ["covariate", "contrast", "reference", "rr_median", "rr_lo", "rr_hi", "p_benefit"]


def covariate_log_rrs(
    beta: xr.DataArray, design: dict[str, Any]
) -> list[tuple[dict, xr.DataArray]]:
    """(row label, log-RR draws) per contrast: per unit and per SD, or per level."""
    out: list[tuple[dict, xr.DataArray]] = []
    cols = list(design.get("columns") or [])
    for t in design.get("terms") or []:
        name = t["name"]
        if t["kind"] == "continuous":
            b = beta.sel(covariate=name)
            sd = float(t["sd"])
            out.append(({"covariate": name, "contrast": "per unit", "reference": None}, b / sd))
            out.append(
                ({"covariate": name, "contrast": f"per SD ({sd:.4g})", "reference": None}, b)
            )
        else:
            levels = list(t["levels"])
            for lev in levels[1:]:
                col = f"{name}[{lev}]"
                if col in cols:
                    label = {"covariate": name, "contrast": str(lev), "reference": str(levels[0])}
                    out.append((label, beta.sel(covariate=col)))
    return out


def covariate_table(
    posterior: xr.Dataset, design: dict[str, Any], *, prob: float = 0.95, hdi: bool = False
) -> pd.DataFrame:
    """One row per contrast: ``covariate``, ``contrast``, ``reference`` (level),
    ``rr_median``, ``rr_lo``, ``rr_hi`` and ``p_benefit`` = P(RR < 1). Empty without
    covariates."""
    if "beta" not in posterior or not (design.get("columns") or []):
        return pd.DataFrame(columns=COLUMNS)
    rows = []
    for label, lr in covariate_log_rrs(posterior["beta"], design):
        iv = interval(np.exp(lr), prob=prob, hdi=hdi)
        rows.append(
            {
                **label,
                "rr_median": float(iv["median"]),
                "rr_lo": float(iv["lo"]),
                "rr_hi": float(iv["hi"]),
                "p_benefit": float((lr < 0).mean()),
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)
