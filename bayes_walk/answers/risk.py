"""Absolute risks, risk differences and attributable fractions of a fit (g-computation).

Uses what the fit stores: ``posterior_predictive.mu`` (the expected outcome of every
participant at the stored draws), the participants' exposures in ``constant_data`` and
the form's own curve prediction on the same draws (:mod:`bayes_walk.estimands.risk`).
Other exposures and covariates stay as observed. Tidy pandas frames.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from bayes_walk.errors import BayesWalkError
from bayes_walk.estimands.draws import interval
from bayes_walk.estimands.risk import attributable_fraction, observed_risk, standardised_risk

# Points of each draw's curve that per-draw exposures (a latent habit) are read from by
# linear interpolation (tests hold it to the exact per-participant prediction).
LATENT_GRID = 2048


class RiskData:
    """The per-draw arrays a fit's g-computation needs, for one exposure.

    For a ``measurement = "days"`` exposure each participant is moved from their latent
    habit at that draw (``posterior_predictive.habit_<exposure>``), not the observed mean.
    """

    def __init__(self, fit, exposure: str, *, max_draws: int | None = None) -> None:
        """``max_draws``: keep at most that many posterior draws in all (evenly spaced
        along ``draw`` in every chain); None keeps every stored one."""
        from bayes_walk.model.forms import get_form

        idata = fit.idata
        src = self.source = str(fit.path or fit.name)
        d = fit.designs["exposures"][exposure]
        if d["form"] == "joint":
            raise BayesWalkError(
                f"{src}: absolute risks need a curve of {exposure} alone; the joint form's "
                "cells are not supported (fit a curve form such as gp or rcs)"
            )
        latent = "measurement" in d
        if latent and "habit_" + exposure not in getattr(idata, "posterior_predictive", {}):
            # mu_i holds f(habit_i): moving participant i to x needs f(x) - f(habit_i)
            raise BayesWalkError(
                f"{src}: absolute risks of {exposure} need each participant's latent habit "
                f"per draw (posterior_predictive.habit_{exposure}), which this "
                "measurement = 'days' fit lacks; refit with `bayes-walk fit`"
            )
        for group, var in (("posterior_predictive", "mu"), ("constant_data", exposure)):
            if group not in idata.groups() or var not in idata[group]:
                raise BayesWalkError(
                    f"{src}: the fit has no '{group}.{var}' needed for absolute risks; "
                    "refit with `bayes-walk fit`"
                )
        mu = idata.posterior_predictive["mu"]
        self.draws_stored = int(mu.sizes["chain"] * mu.sizes["draw"])
        if max_draws is not None and self.draws_stored > max_draws:
            step = -(-self.draws_stored // max(int(max_draws), 1))
            mu = mu.isel(draw=slice(None, None, step))
        self.post = idata.posterior.sel(draw=mu["draw"].values)
        self.mu = mu.transpose("chain", "draw", "participant").values.astype(np.float64)
        self.form = get_form(d["form"])
        self.design = d
        self.exposure = exposure
        self.codes = (
            _stratum_codes(fit) if "stratum" in idata.posterior[f"logrr_{exposure}"].dims else None
        )
        if latent:
            # each participant's exposure differs between draws: (chain, draw, participant)
            habit = idata.posterior_predictive[f"habit_{exposure}"].sel(draw=mu["draw"].values)
            self.x_obs = habit.transpose("chain", "draw", "participant").values.astype(np.float64)
        else:
            self.x_obs = np.asarray(idata.constant_data[exposure].values, dtype=np.float64)
        self.n_participants = int(self.mu.shape[-1])
        self.f_obs = self._per_participant(self.x_obs)
        self.sample = ("chain", "draw")

    def _curve(self, x: np.ndarray) -> np.ndarray:
        try:
            out = self.form.predict(x, self.post, self.design, self.exposure)
        except KeyError as exc:
            # a fit file whose design or posterior lacks what the form predicts from
            raise BayesWalkError(
                f"{self.source}: the {self.design['form']} curve of {self.exposure} cannot be "
                f"predicted at new values (the fit lacks {exc}); refit with `bayes-walk fit`"
            ) from None
        order = [dim for dim in ("chain", "draw", "stratum", "x") if dim in out.dims]
        return out.transpose(*order).values

    def _per_participant(self, x: np.ndarray) -> np.ndarray:
        """Log-RR at ``x`` (one value per participant, or per draw and participant for a
        latent exposure), ``(chain, draw, participant)``."""
        if x.ndim == 3:
            return self._per_draw(x)
        vals = self._curve(x)
        if self.codes is None:
            return vals
        idx = np.arange(x.size)
        return vals[:, :, self.codes, idx]

    def _per_draw(self, x: np.ndarray) -> np.ndarray:
        """Log-RR at values that differ per draw ``(chain, draw, participant)``: each
        draw's curve on a fine grid over the values' range, read by linear interpolation
        (the form predicts at one set of x for all draws)."""
        grid = np.linspace(float(np.min(x)), float(np.max(x)), LATENT_GRID)
        vals = self._curve(grid)  # (chain, draw[, stratum], grid)
        if self.codes is None:
            vals = vals[:, :, None, :]
            groups = [(0, slice(None))]
        else:
            groups = [(s, self.codes == s) for s in np.unique(self.codes)]
        out = np.empty_like(x)
        for c in range(x.shape[0]):
            for k in range(x.shape[1]):
                for s, sel in groups:
                    out[c, k, sel] = np.interp(x[c, k, sel], grid, vals[c, k, s])
        return out

    @property
    def n_draws(self) -> int:
        """Posterior draws the risks are computed on (chains x draws)."""
        return int(self.mu.shape[0] * self.mu.shape[1])

    def risk_at(self, x: float) -> np.ndarray:
        """Standardised risk per draw, ``(chain, draw)``, if everyone had exposure ``x``."""
        # one curve value per draw (and stratum), broadcast to the participants: the form
        # predicts at one x instead of n copies of it
        vals = self._curve(np.array([float(x)]))
        f_new = vals if self.codes is None else vals[:, :, self.codes, 0]
        return self.risk_with(f_new)

    def risk_with(self, f_new: np.ndarray) -> np.ndarray:
        """Standardised risk per draw with the log-RRs ``f_new``: ``(chain, draw,
        participant)``, or ``(chain, draw, 1)`` for one value per draw."""
        c, d, n = self.mu.shape
        f_new = np.asarray(f_new)
        flat = standardised_risk(
            self.mu.reshape(c * d, n), self.f_obs.reshape(c * d, n), f_new.reshape(c * d, -1)
        )
        return flat.reshape(c, d)

    def observed(self) -> np.ndarray:
        c, d, n = self.mu.shape
        return observed_risk(self.mu.reshape(c * d, n)).reshape(c, d)

    def draws(self, values: np.ndarray, xs) -> xr.DataArray:
        return xr.DataArray(
            values,
            dims=("chain", "draw", "x"),
            coords={"chain": self.post["chain"].values, "draw": self.post["draw"].values, "x": xs},
        )


def _stratum_codes(fit) -> np.ndarray:
    strata = fit.designs.get("strata") or {}
    var = strata.get("variable")
    cd = fit.idata.constant_data
    if var == "age65" and "age" in cd:
        return (np.asarray(cd["age"].values) >= 65).astype(np.int64)
    if var in cd:
        return np.asarray(cd[var].values, dtype=np.int64)
    raise BayesWalkError(
        f"{fit.path or fit.name}: stratum variable '{var}' is not in the fit's constant_data"
    )


def _summ(da: xr.DataArray, prob: float, hdi: bool, scale: float = 1.0) -> dict[str, np.ndarray]:
    iv = interval(da * scale, prob=prob, hdi=hdi)
    return {k: np.atleast_1d(iv[k].values) for k in ("median", "lo", "hi")}


def absolute_risk_frame(
    data: RiskData, at, outside: np.ndarray, *, prob: float = 0.95, hdi: bool = False
) -> pd.DataFrame:
    """``x``, ``risk_median``, ``risk_lo``, ``risk_hi`` (average risk if everyone had x)."""
    xs = np.atleast_1d(np.asarray(at, dtype=np.float64))
    vals = np.stack([data.risk_at(x) for x in xs], axis=-1)
    vals[..., outside] = np.nan
    s = _summ(data.draws(vals, xs), prob, hdi)
    return pd.DataFrame(
        {"x": xs, "risk_median": s["median"], "risk_lo": s["lo"], "risk_hi": s["hi"]}
    )


def _contrast(
    data: RiskData, base: np.ndarray, vals: np.ndarray, xs, prob: float, hdi: bool
) -> dict[str, np.ndarray]:
    """Columns ``risk_*``, ``rd_*``, ``prevented_per_1000_*`` and ``p_lower`` of the risks
    ``vals`` ``(chain, draw, x)`` against ``base`` ``(chain, draw)``, per draw."""
    diff = vals - base[..., None]
    out: dict[str, np.ndarray] = {}
    for name, v, scale in (
        ("risk", vals, 1.0),
        ("rd", diff, 1.0),
        ("prevented_per_1000", -diff, 1000.0),
    ):
        s = _summ(data.draws(v, xs), prob, hdi, scale)
        for k in ("median", "lo", "hi"):
            out[f"{name}_{k}"] = s[k]
    out["p_lower"] = np.where(np.isnan(vals).all(axis=(0, 1)), np.nan, (diff < 0).mean(axis=(0, 1)))
    return out


def risk_versus_frame(
    data: RiskData,
    at,
    versus: float,
    *,
    outside: np.ndarray | None = None,
    prob: float = 0.95,
    hdi: bool = False,
) -> pd.DataFrame:
    """One row per ``x`` in ``at``: the risk R(x), the difference R(x) - R(versus), the
    cases per 1,000 people prevented by moving everyone from ``versus`` to x
    (1000 (R(versus) - R(x))) and ``p_lower`` = P(R(x) < R(versus)).

    The risk at ``versus`` is computed once; ``outside`` masks values whose rows are NaN.
    """
    xs = np.atleast_1d(np.asarray(at, dtype=np.float64))
    base = data.risk_at(versus)
    vals = np.stack([data.risk_at(x) for x in xs], axis=-1)
    if outside is not None:
        vals[..., np.asarray(outside, dtype=bool)] = np.nan
    return pd.DataFrame({"x": xs, **_contrast(data, base, vals, xs, prob, hdi)})


def risk_difference_frame(
    data: RiskData, x1: float, x2: float, *, prob: float = 0.95, hdi: bool = False
) -> pd.DataFrame:
    """One row: the risks at ``x1`` and ``x2``, their difference R(x2) - R(x1), the cases
    per 1,000 people prevented by moving everyone from x1 to x2 (1000 (R(x1) - R(x2))) and
    P(R(x2) < R(x1))."""
    r1 = data.risk_at(x1)
    c = _contrast(data, r1, data.risk_at(x2)[..., None], [float(x2)], prob, hdi)
    s1 = _summ(data.draws(r1[..., None], [float(x1)]), prob, hdi)
    out: dict[str, list] = {"x1": [float(x1)], "x2": [float(x2)]}
    out.update({f"risk1_{k}": [float(s1[k][0])] for k in ("median", "lo", "hi")})
    for name, col in (
        ("risk", "risk2"),
        ("rd", "rd"),
        ("prevented_per_1000", "prevented_per_1000"),
    ):
        out.update({f"{col}_{k}": [float(c[f"{name}_{k}"][0])] for k in ("median", "lo", "hi")})
    out["p_lower"] = [float(c["p_lower"][0])]
    return pd.DataFrame(out)


def attributable_fraction_frame(
    data: RiskData, threshold: float, *, prob: float = 0.95, hdi: bool = False
) -> pd.DataFrame:
    """One row: ``threshold``, ``share_below`` (participants under it) and the population
    attributable fraction of exposure below it: 1 - R(everyone below raised to the
    threshold) / R(as observed)."""
    x_cf = np.maximum(data.x_obs, float(threshold))
    f_cf = data._per_participant(x_cf)
    paf = attributable_fraction(data.observed(), data.risk_with(f_cf))[..., None]
    s = _summ(data.draws(paf, [float(threshold)]), prob, hdi)
    return pd.DataFrame(
        {
            "threshold": [float(threshold)],
            # for a latent exposure: the posterior mean share of habits below it
            "share_below": [float((data.x_obs < threshold).mean())],
            "paf_median": s["median"],
            "paf_lo": s["lo"],
            "paf_hi": s["hi"],
        }
    )
