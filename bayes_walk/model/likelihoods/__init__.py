"""Likelihood strategies: how the pieces of the linear predictor become a log density.

A strategy receives the pieces of every term (:mod:`bayes_walk.model.pieces`) and the
observed outcome's data tensor inside the model context, and adds the likelihood:

- ``plain`` (:mod:`bayes_walk.model.likelihoods.plain`): the pieces summed as a PyMC
  graph, ``mu`` as a Deterministic and an observed ``pm.Poisson`` / ``pm.Bernoulli``: the
  reference model, for every likelihood and sampler;
- ``fused`` (:mod:`bayes_walk.inference.fast.strategy`): the same pieces handed to one
  numba kernel (``LogLinearLikelihood``) as a ``pm.Potential``; Poisson or log-binomial,
  for a one-off fit (its data are frozen into the kernel's arrays). Tests hold it equal to ``plain``.

``build_model(..., fused=True)`` picks the second; a strategy object is made per model
(it keeps what its pointwise log-likelihood needs).
"""

from __future__ import annotations

from typing import Any, Protocol


class LikelihoodStrategy(Protocol):
    """What the builder needs from a likelihood strategy."""

    name: str
    # whether BuiltModel.set_data may swap the data of a model built with it
    accepts_new_data: bool

    def check(self, spec: Any) -> None:
        """Raise :class:`~bayes_walk.errors.SpecError` if ``spec`` cannot use it."""

    def add(self, spec: Any, pieces: list, observed: Any) -> None:
        """Add the likelihood of ``observed`` given ``eta = sum(pieces)`` to the model
        in context."""


def make_likelihood(fused: bool = False) -> LikelihoodStrategy:
    """A fresh strategy object: the fused one when ``fused``, else the plain one."""
    if fused:
        from bayes_walk.inference.fast.strategy import FusedLikelihood

        return FusedLikelihood()
    from bayes_walk.model.likelihoods.plain import PlainLikelihood

    return PlainLikelihood()
