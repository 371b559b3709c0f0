"""SBC of a spec with ``measurement = "days"``: the valid days are simulated too.

The fitted model sees the days only through their per-participant statistics (mean log
day ``days_mean_<e>`` and within-person sum of squares ``days_ss_<e>``, held in
``pm.Data``; the number of valid days ``days_k_<e>`` stays the cohort's). PyMC's prior
predictive cannot draw them (the day model is a ``pm.Potential``) and would compute each
habit from the cohort's *observed* days, so a replicate is drawn here by the generative
story of docs/models.md "Measurement error":

1. every parameter from the prior (``pm.sample_prior_predictive``);
2. a log habit ``h_i`` per participant from the population model
   (``model/habit_population.py``: Box-Cox normal with shape ``habit_shape`` around
   ``habit_mu + X_i habit_beta``);
3. the day statistics given the habit: ``ybar_i ~ Normal(h_i, day_sd / sqrt(k_i))`` and
   ``ss_i ~ day_sd**2 * chi2(k_i - 1)`` (what ``k_i`` log-normal days would give);
4. the outcome at ``habit_i = exp(h_i + day_sd**2 / 2)``: the model is forward-sampled
   with ``habit_z`` set to the value that reproduces ``h_i`` from the cohort's day
   statistics (the model computes the habit from ``habit_z`` and the data in ``pm.Data``).

The replicate's data are the outcome and the simulated ``days_mean``/``days_ss``; the
fitted model reads them through ``with_data``. Besides the spec's quantities, the
population (``habit_mu``, ``habit_sd``, ``habit_shape``) and day parameters and the habit
of two participants (fewest and most valid days) are ranked.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from bayes_walk.checks.prior_check import POTENTIALS_IGNORED
from bayes_walk.checks.sbc import Replicate, var
from bayes_walk.checks.sbc_pymc import PymcSBC
from bayes_walk.model import habit_population as population
from bayes_walk.model.measurement import _habit, conditional


@dataclass
class MeasurementSBC(PymcSBC):
    """:class:`PymcSBC` whose replicates also draw the days of each ``exposures``.

    Parameters
    ----------
    exposures : tuple of str
        Exposures with ``measurement = "days"``.
    (others)
        As :class:`~bayes_walk.checks.sbc_pymc.PymcSBC`.
    """

    exposures: tuple[str, ...] = ()
    _watch: dict = field(default_factory=dict, repr=False)
    # the habits (exposure units) of the last simulate(): exposure -> (replicate, participant)
    last_habits: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.quantities_fn = dict(self.quantities_fn)
        for e in self.exposures:
            for p in ("habit_mu", "habit_sd", "habit_shape", "day_sd"):
                self.quantities_fn[f"{p}_{e}"] = var(f"{p}_{e}")
            # with habit_covariates: the weight of the last predictor (an other exposure
            # when the spec has one, else the last covariate column)
            pred = self.model.coords.get(f"habit_predictor_{e}")
            if pred:
                label = f"habit_beta_{e}[{pred[-1]}]"
                sel = {f"habit_predictor_{e}": pred[-1]}
                self.quantities_fn[label] = var(f"habit_beta_{e}", **sel)
            k = self._data(f"days_k_{e}")
            has = np.flatnonzero(k > 0)
            fewest = int(has[np.argmin(k[has])])
            most = int(has[np.argmax(k[has])])
            for label, j in (
                (f"habit {e} ({int(k[fewest])} days)", fewest),
                (f"habit {e} ({int(k[most])} days)", most),
            ):
                self._watch[label] = (e, j)

    @property
    def quantities(self) -> tuple[str, ...]:
        return (*self.quantities_fn, *self._watch)

    def _data(self, name: str) -> np.ndarray:
        return np.asarray(self.model[name].get_value(), dtype=np.float64)

    def _location(self, draws: xr.Dataset, e: str, rows=slice(None)) -> np.ndarray:
        """Population location ``habit_mu + X @ habit_beta`` per draw (draw, participant)."""
        mu = np.asarray(draws[f"habit_mu_{e}"].values).reshape(-1)
        if f"habit_beta_{e}" not in draws:
            return mu[:, None]
        beta = np.asarray(draws[f"habit_beta_{e}"].values).reshape(mu.size, -1)
        return population.location(np, mu, beta, self._data(f"X_habit_{e}")[rows])

    def simulate(self, n: int, seed: int) -> list[Replicate]:
        """Draw ``n`` parameter sets, day statistics and outcomes (module docstring)."""
        import pymc as pm

        sim = self.simulate_model if self.simulate_model is not None else self.model
        with warnings.catch_warnings():
            # the Potential is the day model, which this method draws itself
            warnings.filterwarnings("ignore", message=POTENTIALS_IGNORED, category=UserWarning)
            prior = pm.sample_prior_predictive(draws=n, model=sim, random_seed=seed).prior
        rng = np.random.default_rng([seed, 16])
        free = [v.name for v in sim.free_RVs]
        trace = prior[free].copy()
        days: dict[str, np.ndarray] = {}
        truth_habit: dict[str, np.ndarray] = {}
        for e in self.exposures:
            k = self._data(f"days_k_{e}")
            ybar_obs = self._data(f"days_mean_{e}")
            shape, sb, sw = (
                np.asarray(prior[f"{p}_{e}"].isel(chain=0).values)[:, None]
                for p in ("habit_shape", "habit_sd", "day_sd")
            )
            lam = population.exponent(shape, sb)
            a = self._location(prior.isel(chain=0), e)
            h = population.draw(rng, a, sb, lam, (n, k.size))
            ybar = np.where(
                k > 0, h + sw / np.sqrt(np.maximum(k, 1.0)) * rng.standard_normal(h.shape), 0.0
            )
            df = np.maximum(k - 1.0, 0.0)
            ss = np.where(df > 0, sw**2 * rng.chisquare(np.maximum(df, 1.0), size=h.shape), 0.0)
            days[f"days_mean_{e}"], days[f"days_ss_{e}"] = ybar, ss
            m_obs, prec = conditional(a, sb, sw, k, ybar_obs)
            z = (h - m_obs) * np.sqrt(prec)
            trace[f"habit_z_{e}"] = (("chain", "draw", "participant"), z[None])
            truth_habit[e] = np.exp(h + sw**2 / 2.0)
        self.last_habits = truth_habit
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=POTENTIALS_IGNORED, category=UserWarning)
            pp = pm.sample_posterior_predictive(
                trace, model=sim, var_names=[self.outcome], random_seed=seed, progressbar=False
            )
        outcomes = pp.posterior_predictive[self.outcome].isel(chain=0).values
        truths = {
            k: np.asarray(fn(prior.isel(chain=0)).values, dtype=np.float64)
            for k, fn in self.quantities_fn.items()
        }
        for label, (e, j) in self._watch.items():
            truths[label] = truth_habit[e][:, j]
        return [
            Replicate(
                truth={k: float(t[r]) for k, t in truths.items()},
                data={self.data_name: outcomes[r], **{k: v[r] for k, v in days.items()}},
            )
            for r in range(n)
        ]

    def quantity_draws(
        self, post: xr.Dataset, data: Mapping[str, np.ndarray]
    ) -> dict[str, np.ndarray]:
        """The spec's quantities, then the watched habits from the draws and ``data``'s days."""
        out = super().quantity_draws(post, data)
        flat = post.transpose("chain", "draw", ...)
        for label, (e, j) in self._watch.items():
            k = self._data(f"days_k_{e}")[j]
            ybar = float(np.asarray(data[f"days_mean_{e}"])[j])
            sb, sw = (np.asarray(flat[f"{p}_{e}"].values).ravel() for p in ("habit_sd", "day_sd"))
            a = self._location(flat, e, rows=[j])[:, 0]
            z = np.asarray(flat[f"habit_z_{e}"].isel(participant=j).values).ravel()
            out[label] = _habit(np, a, sb, sw, k, ybar, z)
        return out
