"""The task list of a sweep (cohorts x variants x specs x replicates) and task identity.

A task's identity is the SHA-256 of everything that decides its result: the cohort's
content, the variant, the spec (its canonical JSON), the sampler settings and seed, the
estimands asked for, and the package version. A cohort file is identified by
:func:`~bayes_walk.inference.fit.cohort_hash` of its content; a simulated cohort by its
recipe (n, truth, seed) and the package version, which determine its content (the
simulator is deterministic), so that a sweep of a thousand replicates does not simulate
every cohort on the client just to name it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from bayes_walk.sweep.sweepfile import CohortSource, SweepError, SweepPlan, Variant


@dataclass(frozen=True)
class Task:
    """One fit plus its estimands."""

    key: str
    cohort: CohortSource
    cohort_id: str
    variant: Variant
    spec_label: str
    spec: Any  # ModelSpec, or None when it failed to load
    spec_error: str | None
    replicate: int
    seed: int
    fit: dict[str, Any] = field(default_factory=dict)
    estimands: dict[str, Any] = field(default_factory=dict)
    structure: str = ""  # tasks with the same structure can share one compiled model
    reuse: bool = False  # whether another task of this sweep shares the structure
    design_cohort: CohortSource | None = None  # whose designs a reused model has
    keep_fit: bool = True  # write the fit file (off for studies that need the rows only)

    def describe(self) -> str:
        """Short human label for progress lines."""
        rep = f" r{self.replicate}" if self.replicate else ""
        return f"{self.cohort.label} / {self.variant.name} / {self.spec_label}{rep}"


def _sha(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()


def simulated_cohort_id(source: CohortSource, version: str) -> str:
    """Identity of a simulated cohort: its recipe and the simulator's version."""
    parts: list = ["simulate", source.n, source.truth, source.seed, version]
    if source.exposure_on != "observed":  # older sweeps' identities stay as they were
        parts.append(source.exposure_on)
    return _sha(parts)


def build_tasks(plan: SweepPlan, cohort_ids: dict[str, str], version: str) -> list[Task]:
    """Every task of ``plan``, ordered so that tasks sharing a model structure are adjacent.

    Parameters
    ----------
    plan
        The sweep file's plan.
    cohort_ids
        Cohort label -> content identity (see the module docstring).
    version
        The package version (part of every identity).
    """
    rows = []
    first_of_recipe: dict[str, CohortSource] = {}
    for cohort in plan.cohorts:
        first_of_recipe.setdefault(json.dumps(cohort.recipe(), sort_keys=True), cohort)
    for variant in plan.variants:
        for entry in plan.specs:
            spec_text = entry.spec.to_json() if entry.spec is not None else entry.source
            base_seed = plan.fit.get("seed")
            if base_seed is None:
                base_seed = entry.spec.sampler.seed if entry.spec is not None else 0
            fit = {k: v for k, v in plan.fit.items() if k != "seed"}
            for cohort in plan.cohorts:
                # A reused model's designs (HSGP boundary, spline knots, percentile
                # references, covariate scaling) come from the first cohort of its recipe,
                # whichever worker builds it; other recipes and variants get their own.
                design = first_of_recipe[json.dumps(cohort.recipe(), sort_keys=True)]
                structure = _sha([spec_text, variant.to_json(), cohort.recipe(), fit])[:16]
                for rep in range(plan.replicates):
                    rows.append(
                        (
                            variant,
                            entry,
                            spec_text,
                            cohort,
                            design,
                            structure,
                            rep,
                            int(base_seed) + rep,
                            fit,
                        )
                    )
    counts: dict[str, int] = {}
    for r in rows:
        counts[r[5]] = counts.get(r[5], 0) + 1
    tasks: list[Task] = []
    for variant, entry, spec_text, cohort, design, structure, rep, seed, fit in rows:
        reuse = plan.reuse_models and counts[structure] > 1 and entry.spec is not None
        key = _sha(
            {
                "cohort": cohort_ids[cohort.label],
                "variant": variant.to_json(),
                "spec": spec_text,
                "seed": seed,
                "fit": fit,
                "estimands": plan.estimands,
                "version": version,
                # the compiled path and the designs' cohort change the draws
                "reuse": cohort_ids[design.label] if reuse else None,
            }
        )[:32]
        tasks.append(
            Task(
                key=key,
                cohort=cohort,
                cohort_id=cohort_ids[cohort.label],
                variant=variant,
                spec_label=entry.label,
                spec=entry.spec,
                spec_error=entry.error,
                replicate=rep,
                seed=seed,
                fit=fit,
                estimands=dict(plan.estimands),
                structure=structure,
                reuse=reuse,
                design_cohort=design,
                keep_fit=plan.keep_fits,
            )
        )
    keys = [t.key for t in tasks]
    if len(set(keys)) != len(keys):
        raise SweepError(f"{plan.path}: two tasks of the sweep are identical (repeated rows?)")
    return tasks
