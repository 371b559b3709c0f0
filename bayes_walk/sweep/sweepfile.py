"""The sweep file (DESIGN "Sweep file"): read and validate it into a :class:`SweepPlan`.

Every rule broken raises :class:`SweepError` naming the file, the key and the rule. A spec
that cannot be loaded is not a sweep error: its tasks are recorded as failed and the
other specs run (a sweep of twenty analyses should not die of one typo).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bayes_walk.errors import BayesWalkError

TOP_KEYS = (
    "name",
    "description",
    "replicates",
    "keep_fits",
    "reuse_models",
    "cohorts",
    "variants",
    "models",
    "fit",
    "estimands",
)
COHORT_KEYS = ("files", "simulate")
SIMULATE_KEYS = ("n", "truth", "seeds", "seed", "exposure_on")
VARIANT_KEYS = ("name", "min_valid_days", "exclude", "exclude_if", "outcome", "adjust_extra")
MODEL_KEYS = ("specs",)
SPEC_ENTRY_KEYS = ("spec", "label", "set")
FIT_KEYS = ("chains", "draws", "tune", "seed", "sampler", "target_accept")
ESTIMAND_KEYS = ("exposure", "rr_at", "near", "within", "averaged")
RULE = re.compile(r"^\s*(>=|<=|==|!=|>|<)?\s*(.+?)\s*$")


class SweepError(BayesWalkError):
    """A sweep file (or sweep folder) that breaks a rule; names file, key and rule."""


@dataclass(frozen=True)
class CohortSource:
    """One cohort: a file, or a simulation recipe (n, truth, seed)."""

    label: str
    kind: str  # "file" | "simulate"
    path: str | None = None
    n: int | None = None
    truth: str | None = None
    seed: int | None = None
    # what the simulated outcome acts on (simulate_cohort's exposure_on)
    exposure_on: str = "observed"
    # simulate the daily series too (a spec with measurement = "days" needs them)
    daily: bool = False

    def recipe(self) -> dict[str, Any]:
        """The recipe without the seed: tasks of one recipe share model designs."""
        if self.kind == "file":
            return {"file": self.path}
        r: dict[str, Any] = {"n": self.n, "truth": self.truth}
        if self.exposure_on != "observed":  # older sweeps' task keys stay as they were
            r["exposure_on"] = self.exposure_on
        return {"simulate": r}


@dataclass(frozen=True)
class Variant:
    """An analysis variant: filters, outcome swap and extra adjustment."""

    name: str
    min_valid_days: int | None = None
    exclude: tuple[tuple[str, str, Any], ...] = ()  # (variable, operator, value)
    exclude_if: tuple[str, ...] = ()
    outcome: str | None = None
    adjust_extra: tuple[str, ...] = ()

    def to_json(self) -> str:
        """Canonical JSON (part of a task's identity)."""
        return json.dumps(
            {
                "name": self.name,
                "min_valid_days": self.min_valid_days,
                "exclude": [list(r) for r in self.exclude],
                "exclude_if": list(self.exclude_if),
                "outcome": self.outcome,
                "adjust_extra": list(self.adjust_extra),
            },
            sort_keys=True,
        )


@dataclass(frozen=True)
class SpecEntry:
    """A model spec of the sweep: loaded, or the error that stopped it loading."""

    label: str
    spec: Any = None  # ModelSpec
    error: str | None = None
    source: str = ""  # text identifying the spec when it failed to load


@dataclass(frozen=True)
class SweepPlan:
    """Everything a sweep file says."""

    path: str
    name: str
    cohorts: tuple[CohortSource, ...]
    variants: tuple[Variant, ...]
    specs: tuple[SpecEntry, ...]
    replicates: int = 1
    fit: dict[str, Any] = field(default_factory=dict)
    estimands: dict[str, Any] = field(default_factory=dict)
    keep_fits: bool = True
    # False: every task is a one-off fit with its own cohort's designs, exactly what
    # `bayes-walk fit` does on that cohort (robustness studies of the defaults)
    reuse_models: bool = True


def _err(path: Path, key: str, rule: str) -> SweepError:
    return SweepError(f"{path}: [{key}] {rule}")


def _unknown(d: dict, allowed: tuple[str, ...], path: Path, key: str) -> None:
    bad = sorted(set(d) - set(allowed))
    if bad:
        raise _err(path, key, f"unknown key(s) {', '.join(bad)}; allowed: {', '.join(allowed)}")


def _posint(v: Any, path: Path, key: str, minimum: int = 1) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < minimum:
        raise _err(path, key, f"must be an integer >= {minimum}, got {v!r}")
    return v


def _str_list(v: Any, path: Path, key: str) -> tuple[str, ...]:
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, list) or not v or not all(isinstance(s, str) and s for s in v):
        raise _err(path, key, f"must be a name or a non-empty list of names, got {v!r}")
    return tuple(v)


def _cohorts(d: Any, path: Path) -> tuple[CohortSource, ...]:
    if not isinstance(d, dict):
        raise _err(path, "cohorts", "is required: files = [...] or simulate = {n, truth, seeds}")
    _unknown(d, COHORT_KEYS, path, "cohorts")
    if ("files" in d) == ("simulate" in d):
        raise _err(path, "cohorts", "give exactly one of files = [...] or simulate = {...}")
    if "files" in d:
        out = []
        for f in _str_list(d["files"], path, "cohorts.files"):
            p = Path(f) if Path(f).is_absolute() else path.parent / f
            if not p.is_file():
                raise _err(path, "cohorts.files", f"cohort file {p} not found")
            out.append(CohortSource(label=p.stem, kind="file", path=str(p.resolve())))
        if len({c.label for c in out}) != len(out):
            raise _err(path, "cohorts.files", "two cohort files have the same name")
        return tuple(out)
    recipes = d["simulate"]
    if isinstance(recipes, dict):
        return _recipe(recipes, path, "cohorts.simulate")
    if not isinstance(recipes, list) or not recipes:
        raise _err(path, "cohorts.simulate", "must be a table {n, truth, seeds} or a list of them")
    out = sum((_recipe(r, path, f"cohorts.simulate[{i}]") for i, r in enumerate(recipes)), ())
    if len({c.label for c in out}) != len(out):
        raise _err(path, "cohorts.simulate", "two recipes give the same cohort (n, truth, seed)")
    return out


def _recipe(s: Any, path: Path, key: str) -> tuple[CohortSource, ...]:
    if not isinstance(s, dict):
        raise _err(path, key, "must be a table {n, truth, seeds}")
    _unknown(s, SIMULATE_KEYS, path, key)
    n = _posint(s.get("n", 11194), path, f"{key}.n")
    truth = s.get("truth", "paper")
    if not isinstance(truth, str):
        raise _err(path, f"{key}.truth", f"must be a string, got {truth!r}")
    from bayes_walk.cohort.truth import TruthError, parse_truth

    try:
        parse_truth(truth)
    except TruthError as exc:
        raise _err(path, f"{key}.truth", str(exc)) from exc
    seeds = s.get("seeds", [s.get("seed", 0)])
    if not isinstance(seeds, list) or not seeds:
        raise _err(path, f"{key}.seeds", f"must be a non-empty list, got {seeds!r}")
    seeds = [_posint(x, path, f"{key}.seeds", 0) for x in seeds]
    if len(set(seeds)) != len(seeds):
        raise _err(path, f"{key}.seeds", "seeds repeat")
    from bayes_walk.cohort.sim_population import EXPOSURE_ON

    on = s.get("exposure_on", "observed")
    if on not in EXPOSURE_ON:
        raise _err(path, f"{key}.exposure_on", f"must be one of {', '.join(EXPOSURE_ON)}: {on!r}")
    tag = truth.replace(":", "") + ("" if on == "observed" else f"-{on}")
    return tuple(
        CohortSource(f"sim-{tag}-n{n}-s{x}", "simulate", n=n, truth=truth, seed=x, exposure_on=on)
        for x in seeds
    )


def _rule(var: str, text: Any, path: Path, key: str) -> tuple[str, str, Any]:
    if isinstance(text, bool):
        return (var, "==", int(text))
    if isinstance(text, (int, float)):
        return (var, "==", text)
    m = RULE.match(str(text)) if isinstance(text, str) else None
    if not m:
        raise _err(path, key, f"rule for '{var}' must be like \">= 70\" or a level, got {text!r}")
    op, value = m.group(1) or "==", m.group(2)
    try:
        value = float(value)
    except ValueError:
        if op not in ("==", "!="):
            raise _err(path, key, f"'{var}': {op} needs a number, got {value!r}") from None
        value = value.strip("\"'")
    return (var, op, value)


def _variants(v: Any, path: Path) -> tuple[Variant, ...]:
    if v is None:
        return (Variant(name="main"),)
    if not isinstance(v, list) or not v:
        raise _err(path, "variants", "must be a list of [[variants]] tables")
    out = []
    for i, d in enumerate(v):
        key = f"variants[{i}]"
        if not isinstance(d, dict) or not isinstance(d.get("name"), str) or not d["name"]:
            raise _err(path, key, "every variant needs a name")
        _unknown(d, VARIANT_KEYS, path, key)
        mvd = d.get("min_valid_days")
        if mvd is not None:
            mvd = _posint(mvd, path, f"{key}.min_valid_days")
            if mvd > 7:
                raise _err(path, f"{key}.min_valid_days", f"at most 7 days, got {mvd}")
        ex = d.get("exclude", {})
        if not isinstance(ex, dict):
            raise _err(path, f"{key}.exclude", 'must be a table like {age = ">= 70"}')
        rules = tuple(_rule(k, t, path, f"{key}.exclude") for k, t in ex.items())
        exif = _str_list(d["exclude_if"], path, f"{key}.exclude_if") if "exclude_if" in d else ()
        outcome = d.get("outcome")
        if outcome is not None and (not isinstance(outcome, str) or not outcome):
            raise _err(path, f"{key}.outcome", f"must be a variable name, got {outcome!r}")
        extra = (
            _str_list(d["adjust_extra"], path, f"{key}.adjust_extra") if "adjust_extra" in d else ()
        )
        out.append(Variant(d["name"], mvd, rules, exif, outcome, extra))
    names = [x.name for x in out]
    if len(set(names)) != len(names):
        raise _err(path, "variants", f"variant names repeat: {names}")
    return tuple(out)


def _set_dotted(d: dict, dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    for k in keys[:-1]:
        d = d.setdefault(k, {})
    d[keys[-1]] = value


def _spec_entry(entry: Any, path: Path, key: str) -> SpecEntry:
    from bayes_walk.spec.model_spec import load_spec, spec_from_dict

    if isinstance(entry, str):
        entry = {"spec": entry}
    if not isinstance(entry, dict) or not isinstance(entry.get("spec"), str):
        raise _err(
            path, key, f"must be a spec name/path or {{spec = ..., set = {{...}}}}: {entry!r}"
        )
    _unknown(entry, SPEC_ENTRY_KEYS, path, key)
    name = entry["spec"]
    p = Path(name)
    if p.suffix == ".toml" and not p.is_absolute():
        name = str(path.parent / p)
    label = entry.get("label") or Path(entry["spec"]).stem
    overrides = entry.get("set", {})
    if not isinstance(overrides, dict):
        raise _err(path, f"{key}.set", "must be a table of dotted keys")
    try:
        spec = load_spec(name)
        if overrides:
            d = copy.deepcopy(spec.to_dict())
            for k, v in overrides.items():
                _set_dotted(d, k, v)
            spec = spec_from_dict(d, source=f"{path} [{key}]")
        return SpecEntry(label=label, spec=spec)
    except BayesWalkError as exc:
        src = Path(name).read_text("utf-8", "replace") if Path(name).is_file() else name
        return SpecEntry(label=label, error=str(exc), source=src + json.dumps(overrides))


def _specs(m: Any, path: Path) -> tuple[SpecEntry, ...]:
    if not isinstance(m, dict) or "specs" not in m:
        raise _err(path, "models", 'is required: specs = ["gp", ...]')
    _unknown(m, MODEL_KEYS, path, "models")
    specs = m["specs"]
    if isinstance(specs, str):
        specs = [specs]
    if not isinstance(specs, list) or not specs:
        raise _err(path, "models.specs", "must be a non-empty list")
    out = tuple(_spec_entry(e, path, f"models.specs[{i}]") for i, e in enumerate(specs))
    labels = [e.label for e in out]
    if len(set(labels)) != len(labels):
        raise _err(path, "models.specs", f"spec labels repeat: {labels}; give each a label")
    return out


def _fit(f: Any, path: Path) -> dict[str, Any]:
    if f is None:
        return {}
    if not isinstance(f, dict):
        raise _err(path, "fit", "must be a table")
    _unknown(f, FIT_KEYS, path, "fit")
    out = dict(f)
    for k in ("chains", "draws"):
        if k in out:
            _posint(out[k], path, f"fit.{k}")
    for k in ("tune", "seed"):
        if k in out:
            _posint(out[k], path, f"fit.{k}", 0)
    if "target_accept" in out and not 0 < float(out["target_accept"]) < 1:
        raise _err(path, "fit.target_accept", "must be in (0, 1)")
    return out


def _estimands(e: Any, path: Path) -> dict[str, Any]:
    out: dict[str, Any] = {"exposure": "walking_min", "rr_at": [125.0], "near": 100.0}
    out["within"] = 10.0
    if e is None:
        return out
    if not isinstance(e, dict):
        raise _err(path, "estimands", "must be a table")
    _unknown(e, ESTIMAND_KEYS, path, "estimands")
    out.update(e)
    rr = out["rr_at"]
    if not isinstance(rr, list) or not all(isinstance(x, (int, float)) for x in rr):
        raise _err(path, "estimands.rr_at", f"must be a list of numbers, got {rr!r}")
    out["rr_at"] = [float(x) for x in rr]
    if "averaged" in out:
        if not isinstance(out["averaged"], bool):
            raise _err(
                path, "estimands.averaged", f"must be true or false, got {out['averaged']!r}"
            )
        if not out["averaged"]:
            del out["averaged"]  # the default: older sweeps' task keys stay as they were
    return out


def load_sweep(path: str | Path) -> SweepPlan:
    """Read and validate a sweep file.

    Raises
    ------
    SweepError
        Missing file, invalid TOML, unknown keys, bad values (names the key and rule).
    """
    p = Path(path)
    if not p.is_file():
        raise SweepError(f"{p}: sweep file not found")
    try:
        d = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SweepError(f"{p}: not valid TOML ({exc})") from exc
    _unknown(d, TOP_KEYS, p, "top level")
    reps = _posint(d.get("replicates", 1), p, "replicates")
    keep = d.get("keep_fits", True)
    if not isinstance(keep, bool):
        raise _err(p, "keep_fits", f"must be true or false, got {keep!r}")
    reuse = d.get("reuse_models", True)
    if not isinstance(reuse, bool):
        raise _err(p, "reuse_models", f"must be true or false, got {reuse!r}")
    from bayes_walk.model.measurement import uses_days

    specs = _specs(d.get("models"), p)
    cohorts = _cohorts(d.get("cohorts"), p)
    if any(e.spec is not None and uses_days(e.spec) for e in specs):
        cohorts = tuple(dataclasses.replace(c, daily=c.kind == "simulate") for c in cohorts)
    return SweepPlan(
        path=str(p),
        name=str(d.get("name", p.stem)),
        cohorts=cohorts,
        variants=_variants(d.get("variants"), p),
        specs=specs,
        replicates=reps,
        fit=_fit(d.get("fit"), p),
        estimands=_estimands(d.get("estimands"), p),
        keep_fits=keep,
        reuse_models=reuse,
    )
