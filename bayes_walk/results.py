"""fit.nc: save a fit atomically, load it back with its model and predict curves at new x."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from bayes_walk.errors import BayesWalkError, FitFileError

REQUIRED_GROUPS = ("posterior", "log_likelihood", "observed_data", "constant_data")
REQUIRED_ATTRS = ("spec", "designs", "cohort_hash")


def save_fit(idata, path: str | os.PathLike[str]) -> Path:
    """Write ``idata`` to NetCDF atomically (an interrupted write leaves no file).

    Parameters
    ----------
    idata
        InferenceData from :func:`bayes_walk.inference.fit.fit`.
    path
        Target path, conventionally ``fit.nc``.
    """
    from bayes_walk.netcdf_bytes import save_netcdf

    return save_netcdf(idata, path)


@dataclass
class LoadedFit:
    """A fit read from disk: the InferenceData, its spec and designs, and its model."""

    path: Path
    idata: Any
    spec: Any
    designs: dict[str, Any]
    attrs: dict[str, Any] = field(default_factory=dict)
    _built: Any = None

    @property
    def posterior(self) -> xr.Dataset:
        return self.idata.posterior

    @property
    def exposures(self) -> list[str]:
        return list(self.designs["exposures"])

    def cohort(self) -> xr.Dataset:
        """The per-participant data the fit used (constant_data + observed outcome)."""
        cd = self.idata.constant_data.copy()
        y = self.spec.outcome
        cd[y] = self.idata.observed_data[y]
        return cd

    @property
    def built(self):
        """The rebuilt :class:`~bayes_walk.model.builder.BuiltModel` (fixed designs from the file)."""
        if self._built is None:
            from bayes_walk.model.builder import build_model

            self._built = build_model(self.spec, self.cohort(), designs=self.designs)
        return self._built

    def predict_curve(self, exposure: str, x) -> xr.DataArray:
        """Posterior draws of the log-RR versus the reference at new ``x`` values.

        Returns a DataArray with dims ``(chain, draw, [stratum,] x)``. Uses the designs
        stored in the file (e.g. the HSGP boundary fixed from the training data), so at the
        grid values it reproduces the stored ``logrr_<exposure>``. HSGP values beyond the
        boundary ``L`` are NaN.
        """
        from bayes_walk.model.forms import get_form

        if exposure not in self.designs["exposures"]:
            raise FitFileError(
                f"{self.path}: no exposure '{exposure}' in this fit; it has {', '.join(self.exposures)}"
            )
        d = self.designs["exposures"][exposure]
        x = np.atleast_1d(np.asarray(x, dtype=np.float64))
        out = get_form(d["form"]).predict(x, self.posterior, d, exposure)
        order = [dim for dim in ("chain", "draw", "stratum", "x") if dim in out.dims]
        out = out.transpose(*order)
        out.name = f"logrr_{exposure}"
        out.attrs.update({"reference": d["reference"], "form": d["form"]})
        return out


def load_fit(path: str | os.PathLike[str]) -> LoadedFit:
    """Read a fit file written by :func:`save_fit`.

    Raises
    ------
    FitFileError
        Missing, empty, corrupt or truncated file, or a NetCDF file that is not a
        bayes_walk fit (the message says what is missing).
    """
    import arviz as az

    from bayes_walk.spec.model_spec import spec_from_dict

    p = Path(path)
    if not p.exists():
        raise FitFileError(f"{p}: file not found")
    if p.is_dir():
        raise FitFileError(f"{p}: is a directory, not a fit file")
    if p.stat().st_size == 0:
        raise FitFileError(f"{p}: empty file (0 bytes); not a fit")
    try:
        idata = az.from_netcdf(str(p), engine="h5netcdf")
        idata.load()
    except Exception as exc:  # h5py/h5netcdf raise OSError, ValueError, KeyError, ...
        raise FitFileError(
            f"{p}: cannot read as a fit (NetCDF InferenceData); the file is corrupt or truncated "
            f"({type(exc).__name__}: {exc})"
        ) from exc
    missing = [g for g in REQUIRED_GROUPS if g not in idata.groups()]
    attrs = dict(idata.attrs)
    missing_attrs = [a for a in REQUIRED_ATTRS if a not in attrs]
    if missing or missing_attrs:
        what = ", ".join([f"group {g}" for g in missing] + [f"attr {a}" for a in missing_attrs])
        raise FitFileError(
            f"{p}: not a bayes_walk fit (lacks {what}); fit files are made by 'bayes-walk fit'"
        )
    try:
        spec = spec_from_dict(json.loads(attrs["spec"]), source=f"{p} (stored spec)")
        designs = json.loads(attrs["designs"])
    except (json.JSONDecodeError, BayesWalkError) as exc:
        raise FitFileError(f"{p}: stored spec/designs are unreadable ({exc})") from exc
    for name in designs.get("exposures", {}):
        if f"logrr_{name}" not in idata.posterior:
            raise FitFileError(f"{p}: posterior lacks the curve 'logrr_{name}'")
    return LoadedFit(path=p, idata=idata, spec=spec, designs=designs, attrs=attrs)
