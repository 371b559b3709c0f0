"""Table 1 by walking-volume quartile and the inclusion flow (pure functions).

:func:`describe_cohort` returns plain JSON-ready Python values; :func:`format_table1`
renders them as text. Percentages of a categorical covariate are of all participants in
the column, with a ``missing`` entry when some values are missing.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import xarray as xr

from bayes_walk.cohort.quartiles import categorize, quartile_cuts, quartile_labels
from bayes_walk.cohort.schema import get_categorical, inclusion_flow, is_categorical

EXPOSURE_DECIMALS: dict[str, int] = {"walking_min": 0, "walking_mets": 2}
OVERALL = "Overall"
# a grouping variable with dozens of levels would swamp the text table
MAX_TEXT_LEVELS = 12


def _f(x: float) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def _covariate_names(ds: xr.Dataset) -> list[str]:
    if "covariates" in ds.attrs:
        names = list(json.loads(ds.attrs["covariates"]))
    else:
        skip = {"clbp", "walking_min", "walking_mets", "valid_days", "followup_years"}
        names = [
            str(v)
            for v, da in ds.data_vars.items()
            if da.dims == ("participant",) and str(v) not in skip and not str(v).startswith("true_")
        ]
    return [n for n in names if n in ds]


def _column(ds: xr.Dataset, mask: np.ndarray, names: list[str]) -> dict:
    y = ds["clbp"].to_numpy()[mask]
    col: dict = {"n": int(mask.sum()), "cases": int(y.sum())}
    col["incidence"] = _f(y.mean()) if mask.any() else None
    for exp in ("walking_min", "walking_mets"):
        v = ds[exp].to_numpy()[mask]
        col[f"{exp}_mean"] = _f(np.nanmean(v)) if np.isfinite(v).any() else None
    if "age" in ds:
        age = ds["age"].to_numpy()[mask]
        ok = np.isfinite(age)
        col["age_mean"] = _f(age[ok].mean()) if ok.any() else None
        col["age_sd"] = _f(age[ok].std(ddof=1)) if ok.sum() > 1 else None
    if "sex" in ds and is_categorical(ds, "sex"):
        sex = get_categorical(ds, "sex")[mask]
        col["female_pct"] = _f(100.0 * np.mean(sex == "female")) if mask.any() else None
    if "valid_days" in ds:
        vd = ds["valid_days"].to_numpy()[mask].astype(np.float64)
        vd = vd[vd >= 0]
        col["valid_days_mean"] = _f(vd.mean()) if vd.size else None
    cats: dict[str, dict[str, float | None]] = {}
    nums: dict[str, dict[str, float | None]] = {}
    for name in names:
        if name == "age":
            continue
        if is_categorical(ds, name):
            cat = get_categorical(ds, name)[mask]
            counts = pd.Series(cat).value_counts(sort=False, dropna=False)
            total = max(int(mask.sum()), 1)
            dist = {str(lv): 100.0 * int(counts.get(lv, 0)) / total for lv in cat.categories}
            n_missing = int(pd.isna(cat).sum())
            if n_missing:
                dist["missing"] = 100.0 * n_missing / total
            cats[name] = dist
        else:
            v = ds[name].to_numpy().astype(np.float64)[mask]
            ok = np.isfinite(v)
            nums[name] = {
                "mean": _f(v[ok].mean()) if ok.any() else None,
                "sd": _f(v[ok].std(ddof=1)) if ok.sum() > 1 else None,
            }
    col["categorical"] = cats
    col["numeric"] = nums
    return col


def describe_cohort(ds: xr.Dataset) -> dict:
    """Summary of a cohort: size, incidence, quartile cuts, Table 1, inclusion flow.

    Parameters
    ----------
    ds
        A cohort Dataset.

    Returns
    -------
    dict
        ``n``, ``cases``, ``incidence``, ``source``, ``quartile_cuts`` and
        ``quartile_labels`` (per exposure), ``table1`` (``by``, ``columns``: one entry per
        volume quartile plus ``Overall``), ``inclusion_flow`` (list of ``{step, n}``) and
        ``notes``. JSON-serialisable.
    """
    y = ds["clbp"].to_numpy()
    out: dict = {
        "n": int(ds.sizes["participant"]),
        "cases": int(y.sum()),
        "incidence": _f(y.mean()) if y.size else None,
        "source": str(ds.attrs.get("source", "")),
    }
    cuts: dict[str, list[float] | None] = {}
    labels: dict[str, list[str] | None] = {}
    for exp, dec in EXPOSURE_DECIMALS.items():
        v = ds[exp].to_numpy()
        if np.isfinite(v).any():
            c = quartile_cuts(v)
            cuts[exp] = [float(x) for x in c]
            labels[exp] = quartile_labels(c, dec)
        else:
            cuts[exp], labels[exp] = None, None
    out["quartile_cuts"] = cuts
    out["quartile_labels"] = labels
    names = _covariate_names(ds)
    columns = []
    if cuts["walking_min"] is not None:
        cat = categorize(ds["walking_min"].to_numpy(), cuts["walking_min"], labels["walking_min"])
        codes = np.asarray(cat.codes)
        for i, lab in enumerate(cat.categories):
            columns.append({"label": str(lab), **_column(ds, codes == i, names)})
    everyone = np.ones(out["n"], dtype=bool)
    columns.append({"label": OVERALL, **_column(ds, everyone, names)})
    out["table1"] = {"by": "walking_min", "columns": columns}
    out["inclusion_flow"] = [{"step": s, "n": n} for s, n in inclusion_flow(ds)]
    notes = ds.attrs.get("notes")
    out["notes"] = list(json.loads(notes)) if notes else []
    return out


def _fmt(v: float | None, spec: str = ".1f") -> str:
    return "-" if v is None else format(v, spec)


def format_table1(d: dict) -> str:
    """Render :func:`describe_cohort` output as plain text (Table 1 and inclusion flow)."""
    lines = [
        f"Cohort ({d.get('source') or 'unknown source'}): n = {d['n']:,}, cases = {d['cases']:,}, "
        f"incidence = {_fmt(None if d['incidence'] is None else 100 * d['incidence'])}%",
    ]
    for exp, cuts in d["quartile_cuts"].items():
        if cuts is None:
            lines.append(f"{exp}: not available")
        else:
            dec = EXPOSURE_DECIMALS.get(exp, 2)
            shown = ", ".join(f"{c:.{dec}f}" for c in cuts)
            lines.append(f"{exp} quartile cuts: {shown}  ({' | '.join(d['quartile_labels'][exp])})")
    cols = d["table1"]["columns"]
    head = ["walking_min (min/day)"] + [c["label"] for c in cols]
    rows: list[list[str]] = [head]

    def row(name: str, key: str, spec: str = ".1f") -> None:
        if any(key in c for c in cols):
            rows.append([name] + [_fmt(c.get(key), spec) for c in cols])

    row("N", "n", ",d")
    row("Cases", "cases", ",d")
    rows.append(
        ["Incidence, %"]
        + [_fmt(None if c["incidence"] is None else 100 * c["incidence"]) for c in cols]
    )
    if any("age_mean" in c for c in cols):
        rows.append(
            ["Age, mean (SD)"]
            + [f"{_fmt(c.get('age_mean'))} ({_fmt(c.get('age_sd'))})" for c in cols]
        )
    row("Women, %", "female_pct")
    row("Valid days, mean", "valid_days_mean", ".2f")
    row("Walking, min/day", "walking_min_mean")
    row("Walking intensity, MET", "walking_mets_mean", ".2f")
    overall = cols[-1]
    for name in overall["numeric"]:
        rows.append(
            [f"{name}, mean"] + [_fmt(c["numeric"].get(name, {}).get("mean"), ".2f") for c in cols]
        )
    for name, dist in overall["categorical"].items():
        if name == "sex":
            continue
        if len(dist) > MAX_TEXT_LEVELS:
            rows.append([f"{name}: {len(dist)} levels (see --json)"] + [""] * len(cols))
            continue
        rows.append([f"{name}, %"] + [""] * len(cols))
        for level in dist:
            rows.append(
                [f"  {level}"] + [_fmt(c["categorical"].get(name, {}).get(level)) for c in cols]
            )
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines.append("")
    lines.append("Table 1 by walking volume quartile")
    for r in rows:
        lines.append(
            "  ".join(
                r[i].ljust(widths[i]) if i == 0 else r[i].rjust(widths[i]) for i in range(len(r))
            )
        )
    lines.append("")
    lines.append("Inclusion flow")
    for step in d["inclusion_flow"]:
        lines.append(f"  {step['n']:>8,}  {step['step']}")
    for note in d.get("notes", []):
        lines.append(f"Note: {note}")
    return "\n".join(lines)
