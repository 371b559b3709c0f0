"""How much a cohort says about each HSGP curve: the Gaussian approximation behind
``parametrisation = "informed"`` (:mod:`bayes_walk.model.forms.informed`).

One penalised Poisson fit by Newton's method of the outcome on an intercept, the
covariates and the basis of every linear-in-coefficient curve (each HSGP basis penalised
by its prior at the prior's median amplitude and lengthscale, the rest barely), with the
offset when the spec has one. Varying intercepts are left out: they are nearly
orthogonal to the exposures, and the approximation only shapes the sampler's geometry
(any approximation gives the same posterior). For each curve it returns the information
matrix of its weights, profiled over the intercept and covariates, and the information
vector, so that ``loglik(coef) ~ h' coef - coef' H coef / 2`` near the fit. The Poisson
working weights serve ``bernoulli_log`` too (its information is larger by ``1 / (1 -
p)``; the directions barely change).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from bayes_walk.model.covariates import raw_covariates

# a ridge on the intercept and covariates, only to keep Newton's steps defined
NUISANCE_RIDGE = 1e-6
MAX_NEWTON_STEPS = 50


def _poisson_newton(
    A: np.ndarray, y: np.ndarray, penalty: np.ndarray, offset: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Penalised Poisson maximum a posteriori coefficients, the likelihood information
    there and the fitted means."""
    b = np.zeros(A.shape[1])
    b[0] = np.log(max(float(np.mean(y)), 1e-3))
    for _ in range(MAX_NEWTON_STEPS):
        mu = np.exp(np.clip(A @ b + offset, -30.0, 30.0))
        info = (A * mu[:, None]).T @ A
        step = np.linalg.solve(info + np.diag(penalty), A.T @ (y - mu) - penalty * b)
        b += step
        if np.max(np.abs(step)) < 1e-9:
            break
    mu = np.exp(np.clip(A @ b + offset, -30.0, 30.0))
    return b, (A * mu[:, None]).T @ A, mu


def curve_information(
    cohort: xr.Dataset,
    outcome: str,
    covariates: dict[str, Any],
    bases: dict[str, np.ndarray],
    prior_sd: dict[str, np.ndarray],
    offset: np.ndarray | None = None,
) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], np.ndarray]:
    """Information matrix and vector of each penalised curve's weights.

    Parameters
    ----------
    cohort
        The training cohort.
    outcome
        Outcome variable name.
    covariates
        The covariate design (:func:`bayes_walk.model.covariates.covariate_design`).
    bases
        Exposure -> centred features of the data (participant, basis), for every
        linear-in-coefficient curve of the model.
    prior_sd
        Exposure -> prior SD of each weight, for the curves to return; the other bases
        enter as barely penalised nuisance columns.
    offset
        Log offset per participant, or None.

    Returns
    -------
    dict
        Exposure -> ``(H, h)``: (m, m) information profiled over the intercept and
        covariates, and (m,) information vector.
    numpy.ndarray
        The fitted mean per participant (for :func:`group_information`).
    """
    y = np.asarray(cohort[outcome].values, dtype=np.float64)
    n = y.size
    X = raw_covariates(cohort, covariates) - np.asarray(covariates["shift"])
    blocks = [np.ones((n, 1)), X]
    penalty = [np.full(1 + X.shape[1], NUISANCE_RIDGE)]
    spans: dict[str, slice] = {}
    start = 1 + X.shape[1]
    for e, F in bases.items():
        blocks.append(np.asarray(F, dtype=np.float64))
        k = F.shape[1]
        sd = prior_sd.get(e)
        penalty.append(1.0 / np.asarray(sd) ** 2 if sd is not None else np.full(k, NUISANCE_RIDGE))
        spans[e] = slice(start, start + k)
        start += k
    A = np.hstack(blocks)
    P = np.concatenate(penalty)
    off = np.zeros(n) if offset is None else np.asarray(offset, dtype=np.float64)
    b, info, mu = _poisson_newton(A, y, P, off)
    nuis = np.arange(1 + X.shape[1])
    Hnn = info[np.ix_(nuis, nuis)] + np.diag(P[nuis])
    out = {}
    for e in prior_sd:
        idx = np.arange(A.shape[1])[spans[e]]
        Hen = info[np.ix_(idx, nuis)]
        H = info[np.ix_(idx, idx)] - Hen @ np.linalg.solve(Hnn, Hen.T)
        H = 0.5 * (H + H.T)
        # at the penalised optimum the likelihood's gradient is P b, so its quadratic
        # approximation there has linear term (H + P) b
        h = (H + np.diag(P[idx])) @ b[idx]
        out[e] = (H, h)
    return out, mu


def group_information(
    y: np.ndarray, mu: np.ndarray, codes: np.ndarray, n_groups: int, prior_sd: float
) -> tuple[np.ndarray, np.ndarray]:
    """Information and information vector of each varying intercept, one at a time.

    Given the fitted means ``mu`` of a model without the groups, each group's effect
    ``g`` maximises ``sum_i (y_i g - mu_i e^g) - g^2 / (2 prior_sd^2)`` (Newton's method);
    its information there is ``e^g sum_i mu_i``. The coupling of the effects through the
    intercept is left out (the sampler's mass matrix sees that linear direction).
    """
    ysum = np.bincount(codes, weights=y, minlength=n_groups)
    msum = np.bincount(codes, weights=mu, minlength=n_groups)
    prec = 1.0 / prior_sd**2
    g = np.zeros(n_groups)
    for _ in range(MAX_NEWTON_STEPS):
        grad = ysum - msum * np.exp(g) - prec * g
        step = grad / (msum * np.exp(g) + prec)
        g += step
        if np.max(np.abs(step)) < 1e-10:
            break
    d = msum * np.exp(g)
    return d, (d + prec) * g


def add_informed(spec, cohort: xr.Dataset, designs: dict[str, Any]) -> None:
    """Record in each HSGP design which parametrisation its weights get, and the
    informed directions where it is ``"informed"`` (in place); the same for the varying
    intercepts (``designs["group"]``, always ``"auto"``).

    A curve with stratum deviations stays non-centred. A curve with ``measurement =
    "days"`` reads latent habits, which are not known here: its information is computed at
    the observed means instead (:func:`proxy_exposure`). The transform is a change of
    variables for any ``B`` and ``h``, so the proxy decides only how round the sampler's
    geometry is, never the posterior. Such a curve is informed only when its spec says
    ``"informed"`` (``"auto"`` leaves it non-centred). Every design gets
    ``information_ratio``, the largest eigenvalue of the data's information relative to
    the prior's, which ``"auto"`` compares with
    :data:`~bayes_walk.model.forms.informed.AUTO_MIN_EIGENVALUE`.
    """
    from bayes_walk.model.forms import get_form
    from bayes_walk.model.forms.hsgp import reference_prior_sd
    from bayes_walk.model.forms.informed import low_rank, use_informed

    exposures = designs["exposures"]
    stratified = (
        set(spec.hierarchy.curve_exposures or spec.exposures) if spec.hierarchy.curve_by else set()
    )
    wanted = {
        e: d
        for e, d in exposures.items()
        if d["form"] == "hsgp"
        and d.get("parametrisation", "auto") != "noncentred"
        and e not in stratified
    }
    if not wanted and "group" not in designs:
        return
    bases = {}
    for e, d in exposures.items():
        form = get_form(d["form"])
        if form.linear and form.arity == 1:
            x = np.asarray(cohort[e].values, dtype=np.float64)
            if "measurement" in d:
                x = proxy_exposure(x, d)
            bases[e] = form.features(x, d) - np.asarray(d["shift"])
    sds = {e: reference_prior_sd(d, spec.exposure_priors(e)) for e, d in wanted.items()}
    offset = (
        np.log(np.asarray(cohort[spec.offset].values, dtype=np.float64)) if spec.offset else None
    )
    info, mu = curve_information(cohort, spec.outcome, designs["covariates"], bases, sds, offset)
    if "group" in designs:
        _add_group(spec, cohort, designs["group"], mu)
    for e, d in wanted.items():
        parts = low_rank(*info[e], sds[e])
        d["information_ratio"] = parts["eigenvalues"][0]
        par = d.get("parametrisation", "auto")
        if "measurement" in d and par == "auto":
            # "auto"'s threshold was set on curves of observed exposures; a latent curve is
            # informed only where its spec asks for it (at n = 11,194 it did not pay:
            # docs/performance.md "Where the divergences at 0.65 are")
            par = "noncentred"
        if use_informed(par, parts["eigenvalues"]) and parts["B"][0]:
            d["informed"] = {"B": parts["B"], "h": parts["h"]}


def proxy_exposure(x: np.ndarray, design: dict[str, Any]) -> np.ndarray:
    """The observed means standing in for a latent exposure's habits: a participant
    without valid days takes the median, and every value is kept inside the curve's
    boundary (where its features are defined)."""
    x = np.where(np.isfinite(x), x, np.nanmedian(x)) if np.isfinite(x).any() else x
    it = design.get("interp")
    if it is not None:
        x = np.clip(x, float(it["lo"]), float(it["hi"]))
    elif "L" in design:
        reach = design["L"] * design["scale"] * (1.0 - 1e-9)
        x = np.clip(x, design["mid"] - reach, design["mid"] + reach)
    return x


def _add_group(spec, cohort: xr.Dataset, group: dict[str, Any], mu: np.ndarray) -> None:
    from bayes_walk.model.designs import stratifier
    from bayes_walk.model.forms.hsgp import prior_median
    from bayes_walk.model.forms.informed import use_informed

    codes, labels = stratifier(cohort, group["variable"])
    sd0 = prior_median(spec.global_priors()["group_sd"])
    y = np.asarray(cohort[spec.outcome].values, dtype=np.float64)
    d, h = group_information(y, mu, np.asarray(codes, dtype=np.int64), len(labels), sd0)
    ratio = float(np.max(d)) * sd0**2
    group["information_ratio"] = ratio
    if use_informed("auto", [ratio]):
        group["informed"] = {"d": d.tolist(), "h": h.tolist()}
