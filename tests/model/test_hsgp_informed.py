"""The data-informed parametrisation of HSGP weights and varying intercepts: the
transforms are changes of variables with the right Jacobian, the model's density is the
non-centred model's, the "auto" rule follows the cohort's information, and a fit through
it recovers a known curve."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from _helpers_model import as_noncentred, toy_cohort, toy_truth

from bayes_walk.errors import SpecError
from bayes_walk.model.builder import build_model, make_designs
from bayes_walk.model.forms.informed import (
    AUTO_MIN_EIGENVALUE,
    diagonal_transform,
    informed_transform,
    low_rank,
    use_informed,
)
from bayes_walk.model.information import group_information
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


def _without_informed(designs):
    out = copy.deepcopy(designs)
    for d in [*out["exposures"].values(), out["group"]]:
        d.pop("informed", None)
    return out


def test_same_density_as_the_non_centred_model():
    # large enough that "auto" samples the curves and the municipality intercepts informed
    cohort = toy_cohort(n=40000, seed=1)
    spec = _spec("auto")
    designs = make_designs(spec, cohort)
    assert "informed" in designs["group"]
    assert all("informed" in d for d in designs["exposures"].values())
    inf = build_model(spec, cohort, designs)
    nc = build_model(spec, cohort, _without_informed(designs))
    assert "coef_walking_min_informed__" in inf.model.initial_point()
    assert "effect_municipality_informed__" in inf.model.initial_point()
    assert "z_walking_min" in nc.model.initial_point()
    rng = np.random.default_rng(5)
    names = ["coef_walking_min", "coef_walking_mets", "effect_municipality"]
    values = inf.model.compile_fn(
        inf.model.replace_rvs_by_values([inf.model[v] for v in names]),
        inputs=inf.model.value_vars,
        on_unused_input="ignore",
    )
    for _ in range(3):
        start = inf.model.initial_point()
        point = {k: v + rng.normal(size=np.shape(v)) * 0.3 for k, v in start.items()}
        *coefs, effect = values(point)
        curves = dict(zip(("walking_min", "walking_mets"), coefs, strict=True))
        other, log_s = as_noncentred(inf.designs, point, curves)
        sd = np.exp(point["sd_municipality_log__"])
        other["z_municipality"] = effect / sd
        log_s += effect.size * np.log(sd)
        lp_inf = inf.model.compile_logp(jacobian=False)(point)
        lp_nc = nc.model.compile_logp(jacobian=False)(other)
        # density of (coef, effect) = density of z / prod(scales)
        assert lp_inf == pytest.approx(lp_nc - log_s, abs=1e-6)


def test_group_information_is_each_group_estimate():
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 5, 20000)
    truth = np.array([-0.3, 0.0, 0.2, 0.4, -0.1])
    mu = np.full(codes.size, 0.2)
    y = rng.poisson(mu * np.exp(truth[codes]))
    d, h = group_information(y.astype(float), mu, codes, 5, prior_sd=10.0)
    g = h / (d + 0.01)
    ysum = np.bincount(codes, weights=y, minlength=5)
    msum = np.bincount(codes, weights=mu, minlength=5)
    # a flat prior: each group's maximum likelihood log(observed / expected)
    np.testing.assert_allclose(g, np.log(ysum / msum), atol=1e-3)
    np.testing.assert_allclose(d, ysum, rtol=1e-3)


@pytest.mark.parametrize("seed", [0, 1])
def test_diagonal_transform(seed):
    import pytensor
    import pytensor.tensor as pt

    rng = np.random.default_rng(seed)
    d, h = rng.uniform(0, 200, 6), rng.normal(size=6) * 20
    s = 0.3
    tr = diagonal_transform(d, h)
    u = pt.dvector("u")
    inputs = (None, None, pt.as_tensor(0.0), pt.as_tensor(s))
    eff = tr.backward(u, *inputs)
    back = pytensor.function([u], eff)
    fwd = pytensor.function([u], tr.forward(u, *inputs))
    jac = pytensor.function([u], pytensor.gradient.jacobian(eff, u))
    logdet = pytensor.function([u], tr.log_jac_det(u, *inputs), on_unused_input="ignore")
    x = rng.normal(size=6)
    np.testing.assert_allclose(fwd(back(x)), x, atol=1e-10)
    np.testing.assert_allclose(logdet(x), np.log(np.diag(jac(x))), atol=1e-10)
    # the Gaussian posterior of effect_g under N(0, s^2) and exp(h g - d g^2 / 2)
    np.testing.assert_allclose(back(np.zeros(6)), h / (d + 1 / s**2), atol=1e-10)
    np.testing.assert_allclose(np.diag(jac(x)) ** 2, 1 / (d + 1 / s**2), atol=1e-12)


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


REWRITE_CHECK = """
import sys
sys.path.insert(0, {helpers!r})
import numpy as np, pytensor
from _helpers_model import toy_cohort
from bayes_walk.model.builder import build_model, make_designs
from bayes_walk.spec.model_spec import load_spec
spec = load_spec("gp")
cohort = toy_cohort(n=2000, seed=3)
designs = make_designs(spec, cohort)
G = len(designs["group"]["labels"])
designs["group"]["informed"] = {{"d": np.linspace(50, 500, G).tolist(), "h": [3.0] * G}}
for d in designs["exposures"].values():
    m = d["m"]
    d["informed"] = {{"B": np.eye(m)[:, :3].tolist(), "h": [1.0] * m}}
model = build_model(spec, cohort, designs, fused=True).model
logp = pytensor.graph.rewrite_graph(model.logp(), include=["canonicalize", "stabilize"])
pytensor.grad(logp, model.value_vars)
print("done")
"""


def test_the_samplers_graph_rewrites_terminate(tmp_path):
    # nutpie rewrites the log density with "canonicalize" and "stabilize" before compiling;
    # a first form of the group transform made those rewrites loop forever
    import subprocess
    import sys
    from pathlib import Path

    helpers = str(Path(__file__).resolve().parents[1])
    code = REWRITE_CHECK.format(helpers=helpers)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=240, check=False
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "done" in out.stdout
