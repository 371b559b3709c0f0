"""An exactly solvable SBC setup (Gamma-Poisson) to test the SBC machinery itself.

rate ~ Gamma(a, b); y_i ~ Poisson(rate * exposure_i). The posterior is
Gamma(a + sum y, b + sum exposure), so posterior draws are exact and independent and
the ranks of a correct setup are exactly uniform. ``sim_a``/``sim_b`` simulate from a
different prior than the one the posterior assumes (a broken model).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bayes_walk.checks.sbc import Posterior, Replicate


@dataclass
class GammaPoissonSBC:
    a: float = 3.0
    b: float = 20.0
    n: int = 50
    draws: int = 400
    sim_a: float | None = None
    sim_b: float | None = None
    quantities: tuple[str, ...] = ("rate", "log_rate")

    def simulate(self, n: int, seed: int) -> list[Replicate]:
        rng = np.random.default_rng(seed)
        a = self.a if self.sim_a is None else self.sim_a
        b = self.b if self.sim_b is None else self.sim_b
        out = []
        for _ in range(n):
            rate = rng.gamma(a, 1.0 / b)
            y = rng.poisson(rate, size=self.n)
            out.append(Replicate({"rate": rate, "log_rate": np.log(rate)}, {"y": y}))
        return out

    def posterior(self, data, seed: int) -> Posterior:
        rng = np.random.default_rng(seed)
        y = data["y"]
        rate = rng.gamma(self.a + y.sum(), 1.0 / (self.b + y.size), size=self.draws)
        return Posterior({"rate": rate, "log_rate": np.log(rate)})
