"""What to try when a fit is not clean, per part of the model (pure, from diagnostics).

The advice is keyed on the variable the diagnostics name (``worst_rhat_var``,
``min_ess_bulk_var``), whose prefix says which part of the model it is: an HSGP curve's
``lengthscale_<exposure>`` / ``amplitude_<exposure>``, a stratum curve's
``stratum_amplitude_<exposure>``, a changepoint or plateau onset ``tau_<exposure>``, the
varying intercepts ``sd_<group>``. Only remedies measured on this toolkit's models are
given (docs/models.md "When a fit is not clean"); raising ``target_accept`` is not offered
for large cohorts, where it was measured to make the HSGP ridge worse.
"""

from __future__ import annotations

from typing import Any

from bayes_walk.inference.diagnostics import ESS_LIMIT, RHAT_LIMIT

LARGE_N = 100_000


def _part(var: str | None) -> tuple[str, str] | None:
    if not var:
        return None
    # the sampler's names carry a transform suffix and the onset its unit-range "_scaled"
    name = (
        var.removesuffix("_log__")
        .removesuffix("_interval__")
        .removesuffix("_informed__")
        .removesuffix("_scaled")
    )
    for prefix, part in (
        ("stratum_amplitude_", "stratum"),
        ("stratum_z_", "stratum"),
        ("lengthscale_", "hsgp"),
        ("amplitude_", "hsgp"),
        ("z_", "hsgp"),
        ("tau_", "onset"),
        ("width_", "onset"),
        ("logrr_", "curve"),
        ("coef_", "curve"),
        ("sd_", "group"),
        ("effect_", "group"),
    ):
        if name.startswith(prefix):
            return part, name[len(prefix) :]
    return None


def advice(diag: dict[str, Any], n_participants: int | None = None) -> list[str]:
    """Plain-language suggestions for a fit whose diagnostics are not clean.

    Parameters
    ----------
    diag
        Diagnostics (:func:`bayes_walk.inference.diagnostics.compute_diagnostics`).
    n_participants
        Cohort size, when known (changes the advice for divergences).

    Returns
    -------
    list of str
        Empty when the fit is clean.
    """
    out: list[str] = []
    ess = [diag.get(k) for k in ("min_ess_bulk", "min_ess_tail")]
    low_ess = any(v is not None and v < ESS_LIMIT for v in ess)
    rhat = diag.get("max_rhat")
    bad_rhat = rhat is not None and rhat > RHAT_LIMIT
    div = int(diag.get("divergences") or 0)
    where = _part(diag.get("min_ess_bulk_var") if low_ess else diag.get("worst_rhat_var"))
    if low_ess or bad_rhat:
        out.append(
            "Run more draws ([sampler] draws = 2000, or `fit --draws 2000`): the effective "
            "sample size grows in proportion."
        )
        if where and where[0] == "hsgp":
            out.append(
                f"The slow parameter belongs to the HSGP curve of {where[1]}, which the data "
                "identify weakly; if its curve is flat (P(RR<1) near 0.5 everywhere), a "
                f"`linear` form for {where[1]} answers the same question with one parameter."
            )
        elif where and where[0] == "stratum":
            out.append(
                f"The stratum deviation curves of {where[1]} are weakly identified; a "
                "narrower `stratum_amplitude` prior (e.g. {sigma = 0.15}) or fewer strata "
                "helps."
            )
        elif where and where[0] == "onset":
            out.append(
                f"The onset of {where[1]} is weakly identified (the posterior may be "
                "multimodal); compare with the `gp` fit before reading the onset."
            )
    if div:
        if n_participants is not None and n_participants >= LARGE_N:
            out.append(
                "At this cohort size HSGP curves should be sampled through the data-informed "
                'parametrisation (parametrisation = "auto" or "informed" in the exposure\'s '
                'table; "noncentred" diverges here); beyond that a longer warm-up ([sampler] '
                "tune = 2000) is the remedy to try, a higher target_accept was measured to "
                "add divergences."
            )
        else:
            out.append(
                "Refit with `target_accept = 0.9` in the spec's [sampler] table; "
                "if divergences remain, do not trust the intervals."
            )
    return out
