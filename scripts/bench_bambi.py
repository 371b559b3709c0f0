"""Bambi 0.17 baseline: the default ``gp`` structure as a Bambi formula, Bambi defaults.

``clbp ~ hsgp(walking_min, m=20, c=1.5) + hsgp(walking_mets, m=20, c=1.5) + age + sex +
education + income + employment + smoking + depression + (1|municipality)``, family
``poisson``, default priors and ``model.fit`` defaults (PyMC NUTS). Runs in the separate
Bambi venv (scripts/setup_bambi_env.sh), because Bambi's arviz-plots breaks ``import
arviz`` under the project's matplotlib; reads the same cohort NetCDF and writes JSON.

Usage: /work/bambi-venv/bin/python scripts/bench_bambi.py --cohort C.nc --out R.json
"""

from __future__ import annotations

import time

T0 = time.perf_counter()

import warnings  # noqa: E402

import bambi as bmb  # noqa: E402
import bench_common as bc  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

M, C = 20, 1.5
TERMS = {name: f"hsgp({name}, m={M}, c={C})" for name in bc.EXPOSURES}
FORMULA = (
    f"{bc.OUTCOME} ~ "
    + " + ".join(TERMS.values())
    + " + "
    + " + ".join(bc.COVARIATES)
    + f" + (1|{bc.GROUP})"
)


def bambi_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Bambi wants unordered categoricals for treatment coding with the first level dropped."""
    out = frame.copy()
    for name in [*bc.COVARIATES[1:], bc.GROUP]:
        out[name] = out[name].cat.as_unordered()
    return out


def volume_logrr(model: bmb.Model, idata, frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Draws of the volume log-RR at 100 and 150 vs 78 min (others held fixed; not timed)."""
    pts = np.array([bc.VOLUME_REFERENCE, *bc.VOLUME_POINTS])
    new = pd.concat([frame.iloc[[0]]] * len(pts), ignore_index=True)
    new["walking_min"] = pts
    pred = model.predict(idata, data=new, kind="response_params", inplace=False)
    mu = pred.posterior["mu"].values  # (chain, draw, obs)
    logmu = np.log(mu)
    return {
        f"logrr_walking_min_{int(p)}": logmu[..., i + 1] - logmu[..., 0]
        for i, p in enumerate(pts[1:])
    }


def main() -> None:
    args = bc.runner_args(__doc__.splitlines()[0])
    import_s = time.perf_counter() - T0
    frame = bambi_frame(bc.read_cohort_frame(args.cohort))
    sw = bc.Stopwatch()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        model = bmb.Model(FORMULA, frame, family="poisson")
        model.build()
        sw.lap("build_s")
        idata = model.fit(
            draws=args.draws,
            tune=args.tune,
            chains=args.chains,
            cores=args.cores,
            random_seed=args.seed,
            progressbar=False,
        )
    sw.lap("sample_s")
    wall = sum(sw.laps.values())
    post = idata.posterior
    free = [v.name for v in model.backend.model.free_RVs]
    key = {"intercept": post["Intercept"].values}
    key.update(volume_logrr(model, idata, frame))
    hyper = {}
    for name, term in TERMS.items():
        for par, short in ((f"{term}_ell", "ls"), (f"{term}_sigma", "eta")):
            key[f"{short}_{name}"] = post[par].values
            hyper[f"{short}_{name}"] = bc.draws_summary(post[par].values)
    diag = bc.diagnostics(key, bc.max_rhat_all(post, free), idata.sample_stats)
    diag["min_ess_bulk_all"] = bc.min_ess_all(post, free)
    bc.write_run(
        args,
        runner="bambi",
        description=f"Bambi {bmb.__version__}: {FORMULA}, family poisson, fit() defaults",
        n=len(frame),
        import_s=import_s,
        wall=wall,
        sw=sw,
        diag=diag,
        key=key,
        hyper=hyper,
        note="Bambi rescales each hsgp input (scale=True), so ls is on that scale",
    )


if __name__ == "__main__":
    main()
