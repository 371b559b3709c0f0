"""NetCDF serialised in memory, then written with plain Python I/O.

h5py writing straight to a full disk fails inside the HDF5 library and can crash the
interpreter when the half-written file is closed (exit 139). Serialising to bytes first
keeps HDF5 away from the disk: a full disk is then an ordinary ``OSError`` from ``write``,
turned into a clean :class:`~bayes_walk.errors.OutputError` by :mod:`bayes_walk.atomic`.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from bayes_walk.atomic import write_bytes_atomic

ENGINE = "h5netcdf"


def _compressible(dtype: np.dtype) -> bool:
    # the rule of arviz's own InferenceData.to_netcdf(compress=True)
    if dtype.kind == "V":
        return all(_compressible(item) for item, _ in dtype.fields.values())
    return dtype.kind in {"b", "i", "u", "f", "c", "S"}


def _inference_data_tree(idata: Any) -> tuple[xr.DataTree, dict[str, dict]]:
    """The groups of an InferenceData as a DataTree, with arviz's zlib encoding."""
    groups: dict[str, xr.Dataset] = {"/": xr.Dataset(attrs=dict(idata.attrs or {}))}
    encoding: dict[str, dict] = {}
    for name in idata._groups_all:
        ds = getattr(idata, name)
        groups[f"/{name}"] = ds
        encoding[f"/{name}"] = {
            v: {"zlib": True} for v, val in ds.variables.items() if _compressible(val.dtype)
        }
    return xr.DataTree.from_dict(groups), encoding


def netcdf_bytes(obj: Any) -> bytes:
    """Serialise an ``xr.Dataset`` or an ArviZ ``InferenceData`` to NetCDF-4 bytes.

    An InferenceData is laid out as ``InferenceData.to_netcdf`` writes it (one HDF5 group
    per ArviZ group, root attrs), so ``az.from_netcdf`` reads it back identically.
    """
    if not (isinstance(obj, xr.Dataset) or hasattr(obj, "_groups_all")):
        raise TypeError(f"cannot write {type(obj).__name__} as NetCDF")
    # Inside a Dask worker (sweeps) xarray would take a distributed lock named after the
    # target, which a BytesIO cannot be; the data are in memory, so local locks will do.
    with _local_scheduler():
        if isinstance(obj, xr.Dataset):
            data = obj.to_netcdf(engine=ENGINE)
        else:
            tree, encoding = _inference_data_tree(obj)
            data = tree.to_netcdf(engine=ENGINE, encoding=encoding)
    return bytes(data)


def _local_scheduler():
    try:
        import dask
    except ImportError:  # pragma: no cover - dask is a dependency
        return contextlib.nullcontext()
    return dask.config.set(scheduler="synchronous")


def save_netcdf(obj: Any, path: str | os.PathLike[str]) -> Path:
    """Write ``obj`` (Dataset or InferenceData) to ``path`` atomically; see the module doc."""
    return write_bytes_atomic(path, netcdf_bytes(obj))
