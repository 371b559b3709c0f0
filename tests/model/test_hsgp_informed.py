"""The data-informed parametrisation of HSGP weights: the transform is a change of
variables with the right Jacobian, the model's density is the non-centred model's, the
"auto" rule follows the cohort's information, and a fit through it recovers a known
curve."""

from __future__ import annotations

import numpy as np
import pytest
from _helpers_model import toy_cohort, toy_truth

from bayes_walk.errors import SpecError
from bayes_walk.model.builder import build_model, make_designs
from bayes_walk.model.forms import hsgp
from bayes_walk.model.forms.informed import (
    AUTO_MIN_EIGENVALUE,
    informed_transform,
    low_rank,
    use_informed,
)
from bayes_walk.spec.model_spec import load_spec, spec_from_dict


def _spec(parametrisation: str, **sampler):
    d = load_spec("gp").to_dict()
    for e in d["exposures"].values():
        e["parametrisation"] = parametrisation
    d["sampler"].update(sampler)
    return spec_from_dict(d)


def _parts(seed: int = 0, m: int = 7, r: int = 3):
    rng = np.random.default_rng(seed)
    B = rng.normal(size=(m, r)) * 3.0
    h = rng.normal(size=m) * 5.0
    s = np.exp(rng.normal(size=m) * 0.5) * 0.3
    return B, h, s


def _transform_fns(B, h, s):
    import pytensor
    import pytensor.tensor as pt

    tr = informed_transform(B, h)
    u = pt.dvector("u")
    sig = pt.as_tensor(s)
    inputs = (None, None, pt.as_tensor(0.0), sig)
    coef = tr.backward(u, *inputs)
    back = pytensor.function([u], coef)
    fwd = pytensor.function([u], tr.forward(u, *inputs))
    jac = pytensor.function([u], pytensor.gradient.jacobian(coef, u))
    logdet = pytensor.function([u], tr.log_jac_det(u, *inputs), on_unused_input="ignore")
    return back, fwd, jac, logdet


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_transform_is_the_standardised_gaussian_posterior(seed):
    B, h, s = _parts(seed)
    back, fwd, jac, logdet = _transform_fns(B, h, s)
    u = np.random.default_rng(seed + 10).normal(size=len(h))
    np.testing.assert_allclose(fwd(back(u)), u, atol=1e-9)
    J = jac(u)
    assert logdet(u) == pytest.approx(np.linalg.slogdet(J)[1], abs=1e-9)
    # coef = s * (nu + K u): K K' is the posterior covariance of z = coef / s under the
    # prior N(0, I) and the likelihood exp(h' coef - |B' coef|^2 / 2), nu its mean
    U = s[:, None] * B
    prec = np.eye(len(h)) + U @ U.T
    K = J / s[:, None]
    np.testing.assert_allclose(K @ K.T, np.linalg.inv(prec), atol=1e-10)
    np.testing.assert_allclose(back(np.zeros(len(h))) / s, np.linalg.solve(prec, s * h), atol=1e-9)


def test_without_information_it_is_non_centred():
    m = 6
    back, _, _, logdet = _transform_fns(np.zeros((m, 2)), np.zeros(m), np.full(m, 0.4))
    u = np.linspace(-1.0, 1.0, m)
    np.testing.assert_allclose(back(u), 0.4 * u)
    assert logdet(u) == pytest.approx(m * np.log(0.4))


def test_low_rank_keeps_the_informed_directions():
    rng = np.random.default_rng(3)
    m = 8
    V = np.linalg.qr(rng.normal(size=(m, m)))[0]
    lam = np.array([40.0, 5.0, 0.5, 0.01, 0, 0, 0, 0])
    s0 = np.linspace(1.0, 0.2, m)
    H = (V * lam) @ V.T / np.outer(s0, s0)
    parts = low_rank(H, rng.normal(size=m), s0)
    B = np.asarray(parts["B"])
    assert B.shape == (m, 3)  # 0.01 is below the rank threshold
    np.testing.assert_allclose(parts["eigenvalues"][:3], lam[:3], rtol=1e-8)
    np.testing.assert_allclose(
        s0[:, None] * (B @ B.T) * s0[None, :], (V[:, :3] * lam[:3]) @ V[:, :3].T, atol=1e-8
    )


def test_auto_rule():
    assert use_informed("informed", [0.5])
    assert not use_informed("noncentred", [1e4])
    assert use_informed("auto", [AUTO_MIN_EIGENVALUE, 1.0])
    assert not use_informed("auto", [AUTO_MIN_EIGENVALUE * 0.99])


def test_bad_parametrisation_is_refused():
    d = load_spec("gp").to_dict()
    d["exposures"]["walking_min"]["parametrisation"] = "centred"
    with pytest.raises(SpecError, match="parametrisation must be one of"):
        spec_from_dict(d)


def test_same_density_as_the_non_centred_model():
    cohort = toy_cohort(n=3000, seed=1)
    inf = build_model(_spec("informed"), cohort)
    nc = build_model(_spec("noncentred"), cohort)
    assert "coef_walking_min_informed__" in inf.model.initial_point()
    assert "z_walking_min" in nc.model.initial_point()
    rng = np.random.default_rng(5)
    for _ in range(3):
        point = {
            k: v + rng.normal(size=np.shape(v)) * 0.3 for k, v in inf.model.initial_point().items()
        }
        coefs = inf.model.compile_fn(
            inf.model.replace_rvs_by_values(
                [inf.model["coef_walking_min"], inf.model["coef_walking_mets"]]
            ),
            inputs=inf.model.value_vars,
            on_unused_input="ignore",
        )(point)
        other = {k: v for k, v in point.items() if "informed__" not in k}
        log_s = 0.0
        for e, coef in zip(("walking_min", "walking_mets"), coefs, strict=True):
            d = inf.designs["exposures"][e]
            amp = np.exp(point[f"amplitude_{e}_log__"])
            ell = np.exp(point[f"lengthscale_{e}_log__"])
            s = hsgp.sqrt_psd(amp, ell, hsgp._omega(d), d["kernel"], xp=np)
            other[f"z_{e}"] = coef / s
            log_s += np.log(s).sum()
        lp_inf = inf.model.compile_logp(jacobian=False)(point)
        lp_nc = nc.model.compile_logp(jacobian=False)(other)
        # density of coef = density of z / prod(s)
        assert lp_inf == pytest.approx(lp_nc - log_s, abs=1e-6)


def test_auto_follows_the_information():
    spec = _spec("auto")
    small = make_designs(spec, toy_cohort(n=2000, seed=2))["exposures"]["walking_min"]
    big = make_designs(spec, toy_cohort(n=40000, seed=2))["exposures"]["walking_min"]
    assert "informed" not in small and small["information_ratio"] < AUTO_MIN_EIGENVALUE
    assert "informed" in big and big["information_ratio"] >= AUTO_MIN_EIGENVALUE
    # information grows with the cohort
    assert big["information_ratio"] / small["information_ratio"] == pytest.approx(20, rel=0.35)


def test_informed_fit_recovers_the_curve():
    import bayes_walk as bw

    cohort = toy_cohort(n=4000, seed=4, strong=2.0)
    fit = bw.fit(_spec("informed"), cohort, chains=2, tune=400, draws=400, seed=1)
    assert "informed" in fit.designs["exposures"]["walking_min"]
    curve = fit.posterior["logrr_walking_min"]
    grid = curve["walking_min_grid"].values
    lo, hi = curve.quantile([0.03, 0.97], dim=("chain", "draw")).values
    inside = (grid >= 60) & (grid <= 140)
    truth = 2.0 * toy_truth(grid)
    assert np.mean((lo[inside] <= truth[inside]) & (truth[inside] <= hi[inside])) >= 0.9
    assert fit.diagnostics["divergences"] <= 2
