"""SBC of the shipped model code: a spec built on a cohort's exposures, fitted to outcomes
drawn from its own prior.

The quantities are the ones the toolkit's conclusions rest on: the log RR of 125 versus
78 min/day (the curve interpolated on its grid) and the scalars the model names
(:meth:`~bayes_walk.model.builder.BuiltModel.global_quantities`: the intercept, and
:meth:`~bayes_walk.model.builder.BuiltModel.term_quantities`: what each form declares, e.g. GP amplitude and lengthscale, changepoint ``tau``, slopes).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import numpy as np
import xarray as xr

from bayes_walk.checks.sbc import Quantity, var
from bayes_walk.checks.sbc_measurement import MeasurementSBC
from bayes_walk.checks.sbc_pymc import PymcSBC
from bayes_walk.model import measurement

RR_AT = {"walking_min": 125.0, "walking_mets": 3.3}


def curve_at(exposure: str, x: float, variable: str | None = None) -> Quantity:
    """Log RR of ``exposure`` at ``x`` versus its reference (linear interpolation on the grid).

    ``variable`` names the curve (default ``logrr_<exposure>``; the global curve of a
    stratified model is ``logrr_<exposure>_global``).
    """
    name = variable or f"logrr_{exposure}"

    def get(ds: xr.Dataset) -> xr.DataArray:
        return ds[name].interp({f"{exposure}_grid": x})

    get.__name__ = f"logrr_{exposure}({x:g})"
    return get


def last_category(name: str) -> Quantity:
    """Log RR of the last (highest) category, or joint cell, versus the reference."""

    def get(ds: xr.Dataset) -> xr.DataArray:
        da = ds[name]
        return da.isel({d: -1 for d in da.dims if d not in ("chain", "draw")})

    get.__name__ = f"{name}[-1]"
    return get


def default_quantities(built) -> dict[str, Quantity]:
    """SBC quantities of a built model (``bayes_walk.model.builder.BuiltModel``).

    The model-level scalars (:meth:`BuiltModel.global_quantities`), then per term the log
    RR of each exposure's curve at :data:`RR_AT` (the global curve of a stratified model)
    where the grid covers it, and the scalars its form names
    (:meth:`BuiltModel.term_quantities`).
    """
    names = {v.name for v in built.model.free_RVs} | {v.name for v in built.model.deterministics}
    out: dict[str, Quantity] = {}

    def add(named: dict[str, tuple[str, str]]) -> None:
        for label, (kind, variable) in named.items():
            if variable in names:
                out[label] = var(variable) if kind == "scalar" else last_category(variable)

    add(built.global_quantities())
    for exposures, named in built.term_quantities():
        for exposure in exposures:
            curve = f"logrr_{exposure}"
            grid = np.asarray(built.grids.get(exposure, []))
            ref = built.designs["exposures"][exposure].get("reference")
            at = RR_AT.get(exposure)
            if f"{curve}_global" in names:
                curve = f"{curve}_global"
            if curve in names and at is not None and grid.size and ref is not None:
                if grid.min() <= at <= grid.max():
                    label = f"log RR {exposure} {at:g} vs {float(ref):g}"
                    out[label] = curve_at(exposure, at, curve)
        add(named)
    return out


def with_priors(
    spec,
    global_priors: Mapping[str, Any] | None = None,
    exposure_priors: Mapping[str, Any] | None = None,
):
    """A copy of ``spec`` with prior overrides (global and per exposure)."""
    from bayes_walk.spec.model_spec import spec_from_dict

    d = copy.deepcopy(spec.to_dict())
    d.setdefault("priors", {}).update(dict(global_priors or {}))
    for exposure, pri in (exposure_priors or {}).items():
        d["exposures"][exposure].setdefault("priors", {}).update(dict(pri))
    return spec_from_dict(d, source=f"{spec.name} (SBC variant)")


def spec_sbc(
    spec,
    cohort: xr.Dataset,
    *,
    simulate_spec=None,
    quantities: Mapping[str, Quantity] | None = None,
    draws: int = 300,
    tune: int = 300,
    chains: int = 2,
    target_accept: float | None = None,
    reuse: PymcSBC | None = None,
) -> PymcSBC:
    """An SBC setup for ``spec`` on the exposures and covariates of ``cohort``.

    Parameters
    ----------
    spec : bayes_walk.spec.model_spec.ModelSpec
        The model that is fitted.
    cohort : xarray.Dataset
        Supplies exposures, covariates and groups (its outcome is replaced by simulations).
    simulate_spec : ModelSpec, optional
        Model the outcomes are simulated from (default ``spec``); give one with other priors
        (:func:`with_priors`) for a deliberately broken SBC.
    quantities : mapping, optional
        Default :func:`default_quantities`.
    draws, tune, chains : int
        Sampler settings per replicate.
    target_accept : float, optional
        The step-size adaptation's target acceptance (None: nutpie's default, 0.8).
    reuse : PymcSBC, optional
        A setup of the same ``spec`` and cohort whose compiled model is reused (e.g. a
        broken variant that only changes ``simulate_spec``).

    Returns
    -------
    PymcSBC
    """
    from bayes_walk.model.builder import build_model

    built = build_model(spec, cohort)
    if reuse is not None:
        built.model = reuse.model
    sim = None
    if simulate_spec is not None:
        # Same designs (HSGP boundary, scaling) so that only the priors differ.
        sim = build_model(simulate_spec, cohort, designs=built.designs).model
    q = dict(quantities or default_quantities(built))
    # Store every parameter and curve, but no per-participant deterministic (e.g. ``mu``).
    dims = built.model.named_vars_to_dims
    keep = {v.name for v in built.model.free_RVs}
    keep |= {
        v.name for v in built.model.deterministics if "participant" not in dims.get(v.name, ())
    }
    days = measurement.uses_days(spec)
    # a spec whose curve reads a latent habit draws the days as well (sbc_measurement)
    cls, extra = (MeasurementSBC, {"exposures": tuple(days)}) if days else (PymcSBC, {})
    setup = cls(
        model=built.model,
        quantities_fn=q,
        data_name=f"{spec.outcome}_obs",
        outcome=spec.outcome,
        simulate_model=sim,
        var_names=sorted(keep),
        draws=draws,
        tune=tune,
        chains=chains,
        target_accept=target_accept,
        **extra,
    )
    if reuse is not None:
        setup.share_compiled(reuse)
    return setup
