"""Per-participant exposures derived from daily activity seconds.

The valid-day rule is the paper's: a day counts when lying, sitting, standing and walking
(any walking class) each have more than 0 s. ``walking_min`` is the mean daily walking time
over valid days; ``walking_mets`` is the walking-time-weighted mean MET over valid days.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import numpy as np
import xarray as xr

from bayes_walk.cohort.schema import DEFAULT_CLASS_METS, WALK_CLASSES

VALID_DAY_CLASSES: tuple[str, ...] = ("lying", "sitting", "standing")


def derive_exposures(ds: xr.Dataset, class_mets: Mapping[str, float] | None = None) -> xr.Dataset:
    """Add ``valid_day``, daily series, ``valid_days``, ``walking_min``, ``walking_mets``.

    Parameters
    ----------
    ds
        Cohort with ``activity_seconds(participant, day, activity)``.
    class_mets
        MET value of each walking class; defaults to 2.8/3.8/4.8 for slow/moderate/brisk.

    Returns
    -------
    xr.Dataset
        A new Dataset; participants with no valid day get NaN exposures and
        ``valid_days == 0`` (the caller decides whether to exclude them).
    """
    mets = dict(DEFAULT_CLASS_METS if class_mets is None else class_mets)
    secs = ds["activity_seconds"]
    walk = secs.sel(activity=list(WALK_CLASSES))
    walk_total = walk.sum("activity", skipna=False)
    present = [secs.sel(activity=a) > 0 for a in VALID_DAY_CLASSES]
    valid = present[0] & present[1] & present[2] & (walk_total > 0)
    valid = valid & secs.notnull().all("activity")

    met_vec = xr.DataArray(
        [float(mets[c]) for c in WALK_CLASSES],
        dims="activity",
        coords={"activity": list(WALK_CLASSES)},
    )
    met_seconds = (walk * met_vec).sum("activity", skipna=False)

    daily_min = (walk_total / 60.0).where(valid)
    daily_mets = (met_seconds / walk_total).where(valid)
    n_valid = valid.sum("day").astype(np.int16)
    walk_sum = walk_total.where(valid).sum("day")
    with np.errstate(invalid="ignore", divide="ignore"):
        walking_min = (walk_sum / 60.0 / n_valid).where(n_valid > 0)
        walking_mets = (met_seconds.where(valid).sum("day") / walk_sum).where(n_valid > 0)

    out = ds.assign(
        valid_day=valid,
        daily_walking_min=daily_min,
        daily_walking_mets=daily_mets,
        valid_days=n_valid,
        walking_min=walking_min,
        walking_mets=walking_mets,
    )
    out["walking_min"].attrs = {"units": "min/day", "long_name": "mean daily walking time"}
    out["walking_mets"].attrs = {"units": "MET", "long_name": "time-weighted walking intensity"}
    out["valid_days"].attrs = {"long_name": "valid measurement days"}
    out.attrs["class_mets"] = json.dumps(mets)
    return out
