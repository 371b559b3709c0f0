"""The :class:`Fit` object: one fit's InferenceData with its spec, designs and answers.

``Fit.save(path)`` writes ``fit.nc`` atomically; :func:`load_fit` is the only reader of fit
files for every command and checks what it reads: an InferenceData made by bayes_walk
(a posterior, and the attrs ``spec``, ``designs`` and ``bayes_walk_version`` present and
parseable), written by a compatible version (a newer major version is refused; older ones
are read). Every failure is a :class:`~bayes_walk.errors.FitFileError` naming the file and
what is wrong.
"""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bayes_walk.answers.fit_risk import RiskMethods
from bayes_walk.errors import BayesWalkError, FitFileError
from bayes_walk.netcdf_bytes import save_netcdf

REQUIRED_ATTRS = ("spec", "designs", "bayes_walk_version")


def _major(version: str) -> int:
    head = str(version).strip().lstrip("v").split(".")[0]
    return int(head)


def check_version(written_by: str, source: str) -> None:
    """Refuse a file written by a newer major version of bayes_walk than this one."""
    from bayes_walk import __version__

    try:
        theirs = _major(written_by)
    except ValueError:
        raise FitFileError(
            f"{source}: attr bayes_walk_version {written_by!r} is not a version number"
        ) from None
    if theirs > _major(__version__):
        raise FitFileError(
            f"{source}: written by bayes_walk {written_by}, a newer major version than this "
            f"one ({__version__}); upgrade bayes_walk to read it"
        )


@dataclass
class Fit(RiskMethods):
    """A fitted model.

    Attributes
    ----------
    idata
        The plain ``az.InferenceData`` (ARCHITECTURE "fit.nc").
    spec
        The :class:`~bayes_walk.spec.model_spec.ModelSpec` it was fitted with.
    designs
        The JSON-able designs fixed from the training data (HSGP boundary, cuts, ...).
    path
        Where it was read from or last saved to (None for a fresh fit).
    attrs
        The InferenceData attrs as stored (raw strings).
    """

    idata: Any
    spec: Any
    designs: dict[str, Any]
    path: Path | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    _built: Any = field(default=None, repr=False, compare=False)
    _diagnostics: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    # construction -------------------------------------------------------------------
    @classmethod
    def from_idata(cls, idata, path: str | os.PathLike[str] | None = None) -> Fit:
        """Wrap an InferenceData made by :func:`bayes_walk.inference.fit.fit`, checking it."""
        from bayes_walk.spec.model_spec import spec_from_dict

        src = str(path) if path is not None else "fit"
        if "posterior" not in idata.groups():
            raise FitFileError(f"{src}: not a bayes_walk fit (no posterior group)")
        attrs = dict(idata.attrs)
        missing = [a for a in REQUIRED_ATTRS if a not in attrs]
        if missing:
            raise FitFileError(
                f"{src}: not a bayes_walk fit (lacks attr {', '.join(missing)}); fit files "
                "are made by 'bayes-walk fit' or bayes_walk.fit"
            )
        check_version(attrs["bayes_walk_version"], src)
        try:
            raw = json.loads(attrs["spec"])
            spec = spec_from_dict(raw, source=f"{src} (stored spec)")
        except (json.JSONDecodeError, TypeError, AttributeError, BayesWalkError) as exc:
            raise FitFileError(f"{src}: attr spec is unreadable ({exc})") from None
        try:
            designs = json.loads(attrs["designs"])
            if not isinstance(designs.get("exposures"), dict):
                raise ValueError("no 'exposures' table")
        except (json.JSONDecodeError, TypeError, AttributeError, ValueError) as exc:
            raise FitFileError(f"{src}: attr designs is unreadable ({exc})") from None
        for name in designs["exposures"]:
            if f"logrr_{name}" not in idata.posterior:
                raise FitFileError(f"{src}: posterior lacks the curve 'logrr_{name}'")
        p = Path(path) if path is not None else None
        return cls(idata=idata, spec=spec, designs=designs, path=p, attrs=attrs)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Fit:
        """Read and check a fit file (see :func:`load_fit`)."""
        return load_fit(path)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the fit to NetCDF atomically (an interrupted write leaves no file)."""
        target = Path(path)
        if target.is_dir():
            raise FitFileError(f"{target}: is a directory; give a file name such as fit.nc")
        # serialised in memory, then written with plain I/O: a full disk is an OSError
        # (exit 2), not an HDF5 crash (bayes_walk/netcdf_bytes.py)
        save_netcdf(self.idata, target)
        self.path = target
        return target

    # facts --------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The spec's name."""
        return str(self.attrs.get("spec_name") or self.spec.name)

    @property
    def posterior(self):
        return self.idata.posterior

    @property
    def exposures(self) -> list[str]:
        return list(self.designs["exposures"])

    @property
    def categories(self) -> dict[str, Any]:
        """Per categorical exposure: labels, cuts, reference, n and cases."""
        from bayes_walk.fitmeta import json_attr

        cats = json_attr(self.attrs, "categories", {}) or {}
        return cats if isinstance(cats, dict) else {}

    @property
    def diagnostics(self) -> dict[str, Any]:
        """Divergences, R-hat, ESS, BFMI (:mod:`bayes_walk.inference.diagnostics`)."""
        if self._diagnostics is None:
            from bayes_walk.inference.diagnostics import fit_diagnostics

            self._diagnostics = fit_diagnostics(self.idata)
        return self._diagnostics

    @property
    def warnings(self) -> list[str]:
        """The diagnostics in plain words (empty when all is well)."""
        from bayes_walk.inference.diagnostics import warnings_in_words

        return warnings_in_words(self.diagnostics)

    def cohort(self):
        """The per-participant data the fit used (constant_data + observed outcome)."""
        cd = self.idata.constant_data.copy()
        y = self.spec.outcome
        cd[y] = self.idata.observed_data[y]
        return cd

    def linked_cohort(self):
        """The cohort behind the fit (its file when it still matches, else constant_data).

        Returns
        -------
        bayes_walk.answers.cohort_link.LinkedCohort
            ``cohort`` (an ``xr.Dataset`` or None) and ``how`` it was found.
        """
        from bayes_walk.answers.cohort_link import cohort_for_fit

        return cohort_for_fit(self.idata, fit_path=None if self.path is None else str(self.path))

    @property
    def outcome(self) -> str:
        """The outcome variable the fit modelled (the spec's ``outcome``)."""
        return str(self.spec.outcome)

    @property
    def outcome_label(self) -> str:
        """The outcome in words (attr ``outcome_label``; "chronic low back pain" for clbp)."""
        from bayes_walk.fitmeta import outcome_label

        return outcome_label(self.idata)

    def arviz_data(self):
        """The InferenceData with every draw-indexed group on the posterior predictive's draws.

        Small fits store the posterior predictive for every draw, so this is ``idata`` itself;
        large ones store it thinned (``posterior_predictive.attrs["thin_step"]``) and get a
        copy whose posterior, sample_stats and log_likelihood keep the same draws, which is
        what ``az.plot_loo_pit`` and ``az.plot_ppc`` need.
        """
        idata = self.idata
        if "posterior_predictive" not in idata.groups():
            return idata
        keep = idata.posterior_predictive["draw"].values
        if np.array_equal(keep, idata.posterior["draw"].values):
            return idata
        out = idata.copy()
        for group in ("posterior", "sample_stats", "log_likelihood"):
            if group in out.groups():
                setattr(out, group, getattr(out, group).sel(draw=keep))
        return out

    @property
    def built(self):
        """The rebuilt :class:`~bayes_walk.model.builder.BuiltModel` (designs from the file)."""
        if self._built is None:
            from bayes_walk.model.builder import build_model

            self._built = build_model(self.spec, self.cohort(), designs=self.designs)
        return self._built

    # answers ------------------------------------------------------------------------
    def predict_curve(self, exposure: str, x):
        """Posterior draws of the log-RR versus the reference at new ``x`` values.

        Returns a DataArray with dims ``(chain, draw, [stratum,] x)``, from the form's own
        prediction with the designs stored in the file (at the grid values it reproduces
        the stored ``logrr_<exposure>``). Values outside the curve's grid (the exposure's
        1st..99th percentile in the data) are NaN, with a warning, as in :meth:`rr` and the
        CLI: no form extrapolates beyond the data.
        """
        from bayes_walk.model.forms import get_form

        self._need_exposure(exposure)
        d = self.designs["exposures"][exposure]
        x = np.atleast_1d(np.asarray(x, dtype=np.float64))
        outside = self._warn_outside(exposure, x, stacklevel=3)
        out = get_form(d["form"]).predict(x, self.posterior, d, exposure)
        order = [dim for dim in ("chain", "draw", "stratum", "x") if dim in out.dims]
        out = out.transpose(*order)
        if outside.any():
            vals = np.array(out.values, dtype=np.float64)
            vals[..., outside] = np.nan
            out = out.copy(data=vals)
        out.name = f"logrr_{exposure}"
        out.attrs.update({"reference": d["reference"], "form": d["form"]})
        return out

    def rr(
        self,
        exposure: str,
        at,
        reference: float | None = None,
        *,
        prob: float = 0.95,
        hdi: bool = False,
        stratum: str | None = None,
        versus: str | None = None,
    ):
        """Risk ratios at exposure values ``at`` versus ``reference``.

        Parameters
        ----------
        exposure
            An exposure with a stored curve, e.g. ``"walking_min"``.
        at
            Exposure values.
        reference
            The value RR = 1 refers to (default: the spec's reference).
        prob, hdi
            Interval mass and kind (equal-tailed by default).
        stratum, versus
            For stratum curves: ``stratum`` alone keeps that stratum's rows; with
            ``versus`` the answer is the ratio of the two strata's RRs
            (:func:`bayes_walk.estimands.strata.stratum_ratio_frame`: ``stratum``,
            ``versus``, ``x``, ``ratio_median``, ``ratio_lo``, ``ratio_hi``, ``p_below_1``).

        Returns
        -------
        pandas.DataFrame
            One row per value (and stratum): ``x``, ``rr_median``, ``rr_lo``, ``rr_hi``,
            ``p_benefit`` (P(RR < 1)); NaN, with a warning, outside the curve's grid (the
            exposure's 1st..99th percentile).
        """
        from bayes_walk.estimands.curve import rr_frame
        from bayes_walk.estimands.draws import curve_draws, grid_values

        self._need_exposure(exposure)
        curve = curve_draws(self.idata, exposure, source=str(self.path or self.name))
        xs = np.atleast_1d(np.asarray(at, dtype=float))
        asked = xs if reference is None else np.append(xs, float(reference))
        self._warn_outside(exposure, asked, stacklevel=3, grid=grid_values(curve))
        src = str(self.path or self.name)
        if versus is not None:
            from bayes_walk.estimands.strata import stratum_ratio_frame

            if stratum is None:
                raise BayesWalkError(f"{src}: versus='{versus}' needs stratum= as well")
            return stratum_ratio_frame(
                curve, xs, stratum, versus, reference=reference, prob=prob, hdi=hdi, source=src
            )
        table = rr_frame(curve, xs, reference=reference, prob=prob, hdi=hdi)
        if stratum is not None:
            from bayes_walk.estimands.strata import check_stratum

            check_stratum(curve, stratum, src)
            table = table[table["stratum"] == str(stratum)].reset_index(drop=True)
        return table

    def covariates(self, *, prob: float = 0.95, hdi: bool = False):
        """Covariate risk ratios with E-values.

        Returns
        -------
        pandas.DataFrame
            ``covariate``, ``contrast`` (``per unit``, ``per SD (<sd>)`` or the level),
            ``reference`` (the reference level of a categorical covariate), ``rr_median``,
            ``rr_lo``, ``rr_hi``, ``p_benefit``, ``evalue``, ``evalue_limit``.
        """
        from bayes_walk.estimands.covariates import covariate_table
        from bayes_walk.estimands.evalue import evalue, evalue_limit

        table = covariate_table(
            self.posterior, self.designs.get("covariates") or {}, prob=prob, hdi=hdi
        )
        table["evalue"] = [evalue(v) for v in table["rr_median"]]
        table["evalue_limit"] = [
            evalue_limit(lo, hi) for lo, hi in zip(table["rr_lo"], table["rr_hi"], strict=True)
        ]
        return table

    def plateau(
        self,
        exposure: str = "walking_min",
        *,
        near: float = 100.0,
        within: float = 10.0,
        **options: Any,
    ) -> dict[str, Any]:
        """The plateau answer (DESIGN "JSON output" plateau keys); ``options`` are those of
        :func:`bayes_walk.answers.plateau.plateau_summary` (``delta``, ``tail``,
        ``definition``, ``reference`` ...)."""
        from bayes_walk.answers.plateau import plateau_summary

        self._need_exposure(exposure)
        return plateau_summary(self.idata, exposure, near=near, within=within, **options)

    def ppc(
        self, *, band: tuple[float, float] = (0.005, 0.995), adjust: str = "bonferroni", cohort=None
    ) -> dict[str, Any]:
        """Posterior predictive checks (DESIGN "JSON output" ppc keys)."""
        from bayes_walk.checks.ppc import ppc_checks, validate_band

        result = ppc_checks(
            self.idata,
            band=validate_band(tuple(band)),
            adjust=adjust,
            source=str(self.path or self.name),
            cohort=cohort,
        )
        return result.to_dict()

    def summary(
        self, *, hdi: bool = False, frequentist: bool = True, reference=None, risk: bool = True
    ) -> dict[str, Any]:
        """RR tables, curve at round values, diagnostics and absolute risks (the summary JSON).

        ``reference``: exposure -> value (or one number for a one-curve fit) the curve
        rows and the risk differences are expressed against; it must lie inside the
        curve's grid. ``risk``: add the standardised risks of the volume exposure
        (keys ``absolute_risk``, ``risk_difference``, ``attributable_fraction``;
        :func:`bayes_walk.answers.summary_risk.summary_risks`), else those keys are None.
        """
        from bayes_walk.answers.summary import fit_summary
        from bayes_walk.answers.summary_risk import KEYS, summary_risks

        fit_path = None if self.path is None else str(self.path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            out = fit_summary(
                self.idata,
                fit_path=fit_path,
                hdi=hdi,
                frequentist=frequentist,
                references=reference,
            )
            risks = summary_risks(self, references=reference, hdi=hdi) if risk else {}
        return {**out, **{k: risks.get(k) for k in KEYS}}

    def curve_range(self, exposure: str) -> tuple[float, float]:
        """The range the stored curve covers (its grid: the data's 1st..99th percentile)."""
        from bayes_walk.estimands.draws import curve_draws, grid_values

        grid = grid_values(curve_draws(self.idata, exposure, source=str(self.path or self.name)))
        return float(grid[0]), float(grid[-1])

    def _warn_outside(
        self, exposure: str, x, *, stacklevel: int, grid=None, what: str = "RR"
    ) -> np.ndarray:
        """Mask of ``x`` outside the curve's range; warns once naming the values."""
        lo, hi = (grid[0], grid[-1]) if grid is not None else self.curve_range(exposure)
        x = np.asarray(x, dtype=float)
        # a hair of tolerance: grid ends are percentiles stored in floating point
        tol = 1e-9 * max(1.0, abs(hi - lo))
        mask = ~np.isfinite(x) | (x < lo - tol) | (x > hi + tol)
        if mask.any():
            warnings.warn(
                f"{exposure} values {', '.join(f'{v:g}' for v in x[mask])} lie outside the "
                f"fitted curve's range {lo:.4g}..{hi:.4g} (the data's 1st..99th percentile): "
                f"their {what} is NaN",
                UserWarning,
                stacklevel=stacklevel,
            )
        return mask

    def _need_exposure(self, exposure: str) -> None:
        if exposure not in self.designs["exposures"]:
            raise FitFileError(
                f"{self.path or self.name}: no exposure '{exposure}' (curve 'logrr_{exposure}') "
                f"in this fit; it has {', '.join(self.exposures) or 'none'}"
            )

    def __repr__(self) -> str:
        post = self.posterior
        return (
            f"Fit('{self.name}', {post.sizes.get('chain', 0)} chains x "
            f"{post.sizes.get('draw', 0)} draws, exposures {', '.join(self.exposures)}"
            + (f", path '{self.path}')" if self.path else ")")
        )


# the name the model tests knew
LoadedFit = Fit


def load_fit(path: str | os.PathLike[str]) -> Fit:
    """Read and check a fit file.

    Raises
    ------
    FitFileError
        Missing, empty, corrupt or truncated file; a NetCDF file that is not a bayes_walk
        fit (the message says which group or attr is missing or unreadable); a file
        written by a newer major version of bayes_walk.
    """
    import arviz as az

    p = Path(path)
    if not p.exists():
        raise FitFileError(f"{p}: no such fit file (file not found)")
    if p.is_dir():
        raise FitFileError(f"{p}: is a directory, not a fit file")
    if p.stat().st_size == 0:
        raise FitFileError(f"{p}: empty file (0 bytes); not a fit")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            idata = az.from_netcdf(str(p), engine="h5netcdf")
            idata.load()
    except Exception as exc:  # h5py/h5netcdf raise OSError, ValueError, KeyError, ...
        raise FitFileError(
            f"{p}: not a readable fit file (NetCDF InferenceData); the file is corrupt or "
            f"truncated ({type(exc).__name__}: {exc})"
        ) from None
    return Fit.from_idata(idata, p)


def save_fit(idata_or_fit, path: str | os.PathLike[str]) -> Path:
    """Write a fit (a :class:`Fit` or its InferenceData) to ``path`` atomically."""
    if isinstance(idata_or_fit, Fit):
        return idata_or_fit.save(path)
    return save_netcdf(idata_or_fit, Path(path))
