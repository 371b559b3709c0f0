"""Joint categories of two exposures (the paper's Table 3: 4 x 4 volume x intensity).

A pair form (``arity = 2``): both exposures get ``form = "joint"`` and make one term; the cell holding both references is the reference
(log-RR exactly 0) and each other cell has its own log-RR. ``logrr_joint`` has dims
``(<first>_category, <second>_category)``. The curve ``logrr_<exposure>`` is the step
function of that exposure's categories with the other exposure held at its reference
category.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from bayes_walk.model.forms.base import scaling
from bayes_walk.model.forms.categorical import categories, category_codes
from bayes_walk.model.forms.categorical import check_options as _check_categorical
from bayes_walk.model.forms.form import Form, TermContext
from bayes_walk.model.forms.registry import register_form

OPTIONS: dict[str, Any] = {"cuts": "quartiles", "decimals": None}
DEFAULT_PRIORS: dict[str, dict[str, Any]] = {
    # log-RR of each cell versus the reference cell: RR 95% within 0.46..2.2
    "logrr": {"dist": "Normal", "mu": 0.0, "sigma": 0.4},
}


def _cells(codes0: np.ndarray, codes1: np.ndarray, k1: int) -> np.ndarray:
    return codes0 * k1 + codes1


def design_pair(
    names: list[str], xs: list[np.ndarray], refs: list[float], options: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Designs of both exposures (each knows its partner) with the shared cell basis."""
    out: dict[str, dict[str, Any]] = {}
    for i, (name, x, ref, opt) in enumerate(zip(names, xs, refs, options, strict=True)):
        cuts, labels = categories(x, opt)
        out[name] = {
            **scaling(x),
            "form": "joint",
            "reference": float(ref),
            "cuts": [float(c) for c in cuts],
            "labels": labels,
            "reference_category": int(category_codes(np.array([ref]), cuts)[0]),
            "pair": list(names),
            "position": i,
        }
    d0, d1 = (out[n] for n in names)
    for d, p in ((d0, d1), (d1, d0)):
        d.update({"partner_labels": p["labels"], "partner_reference": p["reference_category"]})
    k1 = len(d1["labels"])
    ref_cell = d0["reference_category"] * k1 + d1["reference_category"]
    basis = [f"{a} x {b}" for a in d0["labels"] for b in d1["labels"]]
    del basis[ref_cell]
    shift = _onehot(out, names, xs).mean(axis=0).tolist()
    for d in out.values():
        d.update({"joint_basis": basis, "reference_cell": ref_cell, "shift": shift})
    return out


def _onehot(
    designs: dict[str, dict[str, Any]], names: list[str], xs: list[np.ndarray]
) -> np.ndarray:
    d0, d1 = (designs[n] for n in names)
    k0, k1 = len(d0["labels"]), len(d1["labels"])
    cells = _cells(category_codes(xs[0], d0["cuts"]), category_codes(xs[1], d1["cuts"]), k1)
    ref_cell = d0["reference_category"] * k1 + d1["reference_category"]
    return np.delete(np.eye(k0 * k1)[cells], ref_cell, axis=1)


def _curve_matrix(d: dict[str, Any], partner: dict[str, Any], x: np.ndarray) -> np.ndarray:
    """Cells (flattened, reference cell included) selected by ``x`` with the partner at its
    reference category, minus the cell of the reference value: (len(x), k0*k1)."""
    k0 = len(d["labels"]) if d["position"] == 0 else len(partner["labels"])
    k1 = len(partner["labels"]) if d["position"] == 0 else len(d["labels"])
    own = category_codes(x, d["cuts"])
    own_ref = category_codes(np.array([d["reference"]]), d["cuts"])
    other = np.full_like(own, partner["reference_category"])
    if d["position"] == 0:
        cells, ref = _cells(own, other, k1), _cells(own_ref, other[:1], k1)
    else:
        cells, ref = _cells(other, own, k1), _cells(other[:1], own_ref, k1)
    eye = np.eye(k0 * k1)
    return eye[cells] - eye[ref]


def predict(x: np.ndarray, posterior, design: dict[str, Any], exposure: str):
    """Step-function log-RR at ``x`` with the partner exposure at its reference category."""
    x = np.asarray(x, dtype=np.float64)
    partner = {
        "labels": design["partner_labels"],
        "reference_category": design["partner_reference"],
    }
    lj = posterior["logrr_joint"]
    m = _curve_matrix(design, partner, x)
    lead = lj.dims[:-2]
    vals = lj.values.reshape(*lj.shape[:-2], -1) @ m.T
    return xr.DataArray(vals, dims=(*lead, "x"), coords={**{d: lj[d] for d in lead}, "x": x})


@register_form
class Joint(Form):
    """Joint categories of a pair of exposures: one term, one log-RR per cell."""

    name = "joint"
    options = OPTIONS
    default_priors = DEFAULT_PRIORS
    arity = 2

    def check_options(self, options, where):
        _check_categorical(options, where)

    def design_term(self, names, xs, refs, options, priors):
        return design_pair(list(names), xs, refs, options)

    def data_term(self, names, xs, designs):
        f = _onehot(designs, list(names), xs) - np.asarray(designs[names[0]]["shift"])
        return {"F_joint": (f, ("participant", "joint_basis"))}

    def coords_term(self, names, designs):
        out = super().coords_term(names, designs)
        out["joint_basis"] = list(designs[names[0]]["joint_basis"])
        return out

    def key_quantities(self, exposures):
        return {"log RR joint top cell": ("last", "logrr_joint")}

    def predict(self, x, posterior, design, exposure):
        return predict(x, posterior, design, exposure)

    def pieces(self, ctx: TermContext) -> list:
        import pymc as pm
        import pytensor.tensor as pt

        from bayes_walk.model.pieces import Dense
        from bayes_walk.spec.priors import make_rv

        names = ctx.exposures
        d0, d1 = (ctx.designs[n] for n in names)
        coef = make_rv("beta_joint", ctx.priors["logrr"], dims=("joint_basis",))
        r = d0["reference_cell"]
        full = pt.concatenate([coef[:r], pt.zeros(1), coef[r:]])
        dims = (f"{names[0]}_category", f"{names[1]}_category")
        k0, k1 = len(d0["labels"]), len(d1["labels"])
        pm.Deterministic("logrr_joint", full.reshape((k0, k1)), dims=dims)
        for n, partner in ((names[0], d1), (names[1], d0)):
            m = _curve_matrix(ctx.designs[n], partner, ctx.grids[n])
            pm.Deterministic(f"logrr_{n}", pt.dot(pt.constant(m), full), dims=(f"{n}_grid",))
        # cell dummies: every participant's row is one of k0 * k1 patterns
        F = ctx.data["F_joint"]
        return [Dense(F, coef, np.ones(len(d0["joint_basis"]), dtype=bool))]
