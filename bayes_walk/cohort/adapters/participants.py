"""Participants-only import: one row per participant with precomputed exposures.

Columns: ``participant_id``, ``clbp`` (0/1), ``walking_min`` (mean walking minutes per
valid day, min/day), ``walking_mets`` (time-weighted walking MET), optional
``valid_days`` (0..7) and ``followup_years``, and the covariates. No daily records are
stored (no ``activity_seconds``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import xarray as xr

from bayes_walk.cohort.adapters._io import read_table
from bayes_walk.cohort.build import build_cohort
from bayes_walk.cohort.schema import PAPER_ADJUST
from bayes_walk.errors import CohortError


def read_participants(
    participants_path: str | os.PathLike[str],
    daily_path: str | os.PathLike[str] | None = None,
    *,
    required_covariates: Sequence[str] = PAPER_ADJUST,
    class_mets: Mapping[str, float] | None = None,
) -> xr.Dataset:
    """Import a participants-only table (CSV or Parquet).

    Parameters
    ----------
    participants_path
        The table, see the module docstring.
    daily_path
        Must be ``None``: this format has no daily records.
    required_covariates
        As for :func:`bayes_walk.cohort.build.build_cohort`.
    class_mets
        Unused (exposures come precomputed); accepted for a uniform adapter signature.

    Returns
    -------
    xr.Dataset
        The cohort.
    """
    if daily_path is not None:
        raise CohortError(
            "the participants format takes no daily table",
            file=str(daily_path),
            hint="choose --format hunt, actimotus, actipass or stepcount for daily records",
        )
    del class_mets
    return build_cohort(
        read_table(participants_path),
        None,
        source="participants",
        file=str(participants_path),
        required_covariates=required_covariates,
    )
