"""The priors in force: the defaults merged with a spec's overrides, as data and as text."""

from __future__ import annotations

from typing import Any


def priors_in_force(spec) -> dict[str, Any]:
    """``{"global": term -> prior, "exposures": exposure -> term -> prior}`` for ``spec``.

    Global priors (intercept, covariates, group SDs) and each exposure's form priors, the
    form's defaults updated with the spec's overrides (what the model is built with).
    """
    return {
        "global": spec.global_priors(),
        "exposures": {name: spec.exposure_priors(name) for name in spec.exposures},
    }


def prior_text(prior: dict[str, Any]) -> str:
    """``{"dist": "HalfNormal", "sigma": 0.3}`` -> ``HalfNormal(sigma=0.3)``."""
    args = ", ".join(
        f"{k}={v:g}" if isinstance(v, float | int) else f"{k}={v}"
        for k, v in prior.items()
        if k != "dist"
    )
    return f"{prior.get('dist', '?')}({args})"


def priors_lines(priors: dict[str, Any]) -> list[str]:
    """A short table of the priors in force, one term a line."""
    rows = [("global", term, p) for term, p in (priors.get("global") or {}).items()]
    for exposure, terms in (priors.get("exposures") or {}).items():
        rows += [(exposure, term, p) for term, p in terms.items()]
    if not rows:
        return []
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    return [f"  {a:<{w0}}  {b:<{w1}}  {prior_text(p)}" for a, b, p in rows]
