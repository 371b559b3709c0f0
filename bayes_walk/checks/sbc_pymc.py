"""SBC for a PyMC model: prior draws with PyMC, fits with one nutpie-compiled model.

The model is compiled once; each simulated outcome is swapped into the ``pm.Data``
container that holds the observed outcome (``CompiledModel.with_data``), so replicates
cost a sampler run each and no recompilation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from bayes_walk.checks.sbc import Posterior, Quantity, Replicate


@dataclass
class PymcSBC:
    """An :class:`~bayes_walk.checks.sbc.SBCSetup` for a PyMC model.

    Parameters
    ----------
    model : pymc.Model
        The model that is fitted. Its observed outcome ``outcome`` must have a ``pm.Data``
        container named ``data_name`` as observed value.
    quantities : mapping of name -> callable
        Each maps a Dataset with ``(chain, draw, ...)`` variables (prior or posterior) to a
        ``(chain, draw)`` DataArray (see :func:`~bayes_walk.checks.sbc.var`).
    data_name : str
        Name of the ``pm.Data`` holding the observed outcome.
    outcome : str
        Name of the observed random variable.
    simulate_model : pymc.Model, optional
        Model the data are simulated from (default: ``model``). A different prior here is
        how a deliberately broken SBC is made.
    var_names : sequence of str, optional
        Variables nutpie stores (default: all free variables and deterministics the
        quantities need; keeping per-participant deterministics out saves time).
    draws, tune, chains : int
        Sampler settings per replicate.
    target_accept : float, optional
        The step-size adaptation's target acceptance; None: nutpie's default (0.8).
    """

    model: object
    quantities_fn: Mapping[str, Quantity]
    data_name: str
    outcome: str = "clbp"
    simulate_model: object | None = None
    var_names: Sequence[str] | None = None
    draws: int = 300
    tune: int = 300
    chains: int = 2
    target_accept: float | None = None
    _compiled: object | None = field(default=None, repr=False)

    @property
    def quantities(self) -> tuple[str, ...]:
        return tuple(self.quantities_fn)

    def compiled(self):
        """The nutpie-compiled model (compiled on first use, then reused)."""
        if self._compiled is None:
            import nutpie

            names = None if self.var_names is None else list(self.var_names)
            self._compiled = nutpie.compile_pymc_model(self.model, var_names=names)
        return self._compiled

    def share_compiled(self, other: PymcSBC) -> None:
        """Reuse ``other``'s compiled model (same fitted model, e.g. other simulation prior)."""
        self.model = other.model
        self._compiled = other.compiled()

    def simulate(self, n: int, seed: int) -> list[Replicate]:
        """Draw ``n`` parameter sets and outcomes from the (simulation) model's prior."""
        import pymc as pm

        sim = self.simulate_model if self.simulate_model is not None else self.model
        idata = pm.sample_prior_predictive(draws=n, model=sim, random_seed=seed)
        prior = idata.prior.isel(chain=0)
        outcomes = idata.prior_predictive[self.outcome].isel(chain=0).values
        truths = {
            name: np.asarray(fn(prior).values, dtype=np.float64)
            for name, fn in self.quantities_fn.items()
        }
        for name, t in truths.items():
            if t.shape != (n,):
                raise ValueError(
                    f"quantity {name} must be one number per draw, got shape {t.shape}"
                )
        return [
            Replicate(
                truth={name: float(t[r]) for name, t in truths.items()},
                data={self.data_name: outcomes[r]},
            )
            for r in range(n)
        ]

    def posterior(self, data: Mapping[str, np.ndarray], seed: int) -> Posterior:
        """Fit the compiled model to ``data`` with nutpie."""
        import nutpie

        compiled = self.compiled().with_data(**data)
        extra = {} if self.target_accept is None else {"target_accept": self.target_accept}
        idata = nutpie.sample(
            compiled,
            draws=self.draws,
            tune=self.tune,
            chains=self.chains,
            seed=int(seed),
            progress_bar=False,
            **extra,
        )
        draws = self.quantity_draws(idata.posterior, data)
        div = int(idata.sample_stats["diverging"].sum()) if "diverging" in idata.sample_stats else 0
        return Posterior(draws=draws, divergences=div)

    def quantity_draws(self, post, data: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Each quantity's posterior draws, flattened over chains (``data``: the replicate's)."""
        return {
            name: np.asarray(fn(post).transpose("chain", "draw").values).ravel()
            for name, fn in self.quantities_fn.items()
        }
