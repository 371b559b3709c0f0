"""The fused Poisson likelihood: one numba pass for the linear predictor, exp and gradient.

An optional strategy beside the plain PyMC likelihood; tests tie the two together.
"""
