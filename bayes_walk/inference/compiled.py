"""Compiled-model reuse with a clear owner.

Fitting one model to many data sets (SBC replicates, sweep tasks on one cohort shape)
should compile the model once. A :class:`ModelCache` holds the built model and each
backend's compiled form of it; the caller creates it, passes it to every
:func:`bayes_walk.inference.fit.fit` call, and drops it when done. Nothing is kept at
module level.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class ModelCache:
    """A built model plus the samplers' compiled forms of it.

    Parameters
    ----------
    built
        A :class:`~bayes_walk.model.builder.BuiltModel` built with ``fused=False`` (its data
        are ``pm.Data`` containers, swapped by ``built.set_data(cohort)`` before each fit).

    Examples
    --------
    >>> cache = ModelCache.for_spec(spec, cohort)  # doctest: +SKIP
    >>> for data in replicates:  # doctest: +SKIP
    ...     idata = fit(spec, data, cache=cache, progress=False)
    """

    def __init__(self, built: Any) -> None:
        self.built = built
        self._compiled: dict[str, Any] = {}

    @classmethod
    def for_spec(cls, spec: Any, cohort: Any) -> ModelCache:
        """Build ``spec`` on ``cohort`` (plain, not fused) and wrap it."""
        from bayes_walk.model.builder import build_model

        return cls(build_model(spec, cohort))

    def compiled(self, backend: str, make: Callable[[], Any]) -> Any:
        """The compiled model of ``backend``, made by ``make()`` on first use."""
        if backend not in self._compiled:
            self._compiled[backend] = make()
        return self._compiled[backend]

    def __contains__(self, backend: str) -> bool:
        return backend in self._compiled

    def current_data(self) -> dict[str, Any]:
        """The values of the model's ``pm.Data`` containers (for ``with_data`` swaps)."""
        model = self.built.model
        return {name: model[name].get_value() for name in self.built.data_names}
