"""The fused likelihood (Poisson or log-binomial): one numba pass for the linear predictor, the
density and its gradient.

An optional likelihood strategy (``strategy.FusedLikelihood``, chosen by
``build_model(..., fused=True)``) beside the plain PyMC likelihood
(:mod:`bayes_walk.model.likelihoods.plain`); it reads the same pieces of the linear
predictor, and tests tie the two together.
"""
