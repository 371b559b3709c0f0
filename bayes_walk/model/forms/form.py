"""The form contract: what a dose-response form declares and does.

A form is a subclass of :class:`Form` registered with
:func:`~bayes_walk.model.forms.registry.register_form`. It declares

- ``name``: the spec's ``form = "..."``;
- ``options``: option name -> default (the spec may set them per exposure), checked by
  :meth:`Form.check_options` when the spec is read;
- ``default_priors``: prior name -> prior dict (:mod:`bayes_walk.spec.priors`);
- ``supports_strata``: whether ``hierarchy.curve_by`` can give it stratum curves;
- ``arity``: how many exposures one term takes (1; 2 for a pair form such as ``joint``);
- ``scalar_parameters``: stems ``p`` of scalar parameters ``<p>_<exposure>`` worth ranking
  in SBC (:meth:`Form.key_quantities`);

and implements

- :meth:`Form.design`: JSON-able constants fixed from the training data;
- :meth:`Form.features` (optional): a numpy basis in which the term is linear in its
  coefficients; with it the builder centres the data's features and prediction is generic;
- :meth:`Form.pieces`: inside the model context, create the parameters, register the
  Deterministics (the curve ``logrr_<exposure>`` on its grid, ...) and return the typed
  pieces (:mod:`bayes_walk.model.pieces`) the term adds to the linear predictor;
- :meth:`Form.predict`: the log-RR at new exposure values from posterior draws.

A pair form overrides the term-level methods (:meth:`Form.design_term`,
:meth:`Form.data_term`, :meth:`Form.coords_term`); the builder only ever calls those.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from bayes_walk.model.forms.base import interpolation_arrays, scaled


@dataclass
class Strata:
    """Stratum membership for partially pooled curves (dim ``stratum``)."""

    variable: str
    labels: list[str]
    idx: Any  # pytensor int vector (participant,)


@dataclass
class TermContext:
    """What :meth:`Form.pieces` gets: names, designs, priors, grids, data tensors, strata.

    ``data`` maps data names to the model's data tensors (``pm.Data`` shared variables);
    a term reads the ones its :meth:`Form.data_term` named: ``i_<e>``/``w_<e>`` (knot
    index and weight), ``F_<e>`` (centred features) or ``x_<e>`` (the exposure in range
    units).
    """

    exposures: tuple[str, ...]
    designs: dict[str, dict[str, Any]]
    priors: dict[str, dict[str, Any]]
    grids: dict[str, np.ndarray]
    data: dict[str, Any]
    strata: Strata | None = None

    @property
    def exposure(self) -> str:
        return self.exposures[0]

    @property
    def design(self) -> dict[str, Any]:
        return self.designs[self.exposure]

    @property
    def grid(self) -> np.ndarray:
        return self.grids[self.exposure]

    @property
    def basis_dim(self) -> str:
        return f"{self.exposure}_basis"

    @property
    def grid_dim(self) -> str:
        return f"{self.exposure}_grid"


class Form:
    """Base class of the dose-response forms (see the module docstring)."""

    name: ClassVar[str] = ""
    options: ClassVar[dict[str, Any]] = {}
    default_priors: ClassVar[dict[str, dict[str, Any]]] = {}
    supports_strata: ClassVar[bool] = False
    arity: ClassVar[int] = 1
    scalar_parameters: ClassVar[tuple[str, ...]] = ()

    # -- spec time ---------------------------------------------------------------------
    def check_options(self, options: dict[str, Any], where: str) -> None:
        """Raise :class:`~bayes_walk.errors.SpecError` for a bad option (default: none)."""

    # -- one exposure ------------------------------------------------------------------
    def design(
        self,
        x: np.ndarray,
        reference: float,
        options: dict[str, Any],
        priors: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """JSON-able constants fixed from the training data (incl. ``reference``)."""
        raise NotImplementedError

    def features(self, x: np.ndarray, design: dict[str, Any]) -> np.ndarray:
        """(len(x), basis) numpy basis, for forms linear in their coefficients."""
        raise NotImplementedError

    @property
    def linear(self) -> bool:
        """Whether the form supplies :meth:`features` (linear in its coefficients)."""
        return type(self).features is not Form.features

    def pieces(self, ctx: TermContext) -> list:
        """Add the term's parameters and Deterministics; return its pieces."""
        raise NotImplementedError

    def predict(self, x: np.ndarray, posterior, design: dict[str, Any], exposure: str):
        """Log-RR versus the reference at ``x``: DataArray (chain, draw, [stratum,] x)."""
        from bayes_walk.model.forms.base import predict_linear

        if not self.linear:
            raise NotImplementedError(f"form {self.name!r} has no predict")
        return predict_linear(x, posterior, design, exposure, self.features)

    def key_quantities(self, exposures: tuple[str, ...]) -> dict[str, tuple[str, str]]:
        """Scalar summaries worth ranking in SBC: label -> (kind, variable).

        ``kind`` is ``"scalar"`` (a scalar variable) or ``"last"`` (the last element of a
        category variable). Default: the ``scalar_parameters`` of each exposure.
        """
        return {
            f"{p} {e}": ("scalar", f"{p}_{e}") for e in exposures for p in self.scalar_parameters
        }

    # -- term level (a pair form overrides these) --------------------------------------
    def design_term(
        self,
        names: list[str],
        xs: list[np.ndarray],
        refs: list[float],
        options: list[dict[str, Any]],
        priors: dict[str, Any],
    ) -> dict[str, dict[str, Any]]:
        """Designs of the term's exposures; a linear form's gets the features' ``shift``."""
        (name,), (x,) = names, xs
        d = self.design(x, refs[0], options[0], priors)
        if self.linear:
            d["shift"] = self.features(x, d).mean(axis=0).tolist()
        d["form"] = self.name
        return {name: d}

    def data_term(
        self, names: list[str], xs: list[np.ndarray], designs: dict[str, dict[str, Any]]
    ) -> dict[str, tuple[np.ndarray, tuple[str, ...]]]:
        """The term's data arrays for a cohort: name -> (array, dims).

        Knot index and weight with ``"interp"`` in the design, centred features for a
        linear form, else the exposure in range units.
        """
        (name,), (x,) = names, xs
        d = designs[name]
        if "interp" in d:
            idx, w = interpolation_arrays(x, d, name)
            return {f"i_{name}": (idx, ("participant",)), f"w_{name}": (w, ("participant",))}
        if self.linear:
            f = self.features(x, d) - np.asarray(d["shift"])
            return {f"F_{name}": (f, ("participant", f"{name}_basis"))}
        return {f"x_{name}": (scaled(x, d), ("participant",))}

    def coords_term(self, names: list[str], designs: dict[str, dict[str, Any]]) -> dict[str, list]:
        """Coords the term adds: ``<e>_basis`` and ``<e>_category`` from its designs."""
        out: dict[str, list] = {}
        for n in names:
            d = designs[n]
            if "basis" in d:
                out[f"{n}_basis"] = list(d["basis"])
            if "labels" in d:
                out[f"{n}_category"] = list(d["labels"])
        return out
