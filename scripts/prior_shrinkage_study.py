"""How far the default priors of linear-in-coefficient forms pull a curve from the data.

For simulated cohorts of the paper's size, compares on the same basis and design
(covariates, both exposures' features, as ``bayes_walk`` builds them):

- the unpenalised maximum-likelihood curve (statsmodels Poisson GLM), and
- the posterior mode under the spec's default priors (Newton's method on the log
  posterior; at n = 11,194 the posterior is close to Gaussian, so the mode is within
  Monte Carlo error of the posterior median that a NUTS fit reports),

at the round values of the curve grid, as log-RR against the spec's reference. Also
draws curves from the prior and reports the share of RR(200 vs 78 min/day) within 0.3..3.
Random intercepts (``hierarchy.intercept_by``) are left out of both fits: they do not
enter the curve and the comparison is about the curve's own prior.

Usage::

    python scripts/prior_shrinkage_study.py --specs rcs linear --seeds 1-20 \
        --out reports/priors/shrinkage.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from bayes_walk.cohort.simulate import simulate_cohort
from bayes_walk.model.builder import data_arrays, make_designs
from bayes_walk.model.forms import get_form
from bayes_walk.model.forms.base import exposure_grid
from bayes_walk.spec.model_spec import load_spec

ROUND = {"walking_min": 10.0, "walking_mets": 0.1}


def _design_matrix(spec, cohort):
    designs = make_designs(spec, cohort)
    arrays = data_arrays(spec, cohort, designs)
    blocks, slots, priors = [np.ones((cohort.sizes["participant"], 1))], {}, [None]
    gp = spec.global_priors()
    if "X_covariates" in arrays:
        X = arrays["X_covariates"]
        blocks.append(X)
        priors += [gp["covariates"]] * X.shape[1]
    for name in spec.exposures:
        F = arrays[f"F_{name}"]
        start = sum(b.shape[1] for b in blocks)
        slots[name] = slice(start, start + F.shape[1])
        blocks.append(F)
        form_priors = spec.exposure_priors(name)
        key = "coef" if "coef" in form_priors else "slope"
        priors += [form_priors[key]] * F.shape[1]
    return np.hstack(blocks), slots, priors, designs


def _newton(X, y, priors, max_iter=50):
    prec = np.array([0.0 if p is None else 1.0 / p["sigma"] ** 2 for p in priors])
    mean = np.array([0.0 if p is None else p.get("mu", 0.0) for p in priors])
    beta = np.zeros(X.shape[1])
    beta[0] = np.log(y.mean())
    for _ in range(max_iter):
        mu = np.exp(X @ beta)
        grad = X.T @ (y - mu) - prec * (beta - mean)
        H = X.T @ (X * mu[:, None]) + np.diag(prec)
        step = np.linalg.solve(H, grad)
        beta += step
        if np.max(np.abs(step)) < 1e-10:
            break
    return beta


def _curves(spec, designs, beta, slots, cohort):
    out = {}
    for name in spec.exposures:
        d = designs["exposures"][name]
        form = get_form(d["form"])
        x = np.asarray(cohort[name].values, dtype=np.float64)
        grid = exposure_grid(x, d["reference"])
        step = ROUND[name]
        at = grid[np.isclose(grid / step, np.round(grid / step))]
        F = form.features(at, d) - form.features(np.array([d["reference"]]), d)
        out[name] = {"x": at.tolist(), "logrr": (F @ beta[slots[name]]).tolist()}
    return out


def _prior_share(spec, designs, cohort, draws=4000, seed=1):
    """Share of prior curves with RR(200 vs 78 min/day) within 0.3..3."""
    d = designs["exposures"]["walking_min"]
    form = get_form(d["form"])
    pri = spec.exposure_priors("walking_min")
    key = "coef" if "coef" in pri else "slope"
    F = form.features(np.array([200.0]), d) - form.features(np.array([78.0]), d)
    rng = np.random.default_rng(seed)
    coef = rng.normal(pri[key].get("mu", 0.0), pri[key]["sigma"], size=(draws, F.shape[1]))
    rr = np.exp(coef @ F[0])
    return float(np.mean((rr >= 0.3) & (rr <= 3.0)))


def study(spec_names, seeds, n, truth="paper"):
    import statsmodels.api as sm

    rows = []
    for name in spec_names:
        spec = load_spec(name)
        for seed in seeds:
            cohort = simulate_cohort(n=n, seed=seed, truth=truth, keep_daily=False)
            X, slots, priors, designs = _design_matrix(spec, cohort)
            y = np.asarray(cohort[spec.outcome].values, dtype=np.float64)
            mle = sm.GLM(y, X, family=sm.families.Poisson()).fit().params
            mode = _newton(X, y, priors)
            c_mle = _curves(spec, designs, mle, slots, cohort)
            c_map = _curves(spec, designs, mode, slots, cohort)
            for e in spec.exposures:
                diff = np.subtract(c_map[e]["logrr"], c_mle[e]["logrr"])
                rows.append(
                    {
                        "spec": name,
                        "seed": seed,
                        "exposure": e,
                        "max_abs_diff": float(np.max(np.abs(diff))),
                        "x_at_max": c_mle[e]["x"][int(np.argmax(np.abs(diff)))],
                        "mle": c_mle[e],
                        "mode": c_map[e],
                    }
                )
            print(
                f"{name} seed {seed}: max |mode - MLE| "
                + ", ".join(f"{r['exposure']} {r['max_abs_diff']:.4f}" for r in rows[-2:]),
                file=sys.stderr,
            )
        share = _prior_share(spec, designs, cohort)
        rows.append({"spec": name, "prior_share_rr200_in_0.3_3": share})
    return rows


def _seeds(text: str) -> list[int]:
    if "-" in text:
        a, b = text.split("-")
        return list(range(int(a), int(b) + 1))
    return [int(s) for s in text.split(",")]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--specs", nargs="+", default=["rcs", "linear"])
    p.add_argument("--seeds", default="1-20")
    p.add_argument("--n", type=int, default=11194)
    p.add_argument("--truth", default="paper")
    p.add_argument("--out", type=Path)
    a = p.parse_args(argv)
    rows = study(a.specs, _seeds(a.seeds), a.n, a.truth)
    summary = {}
    for r in rows:
        if "max_abs_diff" in r:
            key = f"{r['spec']}/{r['exposure']}"
            summary.setdefault(key, []).append(r["max_abs_diff"])
    table = {
        k: {"replicates": len(v), "mean": float(np.mean(v)), "max": float(np.max(v))}
        for k, v in summary.items()
    }
    shares = {
        r["spec"]: r["prior_share_rr200_in_0.3_3"] for r in rows if "spec" in r and len(r) == 2
    }
    print(json.dumps({"max_abs_diff": table, "prior_share": shares}, indent=1))
    if a.out:
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.write_text(
            json.dumps(
                {"n": a.n, "truth": a.truth, "summary": table, "prior_share": shares, "rows": rows}
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
