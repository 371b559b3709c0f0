"""Report of a sweep folder: forest plot of the analyses and a table (the paper's style).

One forest plot per model spec: one row per analysis (variant; with several cohorts or
replicates, one row per task), the main analysis on top; for a categorical spec the RR of
each volume quartile versus the lowest, for a curve spec RR(x vs 78 min/day) at the
sweep's ``rr_at`` values; 95% intervals. The table (Markdown and CSV) holds the same
numbers with the E-values, plateau probability and diagnostics.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from bayes_walk.atomic import write_atomic, write_text_atomic
from bayes_walk.sweep.sweepfile import SweepError

RR_TICKS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.4, 1.6, 2.0, 2.5, 3.0, 4.0)
COLORS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02")


def load_results(sweep_dir: str | os.PathLike[str]) -> pd.DataFrame:
    """The results table of a sweep folder, in sweep order.

    Raises
    ------
    SweepError
        The folder has no results table.
    """
    d = Path(sweep_dir)
    for name, reader in (("results.parquet", pd.read_parquet), ("results.csv", pd.read_csv)):
        if (d / name).is_file():
            return reader(d / name)
    raise SweepError(f"{d}: no results.parquet or results.csv; run `bayes-walk sweep` first")


def _row_label(r: pd.Series, many_cohorts: bool, many_reps: bool) -> str:
    label = str(r["variant"])
    if many_cohorts:
        label += f" [{r['cohort']}]"
    if many_reps:
        label += f" r{int(r['replicate'])}"
    return label


def forest_rows(df: pd.DataFrame, spec: str) -> pd.DataFrame:
    """The rows one spec's forest plot draws (pure): label, series, rr, lo, hi."""
    d = df[(df["spec"] == spec) & (df["status"] == "done")]
    many_c = d["cohort"].nunique() > 1
    many_r = d["replicate"].nunique() > 1
    cat = d[d["estimand"] == "category"]
    if len(cat):
        # Categories by position (the cuts are each variant's own quartiles, so their
        # labels differ between rows); the reference (first, exactly 1) is not drawn.
        pos = cat.groupby("task").cumcount() + 1
        cat, pos = cat[pos > 1], pos[pos > 1]
        series = pos.map(lambda i: f"Q{i} vs Q1")
    else:
        cat = d[d["estimand"] == "rr"]
        series = cat.apply(lambda r: f"{r['x']:g} vs {r['reference']:g} min/day", axis=1)
    if not len(cat):
        return pd.DataFrame(columns=["label", "series", "rr", "lo", "hi"])
    return pd.DataFrame(
        {
            "label": [_row_label(r, many_c, many_r) for _, r in cat.iterrows()],
            "series": list(series),
            "rr": cat["rr_median"].to_numpy(),
            "lo": cat["rr_lo"].to_numpy(),
            "hi": cat["rr_hi"].to_numpy(),
        }
    )


def forest_figure(rows: pd.DataFrame, title: str):
    """Forest plot of ``rows`` (from :func:`forest_rows`); returns the figure."""
    from bayes_walk.reporting.figures import _pyplot

    plt = _pyplot()
    labels = list(dict.fromkeys(rows["label"]))
    series = list(dict.fromkeys(rows["series"]))
    k = len(series)
    fig, ax = plt.subplots(figsize=(8.5, 0.9 + 0.45 * len(labels) * max(1, k / 2)))
    step = 0.7 / max(k, 1)
    for j, s in enumerate(series):
        sub = rows[rows["series"] == s]
        y = np.array([labels.index(lbl) for lbl in sub["label"]]) + (j - (k - 1) / 2) * step
        err = np.vstack([sub["rr"] - sub["lo"], sub["hi"] - sub["rr"]])
        ax.errorbar(sub["rr"], y, xerr=err, fmt="o", ms=4, capsize=2,
                    color=COLORS[j % len(COLORS)], label=s)  # fmt: skip
    ax.axvline(1.0, color="grey", lw=0.8, ls="--")
    ax.set_xscale("log")
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()  # the main analysis on top
    ax.set_xlabel("Risk ratio (95% interval), log scale")
    lo = float(np.nanmin(rows["lo"])) if len(rows) else 0.5
    hi = float(np.nanmax(rows["hi"])) if len(rows) else 2.0
    ticks = [t for t in RR_TICKS if lo * 0.95 <= t <= hi * 1.05] or [1.0]
    ax.set_xticks(ticks)
    ax.xaxis.set_minor_formatter(plt.NullFormatter())
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.set_title(title)
    if k > 1:
        ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    return fig


def _fmt(v, digits: int = 2) -> str:
    return "" if v is None or pd.isna(v) else f"{float(v):.{digits}f}"


def sweep_table(df: pd.DataFrame) -> pd.DataFrame:
    """One row per task and RR (category or x): the report's table (pure)."""
    est = df[df["estimand"].isin(["rr", "category"]) | (df["status"] != "done")].copy()
    kind = est["estimand"].fillna("").to_numpy(dtype=object)
    done = (est["status"].fillna("") == "done").to_numpy(dtype=bool)
    what = np.where(
        kind == "category",
        est["category"].astype(str).to_numpy(dtype=object),
        est["x"].map(lambda v: "" if pd.isna(v) else f"{v:g} vs 78").to_numpy(dtype=object),
    )
    return pd.DataFrame(
        {
            "analysis": est["variant"].to_numpy(),
            "spec": est["spec"].to_numpy(),
            "cohort": est["cohort"].to_numpy(),
            "n": est["n_participants"].to_numpy(),
            "status": est["status"].to_numpy(),
            "rr_of": np.where(done, what, ""),
            "rr": [
                "" if pd.isna(m) else f"{m:.2f} ({lo:.2f}-{hi:.2f})"
                for m, lo, hi in zip(est["rr_median"], est["rr_lo"], est["rr_hi"], strict=True)
            ],
            "evalue": [_fmt(v) for v in est["evalue"]],
            "evalue_ci": [_fmt(v) for v in est["evalue_ci"]],
            "plateau_probability": [_fmt(v) for v in est["plateau_probability"]],
            "divergences": est["divergences"].to_numpy(),
            "max_rhat": [_fmt(v, 3) for v in est["max_rhat"]],
            "error": est["error"].fillna("").to_numpy(dtype=object),
        }
    )


def _markdown(table: pd.DataFrame) -> str:
    cols = list(table.columns)
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, r in table.iterrows():
        out.append("| " + " | ".join(str(r[c]).replace("|", "/") for c in cols) + " |")
    return "\n".join(out)


def sweep_report(sweep_dir: str | os.PathLike[str], out: str | os.PathLike[str]) -> list[Path]:
    """Write forest plots (``forest_<spec>.png``), ``table.md`` and ``table.csv`` to ``out``.

    Returns the paths written.
    """
    from bayes_walk.reporting.figures import to_png

    df = load_results(sweep_dir)
    out = Path(out)
    written: list[Path] = []
    figs = []
    for spec in dict.fromkeys(df["spec"]):
        rows = forest_rows(df, spec)
        if not len(rows):
            continue
        png = to_png(forest_figure(rows, f"{spec}: walking volume"))
        path = out / f"forest_{spec}.png"
        written.append(write_atomic(path, lambda p, b=png: p.write_bytes(b)))
        figs.append(path.name)
    table = sweep_table(df)
    written.append(write_atomic(out / "table.csv", lambda p: table.to_csv(p, index=False)))
    meta = {}
    if (Path(sweep_dir) / "sweep.json").is_file():
        meta = json.loads((Path(sweep_dir) / "sweep.json").read_text())
    tasks = df.drop_duplicates("task")
    text = [
        f"# Sweep report: {meta.get('name', Path(sweep_dir).name)}",
        "",
        f"{len(tasks)} tasks: {int((tasks['status'] == 'done').sum())} done, "
        f"{int((tasks['status'] == 'failed').sum())} failed; total task time "
        f"{tasks['wall_s'].sum():.0f} s. RR of a curve spec: x vs 78 min/day; E-values "
        "(VanderWeele and Ding) of the posterior median RR and of the interval limit "
        "closer to 1.",
        "",
        *[f"![{f}]({f})" for f in figs],
        "",
        _markdown(table),
        "",
    ]
    written.append(write_text_atomic(out / "table.md", "\n".join(text)))
    return written
