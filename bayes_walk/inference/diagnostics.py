"""Sampler diagnostics of a fit, in numbers and in plain words: one set of thresholds.

The rule (Vehtari et al. 2021, "Rank-normalization, folding, and localization"):
- any divergent transition is a warning;
- R-hat above :data:`RHAT_LIMIT` (1.01) means the chains disagree;
- bulk or tail ESS below :data:`ESS_LIMIT` (400 draws in total, over all chains) means
  the interval limits are noisy;
- E-BFMI below :data:`BFMI_LIMIT` (0.3) means poor exploration of the energy.
``fit``, ``summary``, ``report`` and :class:`bayes_walk.results.Fit` all use this module;
the JSON keys (``divergences``, ``max_rhat``, ``min_ess_bulk``, ``min_ess_tail``, ...) are
those of DESIGN "JSON output".
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

RHAT_LIMIT = 1.01
ESS_LIMIT = 400.0
BFMI_LIMIT = 0.3
# Variables larger than this (per draw) are skipped: per-participant quantities would make
# R-hat slow and add nothing the parameters and curves do not already show.
MAX_VAR_SIZE = 2_000


def _small_vars(post) -> list[str]:
    out = []
    for name, da in post.data_vars.items():
        size = int(np.prod([da.sizes[d] for d in da.dims if d not in ("chain", "draw")] or [1]))
        if name != "mu" and size <= MAX_VAR_SIZE:
            out.append(name)
    return out


def _nanmin(ds, names) -> tuple[float | None, str | None]:
    """Smallest finite value over ``names`` and the variable it belongs to."""
    best, where = None, None
    for n in names:
        v = np.asarray(ds[n].values, dtype=float).ravel()
        v = v[np.isfinite(v)]
        if v.size and (best is None or v.min() < best):
            best, where = float(v.min()), n
    return best, where


def compute_diagnostics(idata) -> dict[str, Any]:
    """Divergences, max R-hat, min bulk/tail ESS and min E-BFMI of a fit's posterior.

    Parameters
    ----------
    idata
        InferenceData with ``posterior`` and (usually) ``sample_stats``.

    Returns
    -------
    dict
        ``divergences`` (int), ``max_rhat``, ``worst_rhat_var``, ``min_ess_bulk``,
        ``min_ess_bulk_var`` (the variable with the smallest bulk ESS), ``min_ess_tail``, ``min_bfmi`` (float, or None when not computable: R-hat and ESS
        need two chains of four draws, BFMI an ``energy`` stat), ``chains``, ``draws``
        (per chain).
    """
    import arviz as az

    post = idata.posterior
    stats = idata.sample_stats if "sample_stats" in idata.groups() else None
    div = 0
    if stats is not None and "diverging" in stats:
        div = int(np.asarray(stats["diverging"].values).sum())
    out: dict[str, Any] = {
        "divergences": div,
        "max_rhat": None,
        "worst_rhat_var": None,
        "min_ess_bulk": None,
        "min_ess_bulk_var": None,
        "min_ess_tail": None,
        "min_bfmi": None,
        "chains": int(post.sizes.get("chain", 1)),
        "draws": int(post.sizes.get("draw", 0)),
    }
    names = _small_vars(post)
    if names and out["chains"] >= 2 and out["draws"] >= 4:
        sub = post[names]
        with warnings.catch_warnings():
            # constant deterministics (a curve at its reference) give 0/0 in R-hat
            warnings.simplefilter("ignore", RuntimeWarning)
            rhat = az.rhat(sub)
            ess_b = az.ess(sub, method="bulk")
            ess_t = az.ess(sub, method="tail")
        worst, worst_name = -math.inf, None
        for n in names:
            v = np.asarray(rhat[n].values, dtype=float)
            if np.isfinite(v).any() and np.nanmax(v) > worst:
                worst, worst_name = float(np.nanmax(v)), n
        out["max_rhat"] = worst if worst_name else None
        out["worst_rhat_var"] = worst_name
        # a constant quantity (a curve at its own reference) has no R-hat, and ArviZ
        # gives it the number of draws as ESS, which would hide the real minimum
        varying = {n: np.isfinite(np.asarray(rhat[n].values, dtype=float)) for n in names}
        ess_b = ess_b.assign({n: ess_b[n].where(varying[n]) for n in names})
        ess_t = ess_t.assign({n: ess_t[n].where(varying[n]) for n in names})
        out["min_ess_bulk"], out["min_ess_bulk_var"] = _nanmin(ess_b, names)
        out["min_ess_tail"] = _nanmin(ess_t, names)[0]
    if stats is not None and "energy" in stats:
        try:
            out["min_bfmi"] = float(np.min(az.bfmi(idata)))
        except (ValueError, TypeError, KeyError):
            out["min_bfmi"] = None
    return out


def is_converged(diag: dict[str, Any]) -> bool:
    """No divergences and R-hat within :data:`RHAT_LIMIT` (what ``fit --strict`` asks)."""
    rhat = diag.get("max_rhat")
    return int(diag.get("divergences") or 0) == 0 and (rhat is None or rhat <= RHAT_LIMIT)


def warnings_in_words(diag: dict[str, Any]) -> list[str]:
    """Plain-language warnings for a diagnostics dict (empty when all is well)."""
    out = []
    div = int(diag.get("divergences") or 0)
    if div > 0:
        out.append(
            f"The sampler reported {div} divergent transitions: parts of the posterior may "
            "not have been explored, so intervals can be too narrow. Refit with a higher "
            "target_accept or reparametrise before trusting the numbers."
        )
    rhat = diag.get("max_rhat")
    if rhat is not None and not rhat <= RHAT_LIMIT:
        where = f" for '{diag['worst_rhat_var']}'" if diag.get("worst_rhat_var") else ""
        out.append(
            f"The chains disagree (largest R-hat {rhat:.3f}{where}, above {RHAT_LIMIT}): "
            "they have not converged to the same distribution. Run longer chains before "
            "using these results."
        )
    if diag.get("chains", 2) < 2:
        out.append("Only one chain was run, so convergence (R-hat) cannot be checked.")
    for key, what in (("min_ess_bulk", "bulk"), ("min_ess_tail", "tail")):
        ess = diag.get(key)
        if ess is not None and ess < ESS_LIMIT:
            out.append(
                f"The smallest {what} effective sample size is {ess:.0f} (below "
                f"{ESS_LIMIT:.0f} in total): medians and 95% interval limits are noisy. "
                "Draw more samples for final numbers."
            )
    bfmi = diag.get("min_bfmi")
    if bfmi is not None and np.isfinite(bfmi) and bfmi < BFMI_LIMIT:
        out.append(
            f"E-BFMI {bfmi:.2f} is below {BFMI_LIMIT}: the sampler explores the energy "
            "distribution poorly; the posterior may have heavy tails or a funnel."
        )
    return out


def fit_diagnostics(idata) -> dict[str, Any]:
    """:func:`compute_diagnostics` plus the timing stored by ``fit`` (``sampling_seconds``)."""
    from bayes_walk.fitmeta import fit_attrs, json_attr

    out = compute_diagnostics(idata)
    attrs = fit_attrs(idata)
    stored = json_attr(attrs, "diagnostics", None)
    if isinstance(stored, dict):
        for key in ("seconds", "sampling_seconds"):
            if stored.get(key) is not None:
                out["sampling_seconds"] = float(stored[key])
                break
    for key in ("sampling_seconds", "sampling_time", "fit_seconds"):
        if key in attrs and "sampling_seconds" not in out:
            try:
                out["sampling_seconds"] = float(attrs[key])
            except (TypeError, ValueError):
                pass
    return out
