"""bayes_walk runner: the shipped default ``gp`` spec through the public ``fit``.

Times cohort-in-memory to finished InferenceData (model build, compilation, sampling,
log-likelihood, posterior predictive), i.e. what a user waits for. With ``--warm-refit``
the same built model is fitted a second time, which isolates the one-off compilation cost
(what SBC and sweeps pay per data set). Run by ``bench.py``; writes JSON.

Usage: python scripts/bench_ours.py --cohort C.nc --out R.json [--sampler numpyro] [--warm-refit]
"""

from __future__ import annotations

import sys
import time

T0 = time.perf_counter()

import json  # noqa: E402

import bench_common as bc  # noqa: E402
import numpy as np  # noqa: E402

from bayes_walk.cohort.store import load_cohort  # noqa: E402
from bayes_walk.inference.fit import fit  # noqa: E402
from bayes_walk.model.builder import build_model  # noqa: E402
from bayes_walk.spec.model_spec import load_spec  # noqa: E402

SPEC = "gp"


def curve_at(idata, exposure: str, x: float) -> np.ndarray:
    """Draws (chain, draw) of the stored log-RR curve at ``x`` (linear between grid points)."""
    da = idata.posterior[f"logrr_{exposure}"]
    grid = np.asarray(da[f"{exposure}_grid"].values, dtype=float)
    vals = np.asarray(da.values, dtype=float)
    j = int(np.searchsorted(grid, x))
    if j < grid.size and np.isclose(grid[j], x):
        return vals[..., j]
    if j == 0 or j >= grid.size:
        raise ValueError(f"{x} outside the stored {exposure} grid [{grid[0]}, {grid[-1]}]")
    w = (x - grid[j - 1]) / (grid[j] - grid[j - 1])
    return (1 - w) * vals[..., j - 1] + w * vals[..., j]


def summarise(idata, args, sw: bc.Stopwatch, phases: dict, extra: dict) -> dict:
    """The runner's result record for one fit."""
    post = idata.posterior
    key = {"intercept": post["intercept"].values}
    for p in bc.VOLUME_POINTS:
        key[f"logrr_walking_min_{int(p)}"] = curve_at(idata, "walking_min", p)
    hyper = {}
    for name in bc.EXPOSURES:
        for par, short in ((f"lengthscale_{name}", "ls"), (f"amplitude_{name}", "eta")):
            if par in post:
                key[f"{short}_{name}"] = post[par].values
                hyper[f"{short}_{name}"] = bc.draws_summary(post[par].values)
    names = [v for v in post.data_vars if not v.startswith("logrr") and v != "mu"]
    diag = bc.diagnostics(key, bc.max_rhat_all(post, names), idata.sample_stats)
    diag["min_ess_bulk_all"] = bc.min_ess_all(post, names)
    diag["fit_attrs"] = json.loads(idata.attrs.get("diagnostics", "{}"))
    designs = json.loads(idata.attrs.get("designs", "{}"))
    hsgp = {
        k: {f: d.get(f) for f in ("m", "c", "L", "scale")}
        for k, d in designs.get("exposures", {}).items()
        if d.get("form") == "hsgp"
    }
    return {
        "runner": args.label or f"bayes_walk_{args.sampler or 'default'}",
        "description": f"bayes_walk fit(load_spec('{SPEC}')), sampler {idata.attrs.get('sampler')}",
        "sampler": idata.attrs.get("sampler"),
        "n": int(post.sizes.get("participant", 0)) or int(idata.attrs.get("n_participants", 0)),
        "chains": args.chains,
        "tune": args.tune,
        "draws": args.draws,
        "wall_s": sw.wall,
        "phases": phases,
        "cpu_s": sw.cpu_total,
        "cpu_phases": sw.cpu,
        "diagnostics": diag,
        "ess_per_s": diag["min_ess_bulk"] / sw.wall,
        "ess_per_cpu_s": diag["min_ess_bulk"] / sw.cpu_total,
        "logrr": {k: bc.draws_summary(v) for k, v in key.items() if k.startswith("logrr")},
        "hyperparameters": hyper,
        "hsgp_design": hsgp,
        "n_free_parameters": int(
            sum(post[v].size // (post.sizes["chain"] * post.sizes["draw"]) for v in names)
        ),
        **extra,
    }


def main() -> None:
    argv = sys.argv[1:]
    warm = "--warm-refit" in argv
    if warm:
        sys.argv.remove("--warm-refit")
    args = bc.runner_args(__doc__.splitlines()[0])
    import_s = time.perf_counter() - T0
    t = time.perf_counter()
    cohort = load_cohort(args.cohort)
    load_s = time.perf_counter() - t
    spec = load_spec(SPEC)
    kw = dict(
        chains=args.chains,
        tune=args.tune,
        draws=args.draws,
        seed=args.seed,
        sampler=args.sampler,
        progress=False,
    )
    sw = bc.Stopwatch()
    # A user's one-off fit: fit() builds the model itself (and may freeze the data into
    # the compiled function, which a reusable model cannot).
    idata = fit(spec, cohort, **kw)
    sw.lap("fit_s")
    fit_diag = json.loads(idata.attrs.get("diagnostics", "{}"))
    phases = dict(sw.laps)
    phases["sample_incl_compile_s"] = fit_diag.get("seconds_sampling")
    phases["post_sampling_s"] = (fit_diag.get("seconds") or 0) - (
        fit_diag.get("seconds_sampling") or 0
    )
    extra: dict = {"import_s": import_s, "load_s": load_s}
    if warm:
        # The SBC/sweep path: a built model fitted once (compiles), then again on new data.
        built = build_model(spec, cohort)
        fit(spec, cohort, built=built, **kw)
        sw2 = bc.Stopwatch()
        idata2 = fit(spec, cohort, built=built, **{**kw, "seed": args.seed + 1})
        warm_wall = sw2.lap("fit_s")
        d2 = json.loads(idata2.attrs.get("diagnostics", "{}"))
        extra["warm_refit"] = {
            "wall_s": warm_wall,
            "cpu_s": sw2.cpu_total,
            "sample_s": d2.get("seconds_sampling"),
            "divergences": d2.get("divergences"),
            "max_rhat": d2.get("max_rhat"),
            "min_ess_bulk": d2.get("min_ess_bulk"),
        }
    bc.write_result(args.out, summarise(idata, args, sw, phases, extra))


if __name__ == "__main__":
    main()
