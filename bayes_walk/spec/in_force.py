"""The priors in force: the defaults merged with a spec's overrides, as data and as text."""

from __future__ import annotations

from typing import Any


def priors_in_force(spec) -> dict[str, Any]:
    """``{"global": term -> prior, "exposures": exposure -> term -> prior}`` for ``spec``.

    Global priors (intercept, covariates, group SDs) and each exposure's form priors, the
    form's defaults updated with the spec's overrides (what the model is built with); for
    an exposure with ``measurement = "days"`` also its day model's (:func:`day_model_priors`).
    """
    exposures = {name: spec.exposure_priors(name) for name in spec.exposures}
    for name, e in spec.exposures.items():
        if e.measurement == "days":
            exposures[name] = {**exposures[name], **day_model_priors(e.habit_covariates)}
    return {"global": spec.global_priors(), "exposures": exposures}


def day_model_priors(covariates: bool) -> dict[str, Any]:
    """The priors of a ``measurement = "days"`` exposure's day model and habit population
    (fixed, not set by the spec; :mod:`bayes_walk.model.measurement`). ``habit_mu`` is
    centred on the cohort's mean log day, known only with the data."""
    from bayes_walk.model import habit_population as population
    from bayes_walk.model import measurement

    out: dict[str, Any] = {
        "habit_mu": {
            "dist": "Normal",
            "mu": "mean log day",
            "sigma": measurement.PRIORS["habit_mu_sd"]["sigma"],
        },
        "habit_sd": measurement.PRIORS["habit_sd"],
        "habit_shape": population.PRIORS["habit_shape"],
        "day_sd": measurement.PRIORS["day_sd"],
    }
    if covariates:
        out["habit_beta"] = population.PRIORS["habit_beta"]
    return out


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
