"""The main job end to end on the embedded default: simulate, fit, check, compare, report.

``run_demo`` simulates the paper-calibrated cohort (n = 11,194, truth ``paper``), fits the
Table 2 quartile models (``quartiles`` for volume, ``quartiles_mets`` for intensity), the
curve models ``rcs``, ``gp`` and ``changepoint``, and the 16-cell ``joint`` model (Table 3),
and writes the report (predictive checks
and LOO comparison included) to ``reports/demo/`` by default.

Sampler settings: 2 chains per model (one per core of a 2-core machine), each with its
spec's own warm-up and draws (``gp`` 800 + 1500, ``changepoint`` 1000 + 3000, the others
1000 + 1000): those are the settings the robustness study found clean on 20 cohorts
(reports/robustness/); a fixed 1000 + 1000 for every model left ``gp`` and ``changepoint``
with tail ESS below 400 in the demo. Every fit's diagnostics (R-hat, ESS, divergences) are
shown in the report, which also records the measured time of every step. Use
``--chains/--draws/--tune`` to override them for every model.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

DEFAULT_OUT = os.path.join("reports", "demo")
DEFAULT_MODELS: tuple[str, ...] = (
    "quartiles",
    "quartiles_mets",
    "rcs",
    "gp",
    "changepoint",
    "joint",
)
DEMO_CHAINS = 2


def _say(msg: str, t0: float) -> None:
    print(f"[demo {time.perf_counter() - t0:6.1f} s] {msg}", file=sys.stderr, flush=True)


def run_demo(
    out: str | os.PathLike[str] = DEFAULT_OUT,
    *,
    n: int = 11194,
    seed: int = 0,
    truth: str = "paper",
    models: Sequence[str] = DEFAULT_MODELS,
    chains: int = DEMO_CHAINS,
    draws: int | None = None,
    tune: int | None = None,
    sampler: str | None = None,
) -> dict[str, Path]:
    """Simulate, fit ``models``, check, compare and report into ``out``.

    Parameters
    ----------
    out
        Output folder: ``cohort.nc``, ``fits/<model>.nc`` and the report
        (``index.html``, ``report.md``, ``figures/``).
    n, seed, truth
        Simulated cohort (see :func:`bayes_walk.cohort.simulate.simulate_cohort`).
    models
        Shipped model names (or spec paths) to fit.
    chains, draws, tune, sampler
        Sampler settings for every model (defaults: 2 chains, each spec's own draws, tune
        and backend).

    Returns
    -------
    dict
        Paths of the report files.
    """
    from bayes_walk.atomic import atomic_folder
    from bayes_walk.inference.settings import SamplerSettings
    from bayes_walk.spec.model_spec import load_spec

    t0 = time.perf_counter()
    load0 = os.getloadavg()[0]
    out = Path(out)
    specs = [load_spec(m) for m in models]  # bad model names fail before anything is written
    # each spec's own tune/draws unless overridden; bad settings also fail before any write
    settings = {
        spec.name: SamplerSettings.resolve(
            spec, chains=chains, draws=draws, tune=tune, sampler=sampler, seed=seed
        )
        for spec in specs
    }
    # Built in a temporary sibling and swapped in at the end: a kill or a full disk leaves
    # the old folder (or none), and a rerun never mixes old and new files.
    with atomic_folder(out) as work:
        paths = _run_into(
            work,
            out,
            specs,
            t0=t0,
            load0=load0,
            n=n,
            seed=seed,
            truth=truth,
            chains=chains,
            settings=settings,
        )
    paths = {k: out / Path(v).relative_to(work) for k, v in paths.items()}
    _say(f"demo finished in {time.perf_counter() - t0:.1f} s; open {paths['html']}", t0)
    return paths


def _run_into(
    out: Path, final: Path, specs, *, t0, load0, n, seed, truth, chains, settings
) -> dict[str, Path]:
    """Simulate, fit, check and write the report into ``out`` (the temporary folder)."""
    from bayes_walk.cohort.simulate import simulate_cohort
    from bayes_walk.cohort.store import save_cohort
    from bayes_walk.inference.fit import fit
    from bayes_walk.reporting.build import (
        build_sections,
        intro_lines,
        load_fits,
        timing_section,
        write_report,
    )
    from bayes_walk.results import save_fit
    from bayes_walk.spec.model_spec import validate_spec

    timings: dict[str, float] = {}
    _say(f"simulating a paper-calibrated cohort: n = {n:,}, truth '{truth}', seed {seed}", t0)
    t = time.perf_counter()
    cohort = simulate_cohort(n, seed=seed, truth=truth)
    for spec in specs:
        validate_spec(spec, cohort)
    # the fits record the final path; the report finds the cohort beside fits/ meanwhile
    cohort_path = final / "cohort.nc"
    save_cohort(cohort, out / "cohort.nc")
    timings["simulate cohort"] = time.perf_counter() - t
    fit_paths = []
    for i, spec in enumerate(specs, 1):
        st = settings[spec.name]
        _say(
            f"fitting model {i}/{len(specs)} '{spec.name}' ({st.chains} x {st.tune}+{st.draws})", t0
        )
        t = time.perf_counter()
        idata = fit(
            spec,
            cohort,
            chains=st.chains,
            draws=st.draws,
            tune=st.tune,
            sampler=st.backend,
            seed=st.seed,
            cohort_path=str(cohort_path),
        )
        path = out / "fits" / f"{spec.name}.nc"
        save_fit(idata, path)
        timings[f"fit {spec.name}"] = time.perf_counter() - t
        fit_paths.append(path)
        _say(f"'{spec.name}' done in {timings[f'fit {spec.name}']:.1f} s -> {path}", t0)
    _say("predictive checks, LOO comparison and report", t0)
    t = time.perf_counter()
    intro = [
        f"Demo: a simulated cohort of {n:,} participants calibrated to Haddadj et al. 2025 "
        f"(truth '{truth}', seed {seed}), each model fitted with {chains} chains x "
        f"(tuning + draws): {', '.join(f'{k} {v.tune} + {v.draws}' for k, v in settings.items())}.",
        f"Machine: {os.cpu_count()} CPU cores; 1-minute load average {load0:.1f} at the "
        f"start and {os.getloadavg()[0]:.1f} at the end of fitting (a load above the core "
        "count means other work shared the machine and the times below are inflated). "
        "Total run time is in the 'Run time' section.",
    ]
    fits = load_fits(fit_paths)
    sections = build_sections(fits)
    timings["report (checks, LOO, figures)"] = time.perf_counter() - t
    sections.append(timing_section(timings))
    paths = write_report(
        sections, out, title="bayes_walk demo report", intro=intro_lines(fits, intro)
    )
    return paths
