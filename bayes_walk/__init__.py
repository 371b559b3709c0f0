"""bayes_walk: Bayesian dose-response analysis of accelerometer-measured walking and CLBP.

The public API (``docs/api.md``)::

    import bayes_walk as bw
    cohort = bw.simulate(n=1500, seed=0)
    fit = bw.fit("gp", cohort, chains=2, draws=500, tune=500)
    fit.rr("walking_min", at=[60, 100, 150])

Names are imported on first use, so ``import bayes_walk`` stays fast (no PyMC).
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("bayes_walk")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

# public name -> "module:attribute"
_API: dict[str, str] = {
    "simulate": "bayes_walk.api:simulate",
    "import_cohort": "bayes_walk.api:import_cohort",
    "load_cohort": "bayes_walk.api:load_cohort",
    "save_cohort": "bayes_walk.api:save_cohort",
    "load_spec": "bayes_walk.api:load_spec",
    "fit": "bayes_walk.api:fit",
    "load_fit": "bayes_walk.api:load_fit",
    "compare": "bayes_walk.api:compare",
    "plateau": "bayes_walk.api:plateau",
    "report": "bayes_walk.api:report",
    "samplers": "bayes_walk.api:samplers",
    "prior": "bayes_walk.api:prior",
    "sweep": "bayes_walk.api:sweep",
    "Fit": "bayes_walk.results:Fit",
    "ModelCache": "bayes_walk.inference.compiled:ModelCache",
    "register_sampler": "bayes_walk.inference.samplers.registry:register_sampler",
    "BayesWalkError": "bayes_walk.errors:BayesWalkError",
    "FitFileError": "bayes_walk.errors:FitFileError",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    target = _API.get(name)
    if target is None:
        raise AttributeError(f"module 'bayes_walk' has no attribute {name!r}")
    module, _, attr = target.partition(":")
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
