"""Simulation-based calibration driver: writes reports/sbc/.

For each model (a shipped spec name, or ``small`` = the reduced HSGP model the CI test
runs): build it on the exposures and covariates of a simulated cohort, draw parameters
and outcomes from its prior, fit each replicate with one nutpie-compiled model, and rank
the truth (``bayes_walk.checks.sbc``). Writes per model ``<out>/<model>/sbc.json``
(ranks, uniformity tests, timings) and ``ecdf.png`` (ECDF-difference plot with
simultaneous bands), and ``<out>/README.md`` with the table of all models.

Examples
--------
Small configuration (what CI runs, about 2 minutes on 2 cores)::

    python scripts/sbc.py --models small --replicates 100

Full configuration, every shipped spec (long; run in the background)::

    python scripts/sbc.py --models all --replicates 200 --n 1000

The measurement-error model (``gp`` with ``measurement = "days"`` on walking volume)::

    python scripts/sbc.py --models gp_days --replicates 100 --n 1000

and with the habit's population median on the covariates and the observed intensity
(``habit_covariates = true``)::

    python scripts/sbc.py --models gp_days_cov --replicates 100 --n 1000

and the same with the log-binomial likelihood (``likelihood = "bernoulli_log"``, the
likelihood the days model should use for a 0/1 outcome; docs/models.md)::

    python scripts/sbc.py --models gp_days_bern --replicates 100 --n 1000

``gp`` with its HSGP weights sampled through the data-informed transform (which ``"auto"``
picks only for large cohorts)::

    python scripts/sbc.py --models gp_informed --replicates 100 --n 1000
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

SMALL_SPEC = {
    "name": "small",
    "description": "reduced SBC model: HSGP volume curve, no covariates, no hierarchy",
    "exposures": {"walking_min": {"form": "hsgp", "reference": 78}},
}


def model_spec(name: str):
    """``small``, a shipped spec, ``<spec>_days``: that spec with ``measurement = "days"``
    on walking volume (issue 16's measurement-error model), ``<spec>_days_cov``: the same
    with ``habit_covariates = true``, ``<spec>_days_bern``: that with ``likelihood =
    "bernoulli_log"``, or ``<spec>_informed``: that
    spec with ``parametrisation = "informed"`` on every HSGP curve."""
    from bayes_walk.spec.model_spec import load_spec, spec_from_dict

    if name == "small":
        return spec_from_dict(dict(SMALL_SPEC))
    if name.endswith("_informed"):
        # every HSGP curve through the data-informed transform, whatever the cohort size
        d = model_spec(name.removesuffix("_informed")).to_dict()
        d["name"] = name
        for e in d["exposures"].values():
            if e.get("form") == "hsgp":
                e["parametrisation"] = "informed"
        return spec_from_dict(d)
    for suffix, cov, lik in (
        ("_days_bern", True, "bernoulli_log"),
        ("_days_cov", True, None),
        ("_days", False, None),
    ):
        if name.endswith(suffix):
            d = load_spec(name.removesuffix(suffix)).to_dict()
            d["name"] = name
            d["exposures"]["walking_min"]["measurement"] = "days"
            if cov:
                d["exposures"]["walking_min"]["habit_covariates"] = True
            if lik:
                d["likelihood"] = lik
            return spec_from_dict(d)
    return load_spec(name)


def run_one(name: str, args: argparse.Namespace) -> dict:
    import matplotlib

    matplotlib.use("Agg")
    from bayes_walk.atomic import write_atomic, write_text_atomic
    from bayes_walk.checks.sbc import run_sbc
    from bayes_walk.checks.sbc_plot import sbc_figure
    from bayes_walk.checks.sbc_spec import spec_sbc
    from bayes_walk.cohort.simulate import simulate_cohort

    spec = model_spec(name)
    from bayes_walk.model.measurement import uses_days

    # the measurement-error model reads the valid days of each participant
    cohort = simulate_cohort(n=args.n, seed=args.seed, keep_daily=bool(uses_days(spec)))
    t0 = time.perf_counter()
    setup = spec_sbc(
        spec,
        cohort,
        draws=args.draws,
        tune=args.tune,
        chains=args.chains,
        target_accept=args.target_accept,
    )
    setup.compiled()
    compile_s = time.perf_counter() - t0
    print(
        f"sbc {name}: compiled in {compile_s:.0f} s; quantities {setup.quantities}", file=sys.stderr
    )
    meta = {
        "model": name,
        "spec": spec.to_dict(),
        "n_participants": args.n,
        "cohort_seed": args.seed,
        "draws": args.draws,
        "tune": args.tune,
        "chains": args.chains,
        "target_accept": args.target_accept,
        "compile_seconds": compile_s,
    }
    result = run_sbc(
        setup, replicates=args.replicates, max_rank=args.max_rank, seed=args.seed, meta=meta
    )
    out = Path(args.out) / name
    summary = result.to_dict()
    write_text_atomic(out / "sbc.json", json.dumps(summary, indent=1))
    fig = sbc_figure(result, title=f"SBC of '{name}': {args.replicates} replicates, n = {args.n}")
    write_atomic(out / "ecdf.png", lambda p: fig.savefig(p, format="png", dpi=110))
    return summary


def write_index(out: Path, summaries: list[dict]) -> None:
    from bayes_walk.atomic import write_text_atomic

    lines = [
        "# Simulation-based calibration",
        "",
        "Generated by `scripts/sbc.py`. Each model is built on the exposures and covariates "
        "of a simulated cohort; parameters and outcomes are drawn from the model's own prior, "
        "each replicate is refitted with nutpie (one compiled model, data swapped), and the "
        "rank of the true value among thinned posterior draws is recorded. A correct model "
        "and sampler give uniform ranks. `passed`: every quantity's rank ECDF stays inside "
        "its simultaneous band and its chi-square histogram test passes (family-wise "
        "alpha = 0.01, Bonferroni over quantities and both tests).",
        "",
        "| model | n | replicates | quantity | chi2 p | ECDF in band | mean frac. rank | passed |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in summaries:
        m = s["meta"]
        for q in s["quantities"]:
            lines.append(
                f"| {m['model']} | {m['n_participants']} | {s['replicates']} | {q['quantity']} | "
                f"{q['chi2_p']:.3f} | {q['ecdf_inside_band']} | {q['mean_fractional_rank']:.3f} | "
                f"{q['passed']} |"
            )
    lines.append("")
    for s in summaries:
        m = s["meta"]
        lines.append(
            f"- **{m['model']}**: {'PASSED' if s['passed'] else 'FAILED'}; "
            f"{s['seconds']:.0f} s for {s['replicates']} replicates (+{m['compile_seconds']:.0f} s "
            f"compile); {s['divergent_replicates']} replicates with divergences; "
            f"{m['chains']} chains x {m['draws']} draws ({m['tune']} tune); "
            f"target acceptance {m.get('target_accept') or 0.8}; "
            f"figure `{m['model']}/ecdf.png`."
        )
    write_text_atomic(out / "README.md", "\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--models", default="small", help="comma list of spec names, 'small' or 'all'"
    )
    parser.add_argument("--replicates", type=int, default=100)
    parser.add_argument("--n", type=int, default=300, help="participants per simulated data set")
    parser.add_argument("--draws", type=int, default=300)
    parser.add_argument("--tune", type=int, default=300)
    parser.add_argument("--chains", type=int, default=2)
    parser.add_argument(
        "--target-accept",
        type=float,
        default=None,
        help="the step-size adaptation's target acceptance (default: nutpie's, 0.8)",
    )
    parser.add_argument("--max-rank", type=int, default=99)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="reports/sbc")
    args = parser.parse_args(argv)
    if args.target_accept is not None and not 0 < args.target_accept < 1:
        parser.error(f"--target-accept must lie in (0, 1), got {args.target_accept}")
    if args.models == "all":
        from bayes_walk.spec.model_spec import shipped_specs

        names = ["small", *shipped_specs()]
    else:
        names = [m.strip() for m in args.models.split(",") if m.strip()]
    out = Path(args.out)
    summaries = []
    for name in names:
        summaries.append(run_one(name, args))
        # Keep the index current while long runs go on, merging earlier results.
        merged = {}
        for path in sorted(out.glob("*/sbc.json")):
            merged[path.parent.name] = json.loads(path.read_text())
        write_index(out, list(merged.values()))
    return 0 if all(s["passed"] for s in summaries) else 1


if __name__ == "__main__":
    sys.exit(main())
