"""Cohort files: NetCDF (h5netcdf) writes that are atomic and reads that fail clearly.

Decoding of times and timedeltas is switched off on read: a variable whose ``units`` attr
is ``"seconds"`` or ``"days"`` would otherwise come back as ``timedelta64``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import xarray as xr

from bayes_walk.errors import CohortError
from bayes_walk.netcdf_bytes import save_netcdf

ENGINE = "h5netcdf"
REQUIRED_VARIABLES: tuple[str, ...] = ("clbp", "walking_min", "walking_mets")


def _created_by() -> str:
    from bayes_walk import __version__

    return f"bayes_walk {__version__}"


def save_cohort(ds: xr.Dataset, path: str | os.PathLike[str]) -> Path:
    """Write a cohort to NetCDF atomically (h5netcdf engine).

    Participant ids are written as strings; ``attrs["created_by"]`` is filled in when
    absent. The target is replaced only once the whole file has been written.

    Parameters
    ----------
    ds
        The cohort Dataset (DESIGN "The cohort").
    path
        Target file, conventionally ``*.nc``.

    Returns
    -------
    Path
        The written path.
    """
    out = ds.copy()
    if "participant" in out.coords:
        out = out.assign_coords(participant=out["participant"].values.astype(str).astype(object))
    out.attrs.setdefault("created_by", _created_by())
    return save_netcdf(out, path)


def load_cohort(path: str | os.PathLike[str]) -> xr.Dataset:
    """Read a cohort file fully into memory and close it.

    Parameters
    ----------
    path
        A file written by :func:`save_cohort` (or any NetCDF with the cohort layout).

    Returns
    -------
    xr.Dataset
        The cohort, with participant ids as ``str``.

    Raises
    ------
    CohortError
        If the file is missing, empty, corrupt or truncated, or is a NetCDF file that is
        not a bayes_walk cohort.
    """
    p = Path(path)
    name = str(p)
    if not p.exists():
        raise CohortError("file not found", file=name, hint="check the path")
    if p.is_dir():
        raise CohortError("is a directory, not a cohort file", file=name)
    if p.stat().st_size == 0:
        raise CohortError("empty file (0 bytes); not a cohort NetCDF", file=name)
    try:
        with xr.open_dataset(p, engine=ENGINE, decode_times=False, decode_timedelta=False) as raw:
            ds = raw.load()
    except Exception as exc:  # h5py/h5netcdf raise OSError, ValueError, KeyError, ...
        raise CohortError(
            f"cannot read as NetCDF; the file is corrupt or truncated ({type(exc).__name__}: {exc})",
            file=name,
            hint="re-create it with 'bayes-walk import' or 'bayes-walk simulate'",
        ) from exc
    missing = [v for v in REQUIRED_VARIABLES if v not in ds.variables]
    if "participant" not in ds.dims or missing:
        what = "dimension 'participant'" if "participant" not in ds.dims else ""
        if missing:
            what = ", ".join(filter(None, [what, "variables " + ", ".join(missing)]))
        raise CohortError(
            f"NetCDF file is not a bayes_walk cohort (lacks {what})",
            file=name,
            hint="cohort files are made by 'bayes-walk import' or 'bayes-walk simulate'",
        )
    ids = np.asarray(ds["participant"].values).astype(str).astype(object)
    return ds.assign_coords(participant=ids)
