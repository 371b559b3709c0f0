"""Model specs: TOML files parsed into frozen dataclasses and validated against a cohort.

Shipped specs are looked up by name in ``bayes_walk/data/models/``, a link to the
repository's ``models/`` folder (the one copy; a wheel packs the files).
"""

from __future__ import annotations

import difflib
import json
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from bayes_walk.errors import SpecError
from bayes_walk.model.forms import FORMS, get_form, strata_forms
from bayes_walk.spec.priors import merge_priors

LIKELIHOODS: tuple[str, ...] = ("poisson", "bernoulli_log")
# Stratifiers derived from other variables rather than stored in the cohort.
DERIVED_STRATIFIERS: dict[str, tuple[str, ...]] = {"age65": ("<65", ">=65")}
GLOBAL_PRIORS: dict[str, dict[str, Any]] = {
    # log baseline risk at average covariates: exp(-2) = 0.14, 95% within 0.003..7 (wide)
    "intercept": {"dist": "Normal", "mu": -2.0, "sigma": 2.0},
    # covariate log-RRs (age per SD): RR 95% within 0.14..7
    "covariates": {"dist": "Normal", "mu": 0.0, "sigma": 1.0},
    # SD of the varying intercepts on the log scale
    "group_sd": {"dist": "HalfNormal", "sigma": 0.3},
}

_TOP_KEYS = (
    "name",
    "description",
    "outcome",
    "likelihood",
    "offset",
    "adjust",
    "exposures",
    "hierarchy",
    "sampler",
    "priors",
)
_EXPOSURE_KEYS = ("form", "reference", "priors", "measurement", "habit_covariates")
# how an exposure is measured: the observed mean, or latent habit measured by its days
MEASUREMENTS = ("observed", "days")
_HIERARCHY_KEYS = ("intercept_by", "curve_by", "curve_exposures")
_SAMPLER_KEYS = ("backend", "chains", "draws", "tune", "target_accept", "seed")


@dataclass(frozen=True)
class ExposureSpec:
    """How one exposure enters the model.

    ``reference`` is a number or a percentile string ``"pNN"`` of the exposure.
    ``options`` are the form's options (its ``Form.options``); ``priors`` the spec's
    overrides of its ``Form.default_priors``. ``measurement`` is ``"observed"`` (the
    curve acts on the observed mean) or ``"days"`` (on a latent habitual value of which
    the valid days are noisy measurements; :mod:`bayes_walk.model.measurement`).
    ``habit_covariates`` (with ``"days"``; default true there) lets the population median
    of that latent value depend on the adjustment covariates and the other observed
    exposures (``habit_beta_<e>``), as regression calibration asks
    (:mod:`bayes_walk.model.habit_predictors`).
    """

    form: str
    reference: float | str
    options: dict[str, Any] = field(default_factory=dict)
    priors: dict[str, dict[str, Any]] = field(default_factory=dict)
    measurement: str = "observed"
    habit_covariates: bool = False


@dataclass(frozen=True)
class HierarchySpec:
    """Varying intercepts and partially pooled stratum curves."""

    intercept_by: str | None = None
    curve_by: str | None = None
    curve_exposures: tuple[str, ...] | None = None


@dataclass(frozen=True)
class SamplerSpec:
    """Default sampler settings (command-line flags override them)."""

    backend: str = "nutpie"
    chains: int = 4
    draws: int = 1000
    tune: int = 1000
    # 0.85 for every spec (the shipped ones and a user's own): at 0.8 the HSGP fits had
    # occasional divergences from the lower tail of the lengthscale priors (docs/performance.md)
    target_accept: float = 0.85
    seed: int = 0


@dataclass(frozen=True)
class ModelSpec:
    """A whole model: outcome, likelihood, adjustment set, exposures, hierarchy, sampler."""

    name: str
    exposures: dict[str, ExposureSpec]
    outcome: str = "clbp"
    likelihood: str = "poisson"
    offset: str | None = None
    adjust: tuple[str, ...] = ()
    hierarchy: HierarchySpec = field(default_factory=HierarchySpec)
    sampler: SamplerSpec = field(default_factory=SamplerSpec)
    priors: dict[str, dict[str, Any]] = field(default_factory=dict)
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (TOML/JSON-able) that :func:`spec_from_dict` reads back."""
        d: dict[str, Any] = {
            "name": self.name,
            "description": self.description,
            "outcome": self.outcome,
            "likelihood": self.likelihood,
            "adjust": list(self.adjust),
            "exposures": {
                k: {
                    "form": e.form,
                    "reference": e.reference,
                    **e.options,
                    "priors": e.priors,
                    **({"measurement": e.measurement} if e.measurement != "observed" else {}),
                    **(
                        {"habit_covariates": False}
                        if e.measurement == "days" and not e.habit_covariates
                        else {}
                    ),
                }
                for k, e in self.exposures.items()
            },
            "hierarchy": {
                k: (list(v) if isinstance(v, tuple) else v)
                for k, v in vars(self.hierarchy).items()
                if v is not None
            },
            "sampler": dict(vars(self.sampler)),
            "priors": self.priors,
        }
        if self.offset is not None:
            d["offset"] = self.offset
        return d

    def to_json(self) -> str:
        """JSON text of :meth:`to_dict` (stored in fit.nc attrs)."""
        return json.dumps(self.to_dict(), sort_keys=True)

    def global_priors(self) -> dict[str, dict[str, Any]]:
        """Intercept, covariate and group-SD priors with the spec's overrides."""
        return merge_priors(GLOBAL_PRIORS, self.priors, "priors")

    def exposure_priors(self, exposure: str) -> dict[str, dict[str, Any]]:
        """The form's default priors for ``exposure`` with the spec's overrides."""
        e = self.exposures[exposure]
        return merge_priors(
            get_form(e.form).default_priors, e.priors, f"exposures.{exposure}.priors"
        )


def _unknown(keys, allowed, where: str) -> None:
    bad = [k for k in keys if k not in allowed]
    if bad:
        k = bad[0]
        close = difflib.get_close_matches(k, allowed, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise SpecError(f"{where}: unknown key '{k}'{hint}; allowed keys: {', '.join(allowed)}")


def _int(value: Any, where: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise SpecError(f"{where} must be an integer, got {value!r}")
    if value < minimum:
        raise SpecError(f"{where} must be >= {minimum}, got {value}")
    return value


def _parse_reference(value: Any, where: str) -> float | str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and value.startswith("p"):
        try:
            q = float(value[1:])
        except ValueError:
            q = -1.0
        if 0 <= q <= 100:
            return value
    raise SpecError(f"{where}.reference must be a number or a percentile like 'p10', got {value!r}")


def spec_from_dict(d: dict[str, Any], source: str = "spec") -> ModelSpec:
    """Parse and check a spec dict (the TOML content); raises :class:`SpecError`."""
    if not isinstance(d, dict):
        raise SpecError(f"{source}: a model spec must be a table")
    _unknown(d, _TOP_KEYS, source)
    name = d.get("name")
    if not isinstance(name, str) or not name:
        raise SpecError(f"{source}: 'name' (a non-empty string) is required")
    likelihood = d.get("likelihood", "poisson")
    if likelihood not in LIKELIHOODS:
        raise SpecError(
            f"{source}: likelihood must be one of {', '.join(LIKELIHOODS)}, got {likelihood!r}"
        )
    adjust = d.get("adjust", [])
    if not isinstance(adjust, list) or not all(isinstance(a, str) for a in adjust):
        raise SpecError(f"{source}: 'adjust' must be a list of covariate names")
    if len(set(adjust)) != len(adjust):
        raise SpecError(f"{source}: 'adjust' lists a covariate twice: {adjust}")

    raw_exp = d.get("exposures")
    if not isinstance(raw_exp, dict) or not raw_exp:
        raise SpecError(f"{source}: at least one [exposures.<name>] table is required")
    exposures: dict[str, ExposureSpec] = {}
    for ename, e in raw_exp.items():
        where = f"{source}: exposures.{ename}"
        if not isinstance(e, dict):
            raise SpecError(f"{where} must be a table")
        form = e.get("form")
        if form not in FORMS:
            close = difflib.get_close_matches(str(form), FORMS, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise SpecError(
                f"{where}: unknown form {form!r}{hint}; known forms: {', '.join(FORMS)}"
            )
        mod = get_form(form)
        _unknown(e, _EXPOSURE_KEYS + tuple(mod.options), where)
        if "reference" not in e:
            raise SpecError(
                f"{where}: 'reference' is required (a value or a percentile like 'p10')"
            )
        options = {k: v for k, v in e.items() if k in mod.options}
        mod.check_options(options, where)
        priors = e.get("priors", {})
        merge_priors(mod.default_priors, priors, f"{where}.priors")
        measurement = e.get("measurement", "observed")
        if measurement not in MEASUREMENTS:
            raise SpecError(
                f"{where}.measurement must be one of {', '.join(MEASUREMENTS)}, got {measurement!r}"
            )
        habit_covariates = e.get("habit_covariates", measurement == "days")
        if not isinstance(habit_covariates, bool):
            raise SpecError(
                f"{where}.habit_covariates must be true or false, got {habit_covariates!r}"
            )
        if habit_covariates and measurement != "days":
            raise SpecError(
                f'{where}.habit_covariates needs measurement = "days" (it shapes the '
                "population of the latent habit, which only that option has)"
            )
        exposures[ename] = ExposureSpec(
            form,
            _parse_reference(e["reference"], where),
            options,
            priors,
            measurement,
            habit_covariates,
        )
    for form in dict.fromkeys(e.form for e in exposures.values()):
        arity = get_form(form).arity
        members = [k for k, e in exposures.items() if e.form == form]
        if arity > 1 and len(members) != arity:
            raise SpecError(
                f"{source}: form '{form}' takes a set of exactly {arity} exposures, got {members}"
            )
    dupl = set(adjust) & set(exposures)
    if dupl:
        raise SpecError(f"{source}: {sorted(dupl)} is both an exposure and in 'adjust'")
    outcome = str(d.get("outcome", "clbp"))
    if outcome in adjust:
        raise SpecError(
            f"{source}: the outcome '{outcome}' is listed in 'adjust'; a model cannot adjust "
            "for its own outcome"
        )
    if outcome in exposures:
        raise SpecError(f"{source}: the outcome '{outcome}' is also an exposure")

    raw_h = d.get("hierarchy", {})
    _unknown(raw_h, _HIERARCHY_KEYS, f"{source}: hierarchy")
    ce = raw_h.get("curve_exposures")
    hierarchy = HierarchySpec(
        intercept_by=raw_h.get("intercept_by"),
        curve_by=raw_h.get("curve_by"),
        curve_exposures=tuple(ce) if ce is not None else None,
    )
    if hierarchy.curve_by is not None:
        targets = hierarchy.curve_exposures or tuple(exposures)
        for t in targets:
            if t not in exposures:
                raise SpecError(f"{source}: hierarchy.curve_exposures names unknown exposure '{t}'")
            if not get_form(exposures[t].form).supports_strata:
                ok = strata_forms()
                raise SpecError(
                    f"{source}: hierarchy.curve_by needs a form with stratum curves for '{t}' "
                    f"(form '{exposures[t].form}' has none; use one of {', '.join(ok)} or set "
                    "hierarchy.curve_exposures)"
                )

    raw_s = d.get("sampler", {})
    _unknown(raw_s, _SAMPLER_KEYS, f"{source}: sampler")
    default = SamplerSpec()  # the one home of the sampler defaults
    backend = raw_s.get("backend", default.backend)
    # the allowed backends are those of the sampler registry (light: imports no sampler)
    from bayes_walk.inference.samplers.registry import sampler_names

    if backend not in sampler_names():
        raise SpecError(
            f"{source}: sampler.backend must be one of {', '.join(sampler_names())}, "
            f"got {backend!r}"
        )
    ta = raw_s.get("target_accept", default.target_accept)
    if not isinstance(ta, int | float) or not 0 < ta < 1:
        raise SpecError(f"{source}: sampler.target_accept must be between 0 and 1, got {ta!r}")
    sampler = SamplerSpec(
        backend=backend,
        chains=_int(raw_s.get("chains", default.chains), f"{source}: sampler.chains", 1),
        draws=_int(raw_s.get("draws", default.draws), f"{source}: sampler.draws", 1),
        tune=_int(raw_s.get("tune", default.tune), f"{source}: sampler.tune", 0),
        target_accept=float(ta),
        seed=_int(raw_s.get("seed", default.seed), f"{source}: sampler.seed", 0),
    )
    priors = d.get("priors", {})
    merge_priors(GLOBAL_PRIORS, priors, f"{source}: priors")
    offset = d.get("offset")
    if offset is not None and not isinstance(offset, str):
        raise SpecError(f"{source}: offset must be a variable name such as 'followup_years'")
    if offset is not None and likelihood != "poisson":
        raise SpecError(f"{source}: an offset needs likelihood = 'poisson'")
    return ModelSpec(
        name=name,
        description=str(d.get("description", "")),
        outcome=str(d.get("outcome", "clbp")),
        likelihood=likelihood,
        offset=offset,
        adjust=tuple(adjust),
        exposures=exposures,
        hierarchy=hierarchy,
        sampler=sampler,
        priors=priors,
    )


def shipped_specs() -> list[str]:
    """Names of the specs shipped with bayes_walk."""
    return sorted(p.stem for p in _shipped_dir().glob("*.toml"))


def _shipped_dir() -> Path:
    # bayes_walk/data/models is a link to the repository's models/ (the one copy); a
    # wheel holds the files themselves
    return Path(str(resources.files("bayes_walk.data").joinpath("models")))


def load_spec(name_or_path: str | Path) -> ModelSpec:
    """Read a shipped spec by name (``"gp"``) or a TOML file by path.

    Raises
    ------
    SpecError
        Missing file, invalid TOML, or an invalid spec (the message names the rule).
    """
    p = Path(name_or_path)
    if p.suffix != ".toml" and not p.exists():
        candidate = _shipped_dir() / f"{name_or_path}.toml"
        if not candidate.exists():
            names = shipped_specs()
            close = difflib.get_close_matches(str(name_or_path), names, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise SpecError(
                f"no shipped model '{name_or_path}'{hint}; shipped: {', '.join(names)}; "
                "or give a path to a .toml file"
            )
        p = candidate
    if not p.is_file():
        raise SpecError(f"{p}: model spec file not found")
    try:
        d = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SpecError(f"{p}: not valid TOML ({exc})") from exc
    return spec_from_dict(d, source=str(p))


def resolve_reference(ref: float | str, x: np.ndarray) -> float:
    """A numeric reference value (percentile strings are taken of ``x``)."""
    if isinstance(ref, str):
        return float(np.percentile(x, float(ref[1:])))
    return float(ref)


def validate_spec(spec: ModelSpec, cohort) -> None:
    """Check that ``spec`` can be fitted to ``cohort``; raises :class:`SpecError`.

    Checks: outcome present and 0/1; every exposure, covariate, offset and grouping
    variable present (the message lists what the cohort has) and complete; exposure
    references inside the curve grid (the data's p1..p99); stratifiers categorical or derivable (``age65``).
    """
    from bayes_walk.cohort.schema import is_categorical

    per_participant = sorted(v for v in cohort.data_vars if cohort[v].dims == ("participant",))
    avail = ", ".join(per_participant)
    ids = np.asarray(cohort["participant"].values).astype(str)

    def need(var: str, what: str) -> np.ndarray:
        if var not in cohort.data_vars or cohort[var].dims != ("participant",):
            close = difflib.get_close_matches(var, per_participant, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise SpecError(
                f"{spec.name}: {what} '{var}' is not in the cohort{hint}; available: {avail}"
            )
        vals = np.asarray(cohort[var].values)
        if is_categorical(cohort, var):
            bad = vals < 0
        else:
            bad = ~np.isfinite(vals.astype(np.float64))
        if bad.any():
            first = ", ".join(ids[bad][:5])
            raise SpecError(
                f"{spec.name}: {what} '{var}' is missing for {int(bad.sum())} participants "
                f"(first ids: {first}); exclude them from the cohort first"
                + (
                    f", e.g. re-import with `bayes-walk import ... --require "
                    f"{','.join(spec.adjust)}` (import keeps "
                    "only participants with every required covariate)"
                    if what == "covariate" and var in spec.adjust
                    else ""
                )
            )
        return vals

    y = need(spec.outcome, "outcome")
    if not np.isin(y, (0, 1)).all():
        raise SpecError(f"{spec.name}: outcome '{spec.outcome}' must be 0/1")
    if spec.outcome in spec.adjust:
        raise SpecError(f"{spec.name}: the outcome '{spec.outcome}' is listed in 'adjust'")
    events = int(np.sum(y))
    if events == 0 or events == y.size:
        which = "no participant has" if events == 0 else "every participant has"
        raise SpecError(
            f"{spec.name}: {which} the outcome '{spec.outcome}' ({events} events among "
            f"{y.size} participants); a risk ratio cannot be estimated from such a cohort"
        )
    for a in spec.adjust:
        need(a, "covariate")
    if spec.offset:
        off = need(spec.offset, "offset").astype(np.float64)
        if (off <= 0).any():
            raise SpecError(f"{spec.name}: offset '{spec.offset}' must be > 0 (it enters as a log)")
    for name, e in spec.exposures.items():
        x = need(name, "exposure").astype(np.float64)
        ref = resolve_reference(e.reference, x)
        # the curve is estimated and reported on its grid, the data's p1..p99
        lo, hi = (float(v) for v in np.percentile(x, [1.0, 99.0]))
        if not lo <= ref <= hi:
            raise SpecError(
                f"{spec.name}: exposures.{name}.reference = {ref:g} lies outside the data "
                f"range of {name} the curve covers ({lo:.4g} to {hi:.4g}, its 1st to 99th "
                f"percentile; min {float(np.min(x)):.4g}, max {float(np.max(x)):.4g}); "
                "choose a reference inside it"
            )
        if np.unique(x).size < 5:
            raise SpecError(f"{spec.name}: exposure '{name}' has fewer than 5 distinct values")
    h = spec.hierarchy
    for what, var in (
        ("hierarchy.intercept_by", h.intercept_by),
        ("hierarchy.curve_by", h.curve_by),
    ):
        if var is None:
            continue
        if var in DERIVED_STRATIFIERS:
            need("age", f"{what} '{var}' needs covariate")
            continue
        need(var, what)
        if not is_categorical(cohort, var):
            raise SpecError(
                f"{spec.name}: {what} '{var}' must be a categorical variable "
                f"(or one of the derived stratifiers {', '.join(DERIVED_STRATIFIERS)})"
            )
