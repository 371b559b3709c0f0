"""Measurement-error model of an exposure: a latent habit measured by the valid days.

With ``measurement = "days"`` on an exposure of the spec (``walking_min`` or
``walking_mets``), the dose-response curve acts on each participant's latent *habitual*
exposure instead of the mean of their few valid days. The day model (docs/models.md
"Measurement error"):

    y_id = log(max(day's value, FLOOR_MIN))        for each valid day d of participant i
    y_id | h_i ~ Normal(h_i, sigma_within / sqrt(w_id))
    h_i ~ BoxCoxNormal(mu + X_i beta, sigma_between, lambda)
                                                   (population model: habit_population.py)
    habit_i = exp(h_i + sigma_within**2 / 2)       (the long-run mean of the days)

Volume days have weight ``w_id = 1``. An intensity day (the day's time-weighted walking
MET) is weighted by its walking time relative to the person's mean walking time on the
used days, ``w_id = t_id / mean_d(t_id)`` (so ``sum_d w_id = k_i``): a day with little
walking measures the pace less precisely, and the weighted mean of the days is the
observed exposure, the time-weighted mean MET. For intensity ``habit_i`` is the long-run
time-weighted mean to first order in ``sigma_within**2`` (about 0.03**2 on the log MET
scale).

Given ``h_i`` the day model is conjugate, so ``k_i`` (valid days), ``ybar_i`` (weighted
mean of ``y_id``) and the pooled weighted within-person sum of squares carry all the
information of the days, and the ``(participant, day)`` array never enters the model. The
joint density is factored as ``p(ybar | mu, sigma_b, sigma_w) * p(h | ybar, ...) * p(SS | sigma_w)``:

- ``ybar_i ~ Normal(a_i, sqrt(sigma_b**2 + sigma_w**2 / k_i))`` (marginal, closed form,
  under the log-normal population ``Normal(a_i, sigma_b)``, ``a_i = mu + X_i beta``);
- ``h_i = m_i + s_i * z_i`` with ``z_i ~ Normal(0, 1)`` and ``m_i, s_i`` the conjugate
  posterior mean and SD of ``h_i`` given the days (non-centred on the conditional, so the
  ``z_i`` are a priori and nearly a posteriori standard normal: only the outcome moves
  them); participants with fewer days get a larger ``s_i``;
- ``SS / sigma_w**2 ~ chi2(sum_i (k_i - 1))``;
- the Box-Cox population's log density minus the log-normal's at ``h_i``
  (``habit_population.log_correction``; 0 at ``lambda = 0``), which makes the factored
  density exact for any shape.

The curve then reads ``habit_i``: for a design with knots (``"interp"``) the knot index
and weight become graph tensors, otherwise the scaled exposure ``x_<e>`` does; the
builder calls :func:`term_data` and :func:`as_vectors`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from bayes_walk.errors import SpecError
from bayes_walk.inference.fast.position import TOP_MARGIN, LatentPosition
from bayes_walk.model import habit_population as population
from bayes_walk.model.habit_predictors import dim

# Daily series of each exposure that supports measurement = "days".
DAILY_SERIES = {"walking_min": "daily_walking_min", "walking_mets": "daily_walking_mets"}
# Daily series whose values weight an exposure's days (module docstring): a day's walking
# MET is the average over its walking time, so that time says how much the day tells.
DAY_WEIGHTS = {"walking_mets": "daily_walking_min"}
# Days below this enter the log-scale day model at this value: 1 min/day of walking (the
# paper's valid-day rule already asks for some walking); walking METs are always above 1.
FLOOR_MIN = 1.0
# Knots for linear forms without their own (rcs, linear, monotone): the curve is read at
# the latent habit by linear interpolation between them.
LATENT_KNOTS = 1024
PRIORS: dict[str, dict[str, Any]] = {
    # log-scale population mean is centred on the data's mean log day (design "log_center")
    "habit_mu_sd": {"sigma": 1.0},
    "habit_sd": {"dist": "HalfNormal", "sigma": 1.0},
    "day_sd": {"dist": "HalfNormal", "sigma": 1.0},
}
UNSUPPORTED_FORMS = ("categorical", "joint")


def uses_days(spec) -> list[str]:
    """Exposures of ``spec`` with ``measurement = "days"``."""
    return [k for k, e in spec.exposures.items() if getattr(e, "measurement", "") == "days"]


def check_measurement(spec, cohort: xr.Dataset) -> None:
    """Raise :class:`SpecError` when a ``measurement = "days"`` exposure cannot be modelled.

    Rules: the exposure has a daily series (``walking_min``, ``walking_mets``), its form
    is not ``categorical``/``joint``, and the cohort holds ``valid_day``, the daily series
    and, for intensity, the daily walking time that weights it (a participants-only
    import has none of them).
    """
    for name in uses_days(spec):
        where = f"{spec.name}: exposures.{name}.measurement = 'days'"
        if name not in DAILY_SERIES:
            raise SpecError(
                f"{where} is implemented for {', '.join(DAILY_SERIES)} only; "
                f"remove the option for '{name}' (its observed mean is used)"
            )
        form = spec.exposures[name].form
        if form in UNSUPPORTED_FORMS:
            raise SpecError(f"{where} does not work with form '{form}' (a curve form is needed)")
        needed = (
            "valid_day",
            DAILY_SERIES[name],
            *([DAY_WEIGHTS[name]] if name in DAY_WEIGHTS else []),
        )
        missing = [v for v in needed if v not in cohort.data_vars]
        if missing:
            raise SpecError(
                f"{where} needs the daily series, but the cohort has no {', '.join(missing)} "
                "(a participants-only import); import the daily table too (--daily) or "
                "drop the measurement option"
            )


def likelihood_warning(spec, cohort: xr.Dataset) -> str | None:
    """Why a spec's likelihood does not suit its latent exposures, or None.

    The Poisson working model (modified Poisson) gives consistent risk ratios for a 0/1
    outcome only when the exposure is observed: its score ``sum (y - mu) x`` has mean
    zero whatever the outcome's distribution. With a latent habit the likelihood is the
    integral of the Poisson density over the habit, whose score is not that estimating
    equation, and the risk ratios are biased toward 1 (docs/models.md "Measurement error",
    ``scripts/likelihood_latent_check.py``). With an offset (a rate outcome) or counts the
    Poisson density is the model itself, so there is nothing to say.
    """
    if not uses_days(spec) or spec.likelihood != "poisson" or spec.offset is not None:
        return None
    y = np.asarray(cohort[spec.outcome].values, dtype=np.float64)
    y = y[np.isfinite(y)]
    if y.size == 0 or not np.isin(y, (0.0, 1.0)).all():
        return None
    return (
        f"{spec.name}: measurement = 'days' with likelihood = 'poisson' on the 0/1 outcome "
        f"'{spec.outcome}': with a latent exposure the Poisson working model is biased toward "
        "RR = 1 (about 3% of a log-linear slope, docs/models.md 'Measurement error'); "
        "set likelihood = 'bernoulli_log'"
    )


def daily_statistics(cohort: xr.Dataset, name: str) -> dict[str, np.ndarray]:
    """Sufficient statistics of the day model per participant.

    Returns
    -------
    dict
        ``k`` (days used, int), ``mean_log`` (weighted mean of ``log(max(day,
        FLOOR_MIN))`` over those days; 0 where ``k == 0``) and ``ss`` (weighted
        within-person sum of squares of the log days). Volume uses every valid day with
        weight 1; intensity the valid days with walking time ``t > 0``, weighted by
        ``t / mean(t)`` (module docstring), so its ``mean_log`` is the log of the
        time-weighted geometric mean MET.
    """
    days = np.asarray(cohort[DAILY_SERIES[name]].values, dtype=np.float64)
    valid = np.asarray(cohort["valid_day"].values, dtype=bool) & np.isfinite(days)
    if name in DAY_WEIGHTS:
        t = np.asarray(cohort[DAY_WEIGHTS[name]].values, dtype=np.float64)
        valid &= np.isfinite(t) & (t > 0)
        t = np.where(valid, t, 0.0)
    else:
        t = valid.astype(np.float64)
    k = valid.sum(axis=1)
    t_mean = np.divide(t.sum(axis=1), k, out=np.ones(k.shape), where=k > 0)
    w = t / t_mean[:, None]
    y = np.log(np.maximum(np.where(valid, days, FLOOR_MIN), FLOOR_MIN))
    total = (w * y).sum(axis=1)
    mean = np.divide(total, k, out=np.zeros_like(total), where=k > 0)
    ss = (w * (y - mean[:, None]) ** 2).sum(axis=1)
    return {"k": k.astype(np.int64), "mean_log": mean, "ss": ss}


def measurement_design(cohort: xr.Dataset, name: str, covariates: bool = False) -> dict[str, Any]:
    """JSON-able constants of the day model (stored in the exposure's design).

    ``covariates``: the population median of the habit moves with the model's adjustment
    covariates and other observed exposures (the spec's ``habit_covariates``,
    :mod:`bayes_walk.model.habit_predictors`).
    """
    st = daily_statistics(cohort, name)
    has = st["k"] > 0
    return {
        "kind": "days",
        "daily": DAILY_SERIES[name],
        "weights": DAY_WEIGHTS.get(name),
        "floor": FLOOR_MIN,
        "log_center": float(np.mean(st["mean_log"][has])) if has.any() else 0.0,
        # the spec's habit_covariates (on by default; docs/models.md "Population model")
        "covariates": bool(covariates),
    }


def latent_knots(x: np.ndarray) -> dict[str, Any]:
    """Knots over the observed range, for a linear form without its own."""
    return {"lo": float(np.min(x)), "hi": float(np.max(x)), "points": LATENT_KNOTS}


def measurement_data(cohort: xr.Dataset, name: str) -> dict[str, tuple[np.ndarray, tuple]]:
    """The day model's ``pm.Data`` arrays: ``days_k_<e>``, ``days_mean_<e>``, ``days_ss_<e>``."""
    st = daily_statistics(cohort, name)
    p = ("participant",)
    return {
        f"days_k_{name}": (st["k"].astype(np.float64), p),
        f"days_mean_{name}": (st["mean_log"], p),
        f"days_ss_{name}": (st["ss"], p),
    }


def latent_habit(name: str, design: dict[str, Any], data: dict[str, Any], fused: bool = False):
    """Add the day model of ``name`` to the model; return ``(log_h, shift)``, the latent log
    habits (participant,) and ``day_sd**2 / 2``: ``habit_i = exp(log_h_i + shift)``
    (exposure units; :func:`term_data` reads it).

    Parameters ``habit_mu_<e>``, ``habit_sd_<e>``, ``habit_shape_<e>``, ``habit_beta_<e>``
    (``habit_predictor_<e>``; with ``habit_covariates``), ``day_sd_<e>`` (log scale) and
    ``habit_z_<e>`` (participant); the density of the days and the population's departure
    from log-normal are a ``pm.Potential`` ``days_<e>``. With ``fused`` (a model for the
    numba backend) the per-participant part is one op
    (:class:`~bayes_walk.inference.fast.days.DaysBlock`) instead of a graph of
    elementwise loops, and the location's ``X @ beta`` is a
    :class:`~bayes_walk.inference.fast.rowdot.RowDot`: the same density and habits
    (``tests/inference/test_days_block.py``).
    """
    import pymc as pm
    import pytensor.tensor as pt

    from bayes_walk.spec.priors import make_rv

    m = design["measurement"]
    k, ybar, ss = (data[f"days_{s}_{name}"] for s in ("k", "mean", "ss"))
    mu = pm.Normal(f"habit_mu_{name}", m["log_center"], PRIORS["habit_mu_sd"]["sigma"])
    # the predictors' design is the one record of them ("covariates" notes the spec's flag)
    labels = m.get("predictors", {}).get("labels")
    X = data[f"X_habit_{name}"] if labels else None
    beta = (
        make_rv(f"habit_beta_{name}", population.PRIORS["habit_beta"], dims=dim(name))
        if X is not None
        else None
    )
    if fused and beta is not None:
        from bayes_walk.inference.fast.rowdot import RowDot

        a = mu + RowDot()(X, beta)
    else:
        a = population.location(pt, mu, beta, X)
    sb = make_rv(f"habit_sd_{name}", PRIORS["habit_sd"])
    shape = make_rv(f"habit_shape_{name}", population.PRIORS["habit_shape"])
    lam = population.exponent(shape, sb)
    sw = make_rv(f"day_sd_{name}", PRIORS["day_sd"])
    z = pm.Normal(f"habit_z_{name}", 0.0, 1.0, dims=("participant",))
    df = pt.sum(pt.maximum(k - 1.0, 0.0))
    within = -df * pt.log(sw) - pt.sum(ss) / (2.0 * sw**2)
    if fused:
        from bayes_walk.inference.fast.days import DaysBlock

        a1 = a if a.ndim == 1 else pt.reshape(a, (1,))
        s, log_h = DaysBlock()(z, a1, sb, sw, lam, k, ybar)
        truncation = z.shape[0] * population.log_truncation(pt, sb, lam)
        pm.Potential(f"days_{name}", s + within - truncation)
        return log_h, sw**2 / 2.0
    has = pt.gt(k, 0)
    k1 = pt.maximum(k, 1.0)
    marg_sd = pt.sqrt(sb**2 + sw**2 / k1)
    marg = pm.logp(pm.Normal.dist(a, marg_sd), ybar)
    log_h = _log_habit(pt, a, sb, sw, k, ybar, z)
    not_log_normal = pt.sum(population.log_correction(pt, log_h, a, sb, lam))
    pm.Potential(f"days_{name}", pt.sum(pt.switch(has, marg, 0.0)) + within + not_log_normal)
    return log_h, sw**2 / 2.0


def conditional(mu, sb, sw, k, ybar):
    """Mean and precision of ``h_i`` given ``k_i`` days with mean log ``ybar_i`` (the
    conjugate step; numpy arrays or PyTensor tensors)."""
    prec = 1.0 / sb**2 + k / sw**2
    return (mu / sb**2 + k * ybar / sw**2) / prec, prec


def _log_habit(xp, a, sb, sw, k, ybar, z):
    """``h_i`` from ``z_i``, non-centred on the conjugate conditional given the days under
    the log-normal ``Normal(a_i, sb)``; ``xp`` is ``numpy`` or ``pytensor.tensor`` (the
    graph and the stored draws share the formula)."""
    cond_mean, prec = conditional(a, sb, sw, k, ybar)
    return cond_mean + z / xp.sqrt(prec)


def _habit(xp, a, sb, sw, k, ybar, z):
    """``habit_i`` (exposure units) from ``z_i``: see :func:`_log_habit`."""
    return xp.exp(_log_habit(xp, a, sb, sw, k, ybar, z) + sw**2 / 2.0)


def term_data(
    name: str, design: dict[str, Any], log_h, shift, fused: bool = False
) -> dict[str, Any]:
    """Graph tensors that replace the term's data arrays: knot index/weight or ``x_<e>``.

    ``log_h``, ``shift``: :func:`latent_habit`'s. With ``fused`` (a model for the numba
    backend) the knot positions come from one op
    (:class:`~bayes_walk.inference.fast.position.LatentPosition`, the same formula).
    """
    import pytensor.tensor as pt

    if "interp" in design:
        it = design["interp"]
        lo, hi, npts = float(it["lo"]), float(it["hi"]), int(it["points"])
        if fused:
            pos = LatentPosition(lo, hi, npts)(log_h, shift)
        else:
            habit = pt.exp(log_h + shift)
            pos = pt.clip((habit - lo) / (hi - lo) * (npts - 1), 0.0, npts - 1 - TOP_MARGIN)
        idx = pt.cast(pt.floor(pos), "int64")
        # pos_<e>: the position itself, for as_vectors (forms read i_<e> and w_<e>)
        return {f"i_{name}": idx, f"w_{name}": pos - idx, f"pos_{name}": pos}
    habit = pt.exp(log_h + shift)
    return {f"x_{name}": (habit - design["center"]) / design["scale"]}


def as_vectors(pieces: list, term_data: dict[str, Any] | None = None, fused: bool = False) -> list:
    """Knot curves read at latent values, as :class:`~bayes_walk.model.pieces.Vector` pieces
    (their index is a graph tensor, which the fused strategy cannot lay out).

    With ``fused`` (a model for the numba backend), a curve without stratum rows whose
    index is a latent position of ``term_data`` (:func:`term_data`) is read by one op
    (:class:`~bayes_walk.inference.fast.lerp.LatentLerp`) instead of a graph of gathers.
    """
    from bayes_walk.model.likelihoods.plain import piece_value
    from bayes_walk.model.pieces import KnotCurve, Vector

    positions = {}
    if fused and term_data is not None:
        positions = {
            id(term_data[f"i_{k[4:]}"]): v for k, v in term_data.items() if k.startswith("pos_")
        }

    def vector(p):
        pos = positions.get(id(p.index)) if p.rows is None else None
        if pos is None:
            return Vector(piece_value(p))
        from bayes_walk.inference.fast.lerp import LatentLerp

        return Vector(LatentLerp()(p.values, pos))

    return [vector(p) if isinstance(p, KnotCurve) else p for p in pieces]


def habit_draws(
    post: xr.Dataset, cohort: xr.Dataset, name: str, covariates: np.ndarray | None = None
) -> np.ndarray:
    """``habit_i`` (exposure units) at the draws of ``post``: ``(chain, draw, participant)``.

    :func:`latent_habit`'s formula (tested equal to its graph), in numpy, from the
    posterior's ``habit_mu_<e>``, ``habit_sd_<e>``, ``day_sd_<e>``, ``habit_z_<e>`` and the
    cohort's day statistics. The fit stores it at the posterior predictive's draws.
    ``covariates`` is the model's ``X_covariates`` (participant, covariate) when the spec
    adjusts (the population location depends on them through ``habit_beta_<e>``).
    """
    st = daily_statistics(cohort, name)
    k, ybar = st["k"].astype(np.float64), st["mean_log"]

    def scalar(var: str) -> np.ndarray:
        return np.asarray(post[f"{var}_{name}"].transpose("chain", "draw").values)[..., None]

    mu, sb, sw = scalar("habit_mu"), scalar("habit_sd"), scalar("day_sd")
    z = np.asarray(post[f"habit_z_{name}"].transpose("chain", "draw", "participant").values)
    beta = post.get(f"habit_beta_{name}")
    if beta is not None:
        if covariates is None:
            raise ValueError(f"habit_draws of {name}: the fit has habit_beta, pass covariates")
        b = np.asarray(beta.transpose("chain", "draw", dim(name)).values)
        mu = population.location(np, mu[..., 0], b, np.asarray(covariates, dtype=np.float64))
    return _habit(np, mu, sb, sw, k, ybar, z)
