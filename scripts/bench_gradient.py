"""Time one log-density gradient of the default ``gp`` model (fused and plain strategies).

Builds both strategies of the shipped ``gp`` spec on a simulated cohort, compiles
``logp + dlogp`` with PyTensor's numba backend on frozen data (as a one-off nutpie fit
does), and reports the compile time and the median time per gradient over repeated
calls. Figures go to docs/performance.md, not into code comments.

``--days`` also times the same spec with ``measurement = "days"`` on walking volume (the
measurement-error model; its cohort keeps the daily series), as shipped and without the
habit population's predictors (``habit_covariates = false``). ``--log-binomial`` also
times the fused models with ``likelihood = "bernoulli_log"`` (``gp``, and with ``--days``
the measurement-error model).

Usage: python scripts/bench_gradient.py [--n 11194] [--calls 3000] [--plain] [--days]
       [--log-binomial]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np


def _compiled(model):
    import pytensor
    import pytensor.tensor as pt
    from pymc.model.transform.optimization import freeze_dims_and_data

    frozen = freeze_dims_and_data(model)
    logp = frozen.logp()
    values = frozen.value_vars
    grads = pt.grad(logp, values)
    return pytensor.function(values, [logp, *grads], mode="NUMBA"), frozen


def time_gradient(model, calls: int) -> dict:
    """Compile ``logp + dlogp`` of ``model`` (:func:`_compiled`) at a point near its initial
    point; compile time and the median and least ms per call over five batches of
    ``calls / 5``."""
    t0 = time.perf_counter()
    fn, frozen = _compiled(model)
    point = frozen.initial_point()
    rng = np.random.default_rng(0)
    vals = [point[v.name] + rng.normal(0, 0.1, np.shape(point[v.name])) for v in frozen.value_vars]
    fn(*vals)
    compile_s = time.perf_counter() - t0
    batch = max(1, calls // 5)
    times = []
    for _ in range(5):
        s = time.perf_counter()
        for _ in range(batch):
            fn(*vals)
        times.append((time.perf_counter() - s) / batch)
    return {
        "compile_s": round(compile_s, 3),
        "ms_per_gradient": round(1e3 * float(np.median(times)), 4),
        "ms_per_gradient_min": round(1e3 * float(np.min(times)), 4),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=11_194)
    ap.add_argument("--calls", type=int, default=3000)
    ap.add_argument("--plain", action="store_true", help="also time the plain strategy")
    ap.add_argument("--days", action="store_true", help="also time the measurement-error model")
    ap.add_argument(
        "--log-binomial", action="store_true", help="also time the bernoulli_log likelihood"
    )
    args = ap.parse_args()
    from bayes_walk.cohort.simulate import simulate_cohort
    from bayes_walk.model.builder import build_model
    from bayes_walk.spec.model_spec import load_spec, spec_from_dict

    cohort = simulate_cohort(n=args.n, seed=0, keep_daily=args.days)
    spec = load_spec("gp")
    d = spec.to_dict()
    d["exposures"]["walking_min"]["measurement"] = "days"
    specs = {"fused": spec, "plain": spec, "fused_days": spec_from_dict(d)}
    d["exposures"]["walking_min"]["habit_covariates"] = False
    specs["fused_days_no_predictors"] = spec_from_dict(d)
    if args.log_binomial:
        specs["fused_log_binomial"] = spec_from_dict(
            {**spec.to_dict(), "likelihood": "bernoulli_log"}
        )
        d["exposures"]["walking_min"]["habit_covariates"] = True
        specs["fused_days_log_binomial"] = spec_from_dict({**d, "likelihood": "bernoulli_log"})
    out = {"n": args.n}
    for label in specs:
        if (label == "plain" and not args.plain) or (
            label.startswith("fused_days") and not args.days
        ):
            continue
        t0 = time.perf_counter()
        built = build_model(specs[label], cohort, fused=label != "plain")
        t1 = time.perf_counter()
        out[label] = {"build_s": round(t1 - t0, 3), **time_gradient(built.model, args.calls)}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
