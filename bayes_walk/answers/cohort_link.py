"""Find the cohort behind a fit, and the paper's frequentist estimates on it.

The frequentist column of Table 2 needs the participant-level data. A fit records them in
two places (ARCHITECTURE "fit.nc"): ``attrs["cohort_path"]`` (the cohort file it was fitted
to) and ``constant_data`` (exposures and covariates as used, ``observed_data.clbp``). The
file is preferred when it still exists and holds the same participants; otherwise the
cohort is rebuilt from ``constant_data`` when that holds every needed variable (coded
categoricals keep their ``levels`` attr). If neither works the frequentist column is left
empty and the reason is given.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from bayes_walk.errors import BayesWalkError
from bayes_walk.fitmeta import fit_attrs, outcome_of, spec_dict


@dataclass(frozen=True)
class LinkedCohort:
    """A cohort Dataset for a fit (or None) and how it was found."""

    cohort: xr.Dataset | None
    how: str


def adjustment_of(idata) -> list[str]:
    """The adjustment set used by the fit (spec ``adjust``)."""
    from bayes_walk.cohort.schema import PAPER_ADJUST

    adj = spec_dict(idata).get("adjust")
    return [str(a) for a in adj] if isinstance(adj, list) else list(PAPER_ADJUST)


def _from_file(idata, fit_dir: str | None) -> LinkedCohort | None:
    attrs = fit_attrs(idata)
    raw = attrs.get("cohort_path")
    if not raw:
        return None
    candidates = [str(raw)]
    if fit_dir:
        # a fit moved together with its cohort (e.g. the demo folder) still finds it
        base = os.path.basename(str(raw))
        if not os.path.isabs(str(raw)):
            candidates.append(os.path.join(fit_dir, str(raw)))
        candidates += [os.path.join(fit_dir, base), os.path.join(os.path.dirname(fit_dir), base)]
    for path in candidates:
        if not os.path.exists(path):
            continue
        from bayes_walk.cohort.store import load_cohort

        try:
            ds = load_cohort(path)
        except BayesWalkError:
            continue
        n_fit = attrs.get("n_participants")
        if n_fit is not None and int(n_fit) != ds.sizes.get("participant", -1):
            continue
        if "constant_data" in idata.groups() and "participant" in idata.constant_data.coords:
            ids = np.asarray(idata.constant_data["participant"].values).astype(str)
            have = np.asarray(ds["participant"].values).astype(str)
            if ids.size != have.size or not np.array_equal(np.sort(ids), np.sort(have)):
                continue
        # named as the fit records it: the file found may be a stand-in beside the fit,
        # or the temporary folder a report or demo is being built in
        return LinkedCohort(ds, f"cohort file {raw}")
    return None


def _from_constant_data(idata, needed: list[str]) -> LinkedCohort | None:
    if "constant_data" not in idata.groups() or "observed_data" not in idata.groups():
        return None
    const = idata.constant_data
    obs = idata.observed_data
    outcome = outcome_of(idata)
    if outcome not in obs:
        return None
    missing = [v for v in needed if v not in const or const[v].dims != ("participant",)]
    if missing:
        return None
    data = {v: const[v] for v in needed}
    y = obs[outcome]
    if y.dims != ("participant",):
        return None
    ds = xr.Dataset({**data, outcome: y})
    for v in needed:
        ds[v].attrs = dict(const[v].attrs)
    return LinkedCohort(ds, "the fit's constant_data")


def cohort_for_fit(idata, *, fit_path: str | None = None) -> LinkedCohort:
    """The cohort the fit was made from, found as robustly as the fit allows."""
    fit_dir = os.path.dirname(os.path.abspath(fit_path)) if fit_path else None
    found = _from_file(idata, fit_dir)
    if found is not None:
        return found
    needed = ["walking_min", "walking_mets", *adjustment_of(idata)]
    found = _from_constant_data(idata, needed)
    if found is not None:
        return found
    return LinkedCohort(
        None,
        "no cohort: the recorded cohort file is missing or differs, and the fit's "
        "constant_data lacks some of " + ", ".join(needed),
    )


def frequentist_table(
    cohort: xr.Dataset | None,
    exposure: str,
    *,
    adjust: list[str],
    cuts: list[float] | None,
    other: str = "linear",
    outcome: str = "clbp",
) -> tuple[pd.DataFrame | None, str]:
    """The paper's modified-Poisson RRs for ``exposure``'s categories, or (None, reason)."""
    if cohort is None:
        return None, "no cohort available"
    try:
        from bayes_walk.checks.frequentist import modified_poisson
    except ImportError:
        return None, "bayes_walk.checks.frequentist is not available"
    try:
        table = modified_poisson(
            cohort,
            exposure=exposure,
            adjust=list(adjust),
            other=other,
            cuts=None if cuts is None else np.asarray(cuts, dtype=float),
            outcome=outcome,
        )
    except BayesWalkError as exc:
        return None, f"modified Poisson failed: {exc}"
    return table, "modified Poisson (robust variance) on the same cohort and adjustment"
