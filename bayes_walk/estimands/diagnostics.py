"""Sampler diagnostics of a fit in numbers and in plain words."""

from __future__ import annotations

import math

import numpy as np

from bayes_walk.estimands.draws import fit_attrs, json_attr

RHAT_LIMIT = 1.01
ESS_LIMIT = 400.0
# Variables larger than this (per draw) are skipped: per-participant quantities would make
# R-hat slow and add nothing the parameters and curves do not already show.
MAX_VAR_SIZE = 2_000


def diagnostics(idata) -> dict:
    """Divergences, max R-hat and min bulk/tail ESS over the posterior's variables.

    Returns
    -------
    dict
        ``divergences`` (int), ``max_rhat``, ``min_ess_bulk``, ``min_ess_tail`` (float or
        None when not computable, e.g. a single chain), ``chains``, ``draws``,
        ``worst_rhat_var``, ``sampling_seconds`` when recorded.
    """
    import warnings

    import arviz as az

    post = idata.posterior
    names = [
        n
        for n, da in post.data_vars.items()
        if int(np.prod([da.sizes[d] for d in da.dims if d not in ("chain", "draw")] or [1]))
        <= MAX_VAR_SIZE
    ]
    div = 0
    if "sample_stats" in idata.groups() and "diverging" in idata.sample_stats:
        div = int(np.asarray(idata.sample_stats["diverging"].values).sum())
    out: dict = {
        "divergences": div,
        "chains": int(post.sizes.get("chain", 1)),
        "draws": int(post.sizes.get("draw", 0)),
        "max_rhat": None,
        "min_ess_bulk": None,
        "min_ess_tail": None,
        "worst_rhat_var": None,
    }
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
        out["min_ess_bulk"] = _nanmin(ess_b, names)
        out["min_ess_tail"] = _nanmin(ess_t, names)
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


def _nanmin(ds, names) -> float | None:
    vals = [np.asarray(ds[n].values, dtype=float).ravel() for n in names]
    allv = np.concatenate(vals) if vals else np.array([])
    allv = allv[np.isfinite(allv)]
    return float(allv.min()) if allv.size else None


def warnings_in_words(diag: dict) -> list[str]:
    """Plain-language warnings for a diagnostics dict (empty when all is well)."""
    out = []
    if diag.get("divergences", 0) > 0:
        out.append(
            f"The sampler reported {diag['divergences']} divergent transitions: parts of the "
            "posterior may not have been explored, so intervals can be too narrow. Refit with "
            "a higher target_accept or reparametrise before trusting the numbers."
        )
    rhat = diag.get("max_rhat")
    if rhat is not None and rhat > RHAT_LIMIT:
        out.append(
            f"The chains disagree (largest R-hat {rhat:.3f} for '{diag.get('worst_rhat_var')}', "
            f"above {RHAT_LIMIT}): they have not converged to the same distribution. Run longer "
            "chains before using these results."
        )
    if diag.get("chains", 2) < 2:
        out.append("Only one chain was run, so convergence (R-hat) cannot be checked.")
    ess = diag.get("min_ess_bulk")
    if ess is not None and ess < ESS_LIMIT:
        out.append(
            f"The smallest effective sample size is {ess:.0f} (below {ESS_LIMIT:.0f}): "
            "tail quantiles such as the 95% interval limits are noisy. Draw more samples for "
            "final numbers."
        )
    return out
