"""Import adapters: one per source format, each ``read_<fmt>(participants, daily, **opts)``.

Column mappings and units are documented in each module and in ``docs/adapters.md``.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import xarray as xr

from bayes_walk.cohort.adapters.actimotus import read_actimotus
from bayes_walk.cohort.adapters.actipass import read_actipass
from bayes_walk.cohort.adapters.hunt import read_hunt
from bayes_walk.cohort.adapters.participants import read_participants
from bayes_walk.cohort.adapters.stepcount import read_stepcount
from bayes_walk.errors import CohortError

FORMATS: dict[str, Callable[..., xr.Dataset]] = {
    "hunt": read_hunt,
    "actimotus": read_actimotus,
    "actipass": read_actipass,
    "stepcount": read_stepcount,
    "participants": read_participants,
}


def import_cohort(
    participants: str | os.PathLike[str],
    daily: str | os.PathLike[str] | None = None,
    format: str | None = None,  # noqa: A002 - the CLI's name for it
    **opts: object,
) -> xr.Dataset:
    """Import a cohort in any supported format.

    Parameters
    ----------
    participants
        Participants table (CSV or Parquet).
    daily
        Daily table; ``None`` for a participants-only import.
    format
        One of :data:`FORMATS`; default ``"hunt"`` with a daily table, else
        ``"participants"``.
    **opts
        Passed to the adapter (``required_covariates``, ``class_mets``, ...).

    Returns
    -------
    xr.Dataset
        The cohort.
    """
    fmt = format or ("hunt" if daily is not None else "participants")
    if fmt not in FORMATS:
        raise CohortError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return FORMATS[fmt](participants, daily, **opts)


__all__ = [
    "FORMATS",
    "import_cohort",
    "read_actimotus",
    "read_actipass",
    "read_hunt",
    "read_participants",
    "read_stepcount",
]
