"""Participant groupings the predictive checks compare observed and replicated incidence in.

Each grouping is a family of disjoint groups: deciles of predicted risk (calibration),
quintiles of each exposure, sex, age group (<65, >=65) and municipality. Groups are
integer codes per participant (-1 = not in any group, e.g. a missing covariate).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from bayes_walk.checks.fitdata import EXPOSURES, categorical_levels, constant
from bayes_walk.fitmeta import spec_dict

AGE_CUT = 65.0


@dataclass(frozen=True)
class Grouping:
    """A family of disjoint participant groups.

    Attributes
    ----------
    family : str
        Name of the family (``calibration``, ``walking_min``, ``sex``, ...).
    codes : numpy.ndarray
        Group code per participant, ``-1`` when the participant is in no group.
    labels : list of str
        Label of each group code.
    """

    family: str
    codes: np.ndarray
    labels: list[str]

    def onehot(self) -> np.ndarray:
        """Indicator matrix ``(participant, group)`` as float64."""
        m = np.zeros((self.codes.shape[0], len(self.labels)))
        inside = self.codes >= 0
        m[np.flatnonzero(inside), self.codes[inside]] = 1.0
        return m


def equal_count_codes(x: np.ndarray, k: int) -> np.ndarray:
    """Split ``x`` into ``k`` groups of (nearly) equal size by rank; NaN -> -1.

    Ranking (ties broken by position) instead of quantile cuts keeps the groups equal in
    size even when many values tie (e.g. a model whose predicted risk is constant).
    """
    x = np.asarray(x, dtype=np.float64)
    codes = np.full(x.shape[0], -1, dtype=np.int64)
    ok = np.flatnonzero(np.isfinite(x))
    if ok.size == 0:
        return codes
    order = ok[np.argsort(x[ok], kind="stable")]
    codes[order] = (np.arange(order.size) * k) // order.size
    return codes


def _range_labels(prefix: str, x: np.ndarray, codes: np.ndarray, k: int, fmt: str) -> list[str]:
    labels = []
    for g in range(k):
        vals = x[codes == g]
        if vals.size:
            labels.append(f"{prefix}{g + 1} [{vals.min():{fmt}}, {vals.max():{fmt}}]")
        else:
            labels.append(f"{prefix}{g + 1}")
    return labels


def risk_deciles(mu: np.ndarray, k: int = 10) -> Grouping:
    """Deciles of predicted risk (posterior mean of ``mu`` per participant)."""
    risk = mu.mean(axis=0)
    codes = equal_count_codes(risk, k)
    return Grouping("calibration", codes, _range_labels("decile ", risk, codes, k, ".3f"))


def lookup(idata, name: str, cohort: xr.Dataset | None = None) -> xr.DataArray | None:
    """A per-participant variable from ``constant_data``, else from ``cohort`` (if given)."""
    da = constant(idata, name)
    if da is None and cohort is not None and name in cohort.data_vars:
        if cohort[name].dims == ("participant",):
            da = cohort[name]
    return da


def exposure_quintiles(idata, k: int = 5, cohort: xr.Dataset | None = None) -> list[Grouping]:
    """Quintiles of each exposure: the spec's and the cohort-standard ones, where stored.

    An exposure the model leaves out is still checked when its values are available, so
    a model that omits it fails on it.
    """
    names = list(dict.fromkeys([*spec_dict(idata).get("exposures", {}), *EXPOSURES]))
    out = []
    for name in names:
        da = lookup(idata, name, cohort)
        if da is None:
            continue
        x = np.asarray(da.values, dtype=np.float64)
        codes = equal_count_codes(x, k)
        out.append(Grouping(name, codes, _range_labels("quintile ", x, codes, k, ".4g")))
    return out


def categorical_grouping(idata, name: str, cohort: xr.Dataset | None = None) -> Grouping | None:
    """Groups by the levels of a coded categorical (None if not stored)."""
    da = lookup(idata, name, cohort)
    if da is None:
        return None
    values = np.asarray(da.values)
    levels = categorical_levels(da)
    if levels is None:
        # Codes without recorded labels: group by the distinct codes that occur.
        present = np.unique(values[values >= 0]) if values.dtype.kind in "iu" else None
        if present is None:
            uniq, codes = np.unique(values.astype(str), return_inverse=True)
            return Grouping(name, codes.astype(np.int64), [str(u) for u in uniq])
        index = {int(c): i for i, c in enumerate(present)}
        codes = np.array([index.get(int(v), -1) for v in values], dtype=np.int64)
        return Grouping(name, codes, [str(int(c)) for c in present])
    codes = values.astype(np.int64)
    codes[(codes < 0) | (codes >= len(levels))] = -1
    used = [g for g in range(len(levels)) if np.any(codes == g)]
    remap = np.full(len(levels), -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    codes = np.where(codes >= 0, remap[np.clip(codes, 0, None)], -1)
    return Grouping(name, codes, [levels[g] for g in used])


def age_groups(idata, cohort: xr.Dataset | None = None) -> Grouping | None:
    """Age <65 versus >=65, from ``age`` in years (raw age needed)."""
    da = lookup(idata, "age", cohort)
    if da is None:
        return None
    age = np.asarray(da.values, dtype=np.float64)
    finite = age[np.isfinite(age)]
    if finite.size == 0 or finite.max() < 18.0:
        # A standardized age cannot be cut at 65 years; the group check is skipped.
        return None
    codes = np.where(np.isfinite(age), (age >= AGE_CUT).astype(np.int64), -1)
    return Grouping("age", codes, ["<65", ">=65"])


def all_groupings(
    idata,
    mu: np.ndarray,
    *,
    deciles: int = 10,
    quintiles: int = 5,
    cohort: xr.Dataset | None = None,
) -> list[Grouping]:
    """Every grouping the ``ppc`` command checks, skipping those the data cannot support.

    Variables come from the fit's ``constant_data``; ``cohort`` (the fitted cohort,
    participants in the same order) supplies those the fit does not store.
    """
    groups = [risk_deciles(mu, deciles), *exposure_quintiles(idata, quintiles, cohort)]
    for maybe in (categorical_grouping(idata, "sex", cohort), age_groups(idata, cohort)):
        if maybe is not None:
            groups.append(maybe)
    muni = categorical_grouping(idata, "municipality", cohort)
    if muni is not None and len(muni.labels) > 1:
        groups.append(muni)
    return [g for g in groups if len(g.labels) > 1 or g.family == "calibration"]
