"""Naive PyMC baseline: the default ``gp`` structure written as a user would, untuned.

``pm.gp.HSGP`` with its defaults (constant basis function kept, non-centred weights,
m = 20 and c = 1.5 per exposure, ExpQuad kernel) on z-scored exposures, the Bambi default
kernel priors (lengthscale InverseGamma(3, 2), amplitude Exponential(1)), treatment-coded
covariates, centred varying intercepts by municipality, Poisson log link, and
``pm.sample`` defaults (PyMC NUTS, jitter+adapt_diag). Run by ``bench.py``; writes JSON.

Usage: python scripts/bench_naive.py --cohort C.nc --out R.json [--chains 4 --tune 1000 ...]
"""

from __future__ import annotations

import time

T0 = time.perf_counter()

import bench_common as bc  # noqa: E402
import numpy as np  # noqa: E402
import pymc as pm  # noqa: E402

M, C = 20, 1.5


def build(frame, X, names):
    """The naive model; returns it and each exposure's GP (for conditional predictions)."""
    coords = {
        "participant": np.arange(len(frame)),
        "covariate": names,
        "municipality": list(frame[bc.GROUP].cat.categories),
    }
    gps = {}
    with pm.Model(coords=coords) as model:
        intercept = pm.Normal("intercept", 0.0, 2.5)
        beta = pm.Normal("beta", 0.0, 1.0, dims="covariate")
        sigma_mun = pm.HalfNormal("sigma_municipality", 1.0)
        a_mun = pm.Normal("a_municipality", 0.0, sigma_mun, dims="municipality")
        eta = intercept + pm.math.dot(X, beta) + a_mun[frame[bc.GROUP].cat.codes.to_numpy()]
        for name in bc.EXPOSURES:
            x = frame[name].to_numpy(dtype=float)
            xz = ((x - x.mean()) / x.std())[:, None]
            ls = pm.InverseGamma(f"ls_{name}", alpha=3.0, beta=2.0)
            amp = pm.Exponential(f"eta_{name}", 1.0)
            gp = pm.gp.HSGP(m=[M], c=C, cov_func=amp**2 * pm.gp.cov.ExpQuad(1, ls=ls))
            eta = eta + gp.prior(f"f_{name}", X=xz, dims="participant")
            gps[name] = (gp, x.mean(), x.std())
        pm.Poisson(bc.OUTCOME, mu=pm.math.exp(eta), observed=frame[bc.OUTCOME].to_numpy())
    return model, gps


def volume_logrr(model, gps, idata, seed):
    """Draws of f(100) - f(78) and f(150) - f(78) from the fitted HSGP (not timed)."""
    gp, mu, sd = gps["walking_min"]
    pts = np.array([bc.VOLUME_REFERENCE, *bc.VOLUME_POINTS])
    with model:
        gp.conditional("f_new", Xnew=((pts - mu) / sd)[:, None])
        pp = pm.sample_posterior_predictive(
            idata, var_names=["f_new"], random_seed=seed, progressbar=False
        )
    f = pp.posterior_predictive["f_new"].values
    return {f"logrr_walking_min_{int(p)}": f[..., i + 1] - f[..., 0] for i, p in enumerate(pts[1:])}


def main() -> None:
    args = bc.runner_args(__doc__.splitlines()[0])
    import_s = time.perf_counter() - T0
    frame = bc.read_cohort_frame(args.cohort)
    X, names = bc.treatment_matrix(frame)
    sw = bc.Stopwatch()
    model, gps = build(frame, X, names)
    sw.lap("build_s")
    idata = pm.sample(
        draws=args.draws,
        tune=args.tune,
        chains=args.chains,
        cores=args.cores,
        random_seed=args.seed,
        progressbar=False,
        model=model,
    )
    sw.lap("sample_s")
    wall = sum(sw.laps.values())
    post = idata.posterior
    free = [v.name for v in model.free_RVs]
    key = {"intercept": post["intercept"].values}
    key.update(volume_logrr(model, gps, idata, args.seed))
    hyper = {}
    for name in bc.EXPOSURES:
        for par in (f"ls_{name}", f"eta_{name}"):
            key[par] = post[par].values
            hyper[par] = bc.draws_summary(post[par].values)
    diag = bc.diagnostics(key, bc.max_rhat_all(post, free), idata.sample_stats)
    diag["min_ess_bulk_all"] = bc.min_ess_all(post, free)
    bc.write_run(
        args,
        runner="naive_pymc",
        description="pm.sample defaults, pm.gp.HSGP(m=20, c=1.5) defaults, centred RE",
        n=len(frame),
        import_s=import_s,
        wall=wall,
        sw=sw,
        diag=diag,
        key=key,
        hyper=hyper,
    )


if __name__ == "__main__":
    main()
