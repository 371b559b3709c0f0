"""The HSGP term evaluated at knots and interpolated to participants (the default) agrees
with the exact n x m basis, keeps its domain, and validates its option."""

from __future__ import annotations

import numpy as np
import pytest
from _helpers_model import toy_cohort

from bayes_walk.errors import SpecError
from bayes_walk.model.builder import build_model, make_designs
from bayes_walk.model.forms import hsgp
from bayes_walk.model.forms.base import interpolation_arrays, interpolation_knots
from bayes_walk.spec.model_spec import load_spec, spec_from_dict


def _spec(name: str = "gp", points: int | None = None):
    d = load_spec(name).to_dict()
    for e in d["exposures"].values():
        if points is not None:
            e["interp_points"] = points
    return spec_from_dict(d)


def _sqrt_psd(design, amplitude: float, lengthscale: float) -> np.ndarray:
    """The design's own kernel (the shipped gp uses Matern 5/2)."""
    omega = np.pi * np.arange(1, design["m"] + 1) / (2.0 * design["L"])
    return hsgp.sqrt_psd(amplitude, lengthscale, omega, design["kernel"]).eval()


def test_interpolated_curve_matches_exact_basis_at_short_lengthscales():
    cohort = toy_cohort(n=3000, seed=3)
    spec = _spec()
    designs = make_designs(spec, cohort)
    rng = np.random.default_rng(0)
    for name, d in designs["exposures"].items():
        assert d["interp"]["points"] == hsgp.DEFAULT_INTERP_POINTS
        x = np.asarray(cohort[name].values, dtype=np.float64)
        shift = np.asarray(d["shift"])
        exact_f = hsgp.features(x, d) - shift
        knot_f = hsgp.features(interpolation_knots(d), d) - shift
        idx, w = interpolation_arrays(x, d, name)
        worst = 0.0
        # the prior's 1% lengthscale (0.35 * exp(-2.33 * 0.45) = 0.12 range units) and a
        # large amplitude: the wiggliest curves the default prior gives any weight to
        for ell in (0.12, 0.2, 0.5):
            for _ in range(20):
                coef = rng.normal(size=d["m"]) * _sqrt_psd(d, 0.6, ell)
                exact = exact_f @ coef
                at_knots = knot_f @ coef
                interp = at_knots[idx] + w * (at_knots[idx + 1] - at_knots[idx])
                worst = max(worst, float(np.max(np.abs(interp - exact))))
        # Matern 5/2 curves keep more high-frequency content than ExpQuad ones (1e-4)
        assert worst < 5e-4, f"{name}: interpolation error {worst:.2e} on the log-RR scale"


@pytest.mark.parametrize("name", ["gp", "gp_sex"])
def test_model_log_density_matches_exact_basis(name):
    cohort = toy_cohort(n=1500, seed=4)
    fast = build_model(_spec(name), cohort)
    exact = build_model(_spec(name, points=0), cohort)
    assert "i_walking_min" in fast.data_names and "F_walking_min" not in fast.data_names
    assert "F_walking_min" in exact.data_names
    lp_fast = fast.model.compile_logp()
    lp_exact = exact.model.compile_logp()
    rng = np.random.default_rng(1)
    point = fast.model.initial_point()
    for _ in range(3):
        pt = {k: v + rng.normal(scale=0.5, size=np.shape(v)) for k, v in point.items()}
        a, b = float(lp_fast(pt)), float(lp_exact(pt))
        assert np.isfinite(a)
        assert abs(a - b) < 1e-3 * max(1.0, abs(b)) and abs(a - b) < 0.05, (a, b)


def test_values_outside_the_boundary_are_refused_with_the_exposure_named():
    cohort = toy_cohort(n=800, seed=5)
    d = make_designs(_spec(), cohort)["exposures"]["walking_min"]
    far = d["interp"]["hi"] + 1000.0
    with pytest.raises(SpecError, match="walking_min.*outside"):
        interpolation_arrays(np.array([100.0, far]), d, "walking_min")


@pytest.mark.parametrize("bad", [10, True, 2.5, -1])
def test_interp_points_option_is_validated(bad):
    d = load_spec("gp").to_dict()
    d["exposures"]["walking_min"]["interp_points"] = bad
    with pytest.raises(SpecError, match="interp_points"):
        spec_from_dict(d)
