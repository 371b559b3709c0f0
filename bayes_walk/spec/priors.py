"""Prior specifications as plain dicts, merged with spec overrides and turned into PyMC RVs.

A prior is a dict ``{"dist": "HalfNormal", "sigma": 0.3}``; a spec may override a term's
prior wholesale (give ``dist``) or only some parameters (omit ``dist``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bayes_walk.errors import SpecError

# Distribution name -> allowed parameter names (all floats).
DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "Normal": ("mu", "sigma"),
    "HalfNormal": ("sigma",),
    "Exponential": ("lam",),
    "LogNormal": ("mu", "sigma"),
    "InverseGamma": ("alpha", "beta"),
    "Gamma": ("alpha", "beta"),
    "StudentT": ("nu", "mu", "sigma"),
    "HalfStudentT": ("nu", "sigma"),
}
POSITIVE: frozenset[str] = frozenset(
    {"HalfNormal", "Exponential", "LogNormal", "InverseGamma", "Gamma", "HalfStudentT"}
)


def merge_priors(
    defaults: Mapping[str, Mapping[str, Any]],
    overrides: Mapping[str, Mapping[str, Any]] | None,
    where: str,
) -> dict[str, dict[str, Any]]:
    """Defaults updated with spec overrides, validated.

    Parameters
    ----------
    defaults
        Term name -> prior dict.
    overrides
        Term name -> full prior dict (with ``dist``) or partial parameter update.
    where
        The path of the priors table itself, for error messages (e.g.
        ``exposures.walking_min.priors``); a term's path is ``<where>.<term>``.
    """
    out = {k: dict(v) for k, v in defaults.items()}
    for term, prior in (overrides or {}).items():
        if term not in out:
            raise SpecError(
                f"{where}: unknown prior '{term}'; this term has priors: {', '.join(sorted(out)) or 'none'}"
            )
        if not isinstance(prior, Mapping):
            raise SpecError(
                f"{where}: prior '{term}' must be a table like {{dist = 'Normal', sigma = 1}}"
            )
        if "dist" in prior:
            new = dict(prior)
            positive = defaults[term]["dist"] in POSITIVE
            kind = "positive" if positive else "real-valued"
            fitting = [d for d in DISTRIBUTIONS if (d in POSITIVE) == positive]
            if new["dist"] not in DISTRIBUTIONS:
                raise SpecError(
                    f"{where}.{term}: distribution {new['dist']!r} is not supported; "
                    f"supported for this {kind} parameter: {', '.join(fitting)}"
                )
            if (new["dist"] in POSITIVE) != positive:
                raise SpecError(
                    f"{where}.{term}: {new['dist']} is not a {kind} distribution; "
                    f"use one of {', '.join(fitting)}"
                )
        else:
            new = {**out[term], **prior}
        out[term] = check_prior(new, f"{where}.{term}")
    return out


def check_prior(prior: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Validate one prior dict; returns a clean copy."""
    dist = prior.get("dist")
    if dist not in DISTRIBUTIONS:
        raise SpecError(
            f"{where}: unknown distribution {dist!r}; known: {', '.join(DISTRIBUTIONS)}"
        )
    allowed = DISTRIBUTIONS[dist]
    params = {k: v for k, v in prior.items() if k != "dist"}
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise SpecError(
            f"{where}: {dist} has no parameter {', '.join(unknown)}; it takes {', '.join(allowed)}"
        )
    missing = [p for p in allowed if p not in params and not (p == "mu" and dist == "StudentT")]
    if missing:
        raise SpecError(f"{where}: {dist} needs {', '.join(missing)}")
    for k, v in params.items():
        if not isinstance(v, int | float) or isinstance(v, bool):
            raise SpecError(f"{where}: parameter {k} must be a number, got {v!r}")
        if k != "mu" and v <= 0:
            raise SpecError(f"{where}: parameter {k} must be > 0, got {v}")
    return {"dist": dist, **{k: float(v) for k, v in params.items()}}


def make_rv(name: str, prior: Mapping[str, Any], dims: str | Sequence[str] | None = None):
    """Create the PyMC random variable ``name`` from a prior dict (inside a model context)."""
    import pymc as pm

    cls = getattr(pm, prior["dist"])
    params = {k: v for k, v in prior.items() if k != "dist"}
    return cls(name, **params, dims=dims)


def describe(prior: Mapping[str, Any]) -> str:
    """Human-readable form, e.g. ``HalfNormal(sigma=0.3)``."""
    params = ", ".join(f"{k}={v:g}" for k, v in prior.items() if k != "dist")
    return f"{prior['dist']}({params})"
