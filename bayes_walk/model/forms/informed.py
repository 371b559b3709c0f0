"""Data-informed parametrisation of HSGP basis weights (``parametrisation = "informed"``).

Non-centred weights ``coef = s(theta) * z``, ``z ~ N(0, I)`` (``s`` the prior SD of each
weight, a function of the amplitude and lengthscale ``theta``) are right while the prior
dominates. When the data pin a few combinations of the weights down, ``z`` must follow
``1 / s(theta)`` along those combinations: a curved ridge between ``theta`` and ``z`` whose
width shrinks like ``1 / sqrt(n)`` (the divergent transitions of the default ``gp`` at
n = 200,000). This transform removes the ridge with a Gaussian approximation of the
likelihood of the weights, ``loglik(coef) ~ h' coef - coef' B B' coef / 2`` (``B``:
m x r, the r directions the data inform; :mod:`bayes_walk.model.information`), fixed
from the training cohort. Given ``theta`` the weights' approximate posterior in
whitened units ``z = coef / s`` is ``N(nu, (I + U U')^-1)`` with ``U = s * B``, and the
sampler's free variable ``u`` is that posterior standardised:

    coef = s * (nu(theta) + K(theta) u),   K K' = (I + U U')^-1,
    K = I - U L^-T (L + I)^-1 U',   L L' = I + U' U  (r x r Cholesky).

Where the data are weak (``U`` small) ``K -> I``, ``nu -> 0`` and this is the
non-centred parametrisation; where they dominate, ``u`` is the weights' own
standardised posterior, whatever ``theta``. ``log |det dcoef/du| = sum log s - sum
log diag L``. It is a change of variables for every ``theta``, so the posterior is the
same whatever ``B`` and ``h`` are (tests compare the log density with the non-centred
model's); ``B`` and ``h`` only decide how round the sampler's geometry is. A gradient
costs O(m r + r^3) beyond the non-centred one.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# Eigenvalues of the whitened information below this are dropped from ``B``: such a
# direction's posterior SD is within 1% of its prior SD, so non-centred is already right.
RANK_MIN_EIGENVALUE = 0.02
# ``parametrisation = "auto"`` uses the informed transform when the data's information
# in the best-identified direction exceeds the prior's by this factor (posterior SD under
# a fifth of the prior SD). docs/models.md "Large cohorts": the non-centred `gp` is clean
# on 20 of 20 cohorts of n = 11,194 (largest ratio about 12) and diverges at 50,000 and
# 200,000 (about 50 and 200).
AUTO_MIN_EIGENVALUE = 25.0
PARAMETRISATIONS = ("noncentred", "informed", "auto")


def low_rank(
    H: np.ndarray, h: np.ndarray, s0: np.ndarray, min_eigenvalue: float = RANK_MIN_EIGENVALUE
) -> dict[str, Any]:
    """The informed directions of a Gaussian likelihood approximation.

    Parameters
    ----------
    H
        (m, m) information matrix of the weights (profiled over the nuisance terms).
    h
        (m,) information vector: ``loglik(coef) ~ h' coef - coef' H coef / 2``.
    s0
        (m,) prior SD of the weights at reference hyperparameters; the directions are
        those of ``diag(s0) H diag(s0)`` (data information relative to the prior).
    min_eigenvalue
        Directions whose relative information is below this are left non-centred.

    Returns
    -------
    dict
        ``B`` (m x r) with ``B B' ~ H`` on the kept directions, ``h`` (m,) projected on
        them, and ``eigenvalues`` (all, descending): JSON-able lists.
    """
    H = np.asarray(H, dtype=np.float64)
    s0 = np.asarray(s0, dtype=np.float64)
    lam, V = np.linalg.eigh(s0[:, None] * H * s0[None, :])
    order = np.argsort(lam)[::-1]
    lam, V = lam[order], V[:, order]
    keep = lam > min_eigenvalue
    Vk = V[:, keep]
    B = Vk * np.sqrt(lam[keep]) / s0[:, None]
    hk = (Vk @ (Vk.T @ (s0 * np.asarray(h, dtype=np.float64)))) / s0
    return {
        "B": B.tolist(),
        "h": hk.tolist(),
        "eigenvalues": [float(v) for v in np.clip(lam, 0.0, None)],
    }


def use_informed(parametrisation: str, eigenvalues: list[float]) -> bool:
    """Whether a curve with these relative-information eigenvalues is sampled informed."""
    if parametrisation == "informed":
        return True
    if parametrisation == "auto":
        return bool(eigenvalues) and max(eigenvalues) >= AUTO_MIN_EIGENVALUE
    return False


def informed_transform(B: Any, h: Any):
    """The transform ``u -> coef`` of ``pm.Normal(name, 0, s, transform=...)``.

    Parameters
    ----------
    B, h
        The fixed informed directions and information vector (:func:`low_rank`).

    Returns
    -------
    pymc.logprob.transforms.Transform
    """
    import pytensor.tensor as pt
    from pymc.logprob.transforms import Transform
    from pytensor.tensor.slinalg import cholesky, solve_triangular

    Bc = pt.constant(np.asarray(B, dtype=np.float64))
    hc = pt.constant(np.asarray(h, dtype=np.float64))
    m, r = np.asarray(B).shape

    def parts(inputs):
        # the Normal's inputs end with sigma, the weights' prior SD s(theta)
        s = pt.broadcast_to(inputs[-1], (m,))
        U = s[:, None] * Bc
        L = cholesky(pt.eye(r) + pt.dot(U.T, U), lower=True)
        b = s * hc
        w = solve_triangular(L, pt.dot(U.T, b), lower=True)
        nu = b - pt.dot(U, solve_triangular(L.T, w, lower=False))
        return s, U, L, nu

    def apply_k(U, L, u):
        w = solve_triangular(L + pt.eye(r), pt.dot(U.T, u), lower=True)
        return u - pt.dot(U, solve_triangular(L.T, w, lower=False))

    class Informed(Transform):
        name = "informed"

        def backward(self, value, *inputs):
            s, U, L, nu = parts(inputs)
            return s * (nu + apply_k(U, L, value))

        def forward(self, value, *inputs):
            # only for initial points: K as a dense (m, m) matrix, then a solve
            s, U, L, nu = parts(inputs)
            return pt.linalg.solve(apply_k(U, L, pt.eye(m)), value / s - nu)

        def log_jac_det(self, value, *inputs):
            s, _, L, _ = parts(inputs)
            return pt.sum(pt.log(s)) - pt.sum(pt.log(pt.diag(L)))

    return Informed()


def diagonal_transform(d: Any, h: Any):
    """The elementwise version for independent effects (varying intercepts).

    With information ``d_g`` and information vector ``h_g`` per effect (no coupling
    between effects), ``effect_g = mean_g + sd_g u_g`` with ``sd_g = (1 / s^2 +
    d_g)^-1/2`` and ``mean_g = sd_g^2 h_g``, the effect's Gaussian posterior given the
    group SD ``s``: non-centred (``s u_g``) for a group with few cases, centred on its own
    estimate for one with many.
    """
    import pytensor.tensor as pt
    from pymc.logprob.transforms import Transform

    dc = pt.constant(np.asarray(d, dtype=np.float64))
    hc = pt.constant(np.asarray(h, dtype=np.float64))

    def parts(inputs):
        # posterior SD and mean of each effect under N(0, s^2) and the approximation;
        # written without s * (...) / s, on which PyTensor's canonicalisation of the
        # Normal log density at the transformed value did not terminate
        s = inputs[-1]
        prec = pt.reciprocal(s**2) + dc
        return pt.reciprocal(pt.sqrt(prec)), hc / prec

    class DiagonalInformed(Transform):
        name = "informed"

        def backward(self, value, *inputs):
            sd, mean = parts(inputs)
            return mean + sd * value

        def forward(self, value, *inputs):
            sd, mean = parts(inputs)
            return (value - mean) / sd

        def log_jac_det(self, value, *inputs):
            sd, _ = parts(inputs)
            return pt.log(sd)

    return DiagonalInformed()
