"""Report figures (matplotlib, Agg): dose-response curves as the paper draws them, onsets.

Each function returns a ``matplotlib.figure.Figure``; the caller saves or embeds it and
closes it with :func:`to_png`.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import numpy as np
import xarray as xr

from bayes_walk.estimands.curve import LABELS, UNITS
from bayes_walk.estimands.draws import curve_draws, grid_values, interval, reference_of
from bayes_walk.estimands.plateau import DEFAULT_DELTA, DEFAULT_TAIL, plateau_onset
from bayes_walk.estimands.reference import reference_inside, rereference

BAND_ALPHA = 0.25


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def to_png(fig) -> bytes:
    """PNG bytes of ``fig`` (which is closed afterwards)."""
    plt = _pyplot()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return buf.getvalue()


def png_base64(png: bytes) -> str:
    """A ``data:`` URI for embedding PNG bytes in HTML."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def axis_label(exposure: str) -> str:
    """``Walking volume (min/day)`` style axis label."""
    unit = UNITS.get(exposure)
    label = LABELS.get(exposure, exposure)
    return f"{label} ({unit})" if unit else label


def exposure_values(idata, cohort: xr.Dataset | None, exposure: str) -> np.ndarray | None:
    """Per-participant exposure values for the histogram (constant_data, else the cohort)."""
    if "constant_data" in idata.groups() and exposure in idata.constant_data:
        da = idata.constant_data[exposure]
        if da.ndim == 1:
            return np.asarray(da.values, dtype=float)
    if cohort is not None and exposure in cohort:
        return np.asarray(cohort[exposure].values, dtype=float)
    return None


def true_curve(cohort: xr.Dataset | None, exposure: str, reference: float | None):
    """The simulated truth on its grid, re-referenced to ``reference`` (or None)."""
    name = f"true_logrr_{exposure}"
    if cohort is None or name not in cohort:
        return None
    da = cohort[name]
    gdim = f"truth_{exposure}"
    if gdim not in da.dims:
        return None
    if reference is not None:
        at_ref = da.interp({gdim: reference})
        da = da - at_ref.drop_vars(gdim, errors="ignore")
    return da


def _draw_curve(ax, curve: xr.DataArray, color: str, label: str | None, prob: float) -> None:
    grid = grid_values(curve)
    s = np.exp(interval(curve, prob=prob))
    ax.fill_between(grid, s["lo"].values, s["hi"].values, color=color, alpha=BAND_ALPHA, lw=0)
    ax.plot(grid, s["median"].values, color=color, lw=2, label=label)


RR_TICKS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.4, 1.6, 2.0, 2.5, 3.0, 4.0)


def _rr_ticks(ax, plt) -> None:
    """Readable RR labels on a log axis (plain numbers, not powers of ten)."""
    lo, hi = ax.get_ylim()
    ticks = [t for t in RR_TICKS if lo <= t <= hi]
    ax.yaxis.set_minor_formatter(plt.NullFormatter())
    if len(ticks) >= 2:
        ax.set_yticks(ticks)
        ax.set_yticks([], minor=True)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:g}"))


def curve_figure(
    fits: Sequence[tuple[str, object]],
    exposure: str,
    *,
    cohort: xr.Dataset | None = None,
    prob: float = 0.95,
    reference: float | None = None,
):
    """Dose-response curves of one exposure, one panel per fit, exposure histogram beneath.

    RR on a log axis with the posterior median and ``prob`` band, the reference marked
    (dotted vertical line, RR = 1 line), the simulated truth dashed when the cohort has it.

    Parameters
    ----------
    fits
        ``(name, idata)`` pairs holding ``logrr_<exposure>``.
    exposure
        ``walking_min`` or ``walking_mets`` (any stored curve).
    cohort
        The cohort, for the histogram fallback and the simulated truth.
    reference
        Put every panel on this reference (each fit whose grid holds it; the others keep
        their own). Every panel's axis names the reference its curve is drawn against.
    """
    plt = _pyplot()
    k = len(fits)
    fig, axes = plt.subplots(
        2,
        k,
        figsize=(max(4.6 * k, 6.4), 5.2),
        sharex="col",
        gridspec_kw={"height_ratios": [3.2, 1]},
        squeeze=False,
        layout="constrained",
    )
    pct = round(100 * prob)
    for j, (name, idata) in enumerate(fits):
        ax, hax = axes[0, j], axes[1, j]
        curve = curve_draws(idata, exposure)
        form = curve.attrs.get("form", "")
        if reference is not None and reference_inside(curve, reference):
            curve = rereference(curve, reference, exposure)
        ref = reference_of(curve, idata)
        if curve.attrs.get("exposure_scale") == "habitual":  # measurement = "days"
            form = f"{form}, habitual exposure" if form else "habitual exposure"
        if "stratum" in curve.dims:
            for i, s in enumerate(curve["stratum"].values):
                _draw_curve(ax, curve.sel(stratum=s), f"C{i}", f"{s}", prob)
        else:
            _draw_curve(ax, curve, "C0", f"posterior median, {pct}% band", prob)
        truth = true_curve(cohort, exposure, ref)
        if truth is not None:
            tg = truth[f"truth_{exposure}"].values
            grid = grid_values(curve)
            keep = (tg >= grid[0]) & (tg <= grid[-1])
            t = np.exp(truth.transpose(..., f"truth_{exposure}").values)
            t = t.reshape(-1, tg.size)
            for row in t:
                ax.plot(tg[keep], row[keep], color="k", ls="--", lw=1.2)
            ax.plot([], [], color="k", ls="--", lw=1.2, label="simulated truth")
        ax.set_yscale("log")
        ax.axhline(1.0, color="0.5", lw=0.8)
        if ref is not None:
            ax.axvline(ref, color="0.3", ls=":", lw=1)
            ax.annotate(
                f"reference {ref:.4g}",
                (ref, 1.0),
                xytext=(4, 6),
                textcoords="offset points",
                fontsize=8,
                color="0.3",
            )
        _rr_ticks(ax, plt)
        ax.set_title(f"{name}" + (f" ({form})" if form else ""), fontsize=10)
        unit = UNITS.get(exposure, "")
        ax.set_ylabel(
            f"Risk ratio vs {ref:.4g} {unit} (log scale)" if ref is not None else "Risk ratio"
        )
        ax.legend(fontsize=7, loc="best")
        vals = exposure_values(idata, cohort, exposure)
        grid = grid_values(curve)
        if vals is not None:
            vals = vals[np.isfinite(vals)]
            hax.hist(vals[(vals >= grid[0]) & (vals <= grid[-1])], bins=40, color="0.7")
        hax.set_xlabel(axis_label(exposure))
        if j == 0:
            hax.set_ylabel("participants")
        hax.set_xlim(grid[0], grid[-1])
    from bayes_walk.fitmeta import outcome_label

    label = outcome_label(fits[0][1]) if fits else "the outcome"
    fig.suptitle(f"{axis_label(exposure)} and risk of {label}", fontsize=12)
    return fig


def onset_figure(
    fits: Sequence[tuple[str, object]],
    exposure: str = "walking_min",
    *,
    near: float = 100.0,
    within: float = 10.0,
    delta: float = DEFAULT_DELTA,
    tail: float = DEFAULT_TAIL,
):
    """Posterior of the plateau onset, one panel per fit; censored mass shown as text."""
    plt = _pyplot()
    k = len(fits)
    fig, axes = plt.subplots(
        1, k, figsize=(max(4.2 * k, 6.4), 3.6), squeeze=False, layout="constrained"
    )
    unit = UNITS.get(exposure, "")
    for j, (name, idata) in enumerate(fits):
        ax = axes[0, j]
        curve = curve_draws(idata, exposure)
        grid = grid_values(curve)
        onset = plateau_onset(curve, delta=delta, tail=tail)
        if "stratum" in onset.dims:
            strata = [(str(s), onset.sel(stratum=s)) for s in onset["stratum"].values]
        else:
            strata = [(None, onset)]
        bins = np.linspace(grid[0], grid[-1], 41)
        notes = []
        for i, (s, o) in enumerate(strata):
            v = np.asarray(o.values, dtype=float).ravel()
            fin = v[np.isfinite(v)]
            ax.hist(fin, bins=bins, color=f"C{i}", alpha=0.6, density=False, label=s)
            p_near = float(np.mean(np.abs(v - near) <= within))
            p_none = float(np.mean(~np.isfinite(v)))
            notes.append(
                (f"{s}: " if s else "") + f"P(near) = {p_near:.2f}, P(no plateau) = {p_none:.2f}"
            )
        ax.axvspan(near - within, near + within, color="C2", alpha=0.12, lw=0)
        ax.axvline(o.attrs.get("censor_from", grid[-1]), color="0.4", ls=":", lw=1)
        ax.set_xlim(grid[0], grid[-1])
        ax.set_xlabel(f"plateau onset x* ({unit})")
        if j == 0:
            ax.set_ylabel("posterior draws")
        ax.set_title(name, fontsize=10)
        ax.text(
            0.02,
            0.97,
            "\n".join(notes),
            transform=ax.transAxes,
            va="top",
            fontsize=7.5,
            bbox={"facecolor": "white", "alpha": 0.8, "lw": 0},
        )
        if len(strata) > 1:
            ax.legend(fontsize=7, loc="center right")
    fig.suptitle(
        f"Plateau onset posterior (shaded: {near:g} +/- {within:g} {unit}; dotted: censoring "
        "limit)",
        fontsize=11,
    )
    return fig
