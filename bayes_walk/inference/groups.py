"""The groups and attrs a fit adds to the sampler's InferenceData (ARCHITECTURE "fit.nc").

``log_likelihood`` (float32, from the likelihood's own pointwise function),
``posterior_predictive`` (replicated outcomes and ``mu``: every draw for small fits,
thinned for large ones), ``observed_data``,
``constant_data``, curve attrs, and the fit-level attrs (spec, designs, categories, cohort
hash, version, ...). Pure functions of the built model, the cohort and the posterior.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

import numpy as np
import xarray as xr

from bayes_walk.model import measurement
from bayes_walk.model.habit_predictors import habit_matrix

MAX_PPC_DRAWS = 500
# Up to this many draw x participant cells the posterior predictive is stored for every
# posterior draw (about 5 bytes a cell: int8 replicate + float32 mu), so ArviZ's
# plot_ppc / plot_loo_pit work on the stored fit as is; beyond it, thinned to
# MAX_PPC_DRAWS draws (Fit.arviz_data() then thins the other groups to match).
MAX_PP_CELLS = 4_000_000
DRAW_DIMS = ("chain", "draw", "participant")


def cohort_hash(cohort: xr.Dataset) -> str:
    """SHA-256 of the participant ids and every per-participant variable (sorted by name)."""
    h = hashlib.sha256()
    h.update("\n".join(map(str, cohort["participant"].values)).encode())
    for name in sorted(v for v in cohort.data_vars if cohort[v].dims == ("participant",)):
        h.update(name.encode())
        h.update(np.ascontiguousarray(cohort[name].values).tobytes())
    return h.hexdigest()


def categories(built, cohort: xr.Dataset) -> dict[str, Any]:
    """Per categorical exposure: labels, cuts, reference, n and cases (joint: cell counts)."""
    from bayes_walk.model.forms.categorical import category_codes

    y = np.asarray(cohort[built.spec.outcome].values)
    out: dict[str, Any] = {}
    for name, d in built.designs["exposures"].items():
        if "labels" not in d:
            continue
        codes = category_codes(np.asarray(cohort[name].values, dtype=np.float64), d["cuts"])
        k = len(d["labels"])
        out[name] = {
            "labels": d["labels"],
            "cuts": d["cuts"],
            "reference": d["labels"][d["reference_category"]],
            "n": np.bincount(codes, minlength=k).tolist(),
            "cases": np.bincount(codes, weights=y, minlength=k).astype(int).tolist(),
        }
        if "pair" in d:
            # a pair form (joint): cell counts: rows this exposure's categories, columns the partner's
            partner = d["pair"][1 - d["position"]]
            pd_ = built.designs["exposures"][partner]
            pcodes = category_codes(
                np.asarray(cohort[partner].values, dtype=np.float64), pd_["cuts"]
            )
            kp = len(pd_["labels"])
            cell = codes * kp + pcodes
            out[name]["joint_with"] = partner
            out[name]["joint_n"] = np.bincount(cell, minlength=k * kp).reshape(k, kp).tolist()
            out[name]["joint_cases"] = (
                np.bincount(cell, weights=y, minlength=k * kp).reshape(k, kp).astype(int).tolist()
            )
    return out


def constant_data(built, cohort: xr.Dataset) -> xr.Dataset:
    """Exposures, covariates, grouping and stratifying variables as used by the fit."""
    spec = built.spec
    names = list(spec.exposures) + list(spec.adjust)
    h = spec.hierarchy
    for extra in (h.intercept_by, h.curve_by, spec.offset):
        if extra == "age65":
            extra = "age"
        if extra and extra not in names:
            names.append(extra)
    # The predictive checks group by these even when the spec leaves them out.
    for extra in ("walking_min", "walking_mets", "age", "sex", "municipality"):
        if extra in cohort.data_vars and extra not in names:
            names.append(extra)
    cd = cohort[names].copy()
    cd.attrs = {}
    return cd


def ppc_step(post: xr.Dataset, n_participants: int | None = None) -> int:
    """Thinning step of the posterior predictive: 1 (every draw) while draws x participants
    stays within :data:`MAX_PP_CELLS`, else the step keeping at most :data:`MAX_PPC_DRAWS`
    draws in all."""
    draws = post.sizes["chain"] * post.sizes["draw"]
    if n_participants is not None and draws * int(n_participants) <= MAX_PP_CELLS:
        return 1
    return max(1, math.ceil(draws / MAX_PPC_DRAWS))


def _draw_coords(post: xr.Dataset, cohort: xr.Dataset) -> dict[str, np.ndarray]:
    return {
        "chain": post["chain"].values,
        "draw": post["draw"].values,
        "participant": cohort["participant"].values,
    }


def posterior_predictive(
    built, post: xr.Dataset, mu: np.ndarray, cohort: xr.Dataset, seed: int
) -> xr.Dataset:
    """Replicated outcomes at every ``ppc_step``-th draw; ``mu`` is at those draws."""
    step = ppc_step(post, cohort.sizes["participant"])
    thin = post.isel(draw=slice(None, None, step))
    rng = np.random.default_rng([int(seed), 7])
    if built.spec.likelihood == "poisson":
        rep = rng.poisson(mu.astype(np.float64))
    else:
        rep = (rng.uniform(size=mu.shape) < mu).astype(np.int64)
    coords = _draw_coords(thin, cohort)
    y = built.spec.outcome
    out = {
        y: xr.DataArray(np.minimum(rep, 127).astype(np.int8), dims=DRAW_DIMS, coords=coords),
        "mu": xr.DataArray(mu, dims=DRAW_DIMS, coords=coords),
    }
    # the latent habit of a measurement = "days" exposure at the same draws as mu: what
    # g-computation moves each participant from (the n habit_z draws are not kept)
    for name, d in built.designs["exposures"].items():
        if "measurement" in d:
            # the predictor matrix when the habit population uses it (habit_covariates)
            X = habit_matrix(cohort, built.designs, name)
            habit = measurement.habit_draws(thin, cohort, name, X).astype(np.float32)
            out[f"habit_{name}"] = xr.DataArray(habit, dims=DRAW_DIMS, coords=coords)
    return xr.Dataset(out, attrs={"thin_step": step})


def drop_latent_values(idata) -> None:
    """Drop the per-participant ``habit_z_<e>`` of a measurement-error fit from the
    posterior once ``posterior_predictive.habit_<e>`` holds the habit (n values a draw:
    360 MB at 4 x 1000 draws and n = 11,194, the bulk of such a fit file)."""
    pp = idata.posterior_predictive if "posterior_predictive" in idata.groups() else {}
    drop = [
        v
        for v in idata.posterior.data_vars
        if v.startswith("habit_z_") and f"habit_{v.removeprefix('habit_z_')}" in pp
    ]
    if drop:
        idata.posterior = idata.posterior.drop_vars(drop)


def log_likelihood(built, post: xr.Dataset, cohort: xr.Dataset) -> tuple[xr.Dataset, np.ndarray]:
    """The log_likelihood group (float32) and ``mu`` at the posterior predictive's draws."""
    from bayes_walk.inference.pointwise import pointwise_function

    step = ppc_step(post, cohort.sizes["participant"])
    ll, mu = pointwise_function(built)(post, mu_step=step)
    da = xr.DataArray(ll, dims=DRAW_DIMS, coords=_draw_coords(post, cohort))
    return xr.Dataset({built.spec.outcome: da}), mu


def strip_sampler_groups(idata) -> None:
    """Drop what a backend may have added that the fit recomputes its own way."""
    for g in ("constant_data", "observed_data", "log_likelihood", "posterior_predictive"):
        if g in idata.groups():
            del idata[g]
    if "mu" in idata.posterior:
        idata.posterior = idata.posterior.drop_vars("mu")


def label_curves(idata, built) -> None:
    """Attrs ``reference``, ``form``, ``exposure_scale`` (``"habitual"`` with
    ``measurement = "days"``, else ``"observed mean"``) and ``curve_by`` on every
    ``logrr_<exposure>``."""
    for name, d in built.designs["exposures"].items():
        var = idata.posterior[f"logrr_{name}"]
        scale = "habitual" if "measurement" in d else "observed mean"
        var.attrs.update({"reference": d["reference"], "form": d["form"], "exposure_scale": scale})
        if "stratum" in var.dims:
            var.attrs["curve_by"] = built.designs["strata"]["variable"]


def fit_attrs(
    built, cohort: xr.Dataset, settings, diag: dict[str, Any], cohort_path: str | None
) -> dict[str, Any]:
    """The fit-level attrs (ARCHITECTURE "fit.nc"); JSON strings where structured."""
    from bayes_walk import __version__
    from bayes_walk.fitmeta import label_for
    from bayes_walk.spec.in_force import priors_in_force

    spec = built.spec
    y = np.asarray(cohort[spec.outcome].values)
    return {
        "spec": spec.to_json(),
        "spec_name": spec.name,
        "cohort_hash": cohort_hash(cohort),
        "cohort_path": str(cohort_path or ""),
        "bayes_walk_version": __version__,
        "seed": int(settings.seed),
        "sampler": settings.backend,
        "chains": int(settings.chains),
        "draws": int(settings.draws),
        "tune": int(settings.tune),
        "outcome_label": label_for(spec.outcome, cohort),
        "n_participants": int(y.size),
        "n_cases": int(y.sum()),
        "categories": json.dumps(categories(built, cohort)),
        "designs": json.dumps(built.designs),
        "diagnostics": json.dumps(diag),
        "priors": json.dumps(priors_in_force(spec)),
    }
