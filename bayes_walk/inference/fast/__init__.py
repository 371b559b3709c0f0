"""The fused Poisson likelihood: one numba pass for the linear predictor, exp and gradient.

An optional likelihood strategy (``strategy.FusedPoisson``, chosen by
``build_model(..., fused=True)``) beside the plain PyMC likelihood
(:mod:`bayes_walk.model.likelihoods.plain`); it reads the same pieces of the linear
predictor, and tests tie the two together.
"""
