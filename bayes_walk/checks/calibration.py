"""Calibration of a binary outcome: observed versus predicted risk by decile of predicted risk.

LOO-PIT says little for a 0/1 outcome, so calibration is shown the epidemiologist's way:
participants are split into ten equal groups by their posterior mean predicted risk, and
each group's observed incidence (with a 95% Wilson interval) is set against the
posterior of its mean predicted risk (95% interval) and the 95% posterior predictive
interval of its replicated incidence.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from bayes_walk.checks.fitdata import predictive_data
from bayes_walk.checks.groups import risk_deciles


def wilson_interval(cases: np.ndarray, n: np.ndarray, prob: float = 0.95):
    """Wilson score interval for a binomial proportion (vectorised)."""
    cases = np.asarray(cases, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    z = stats.norm.ppf(0.5 + prob / 2.0)
    phat = np.where(n > 0, cases / np.maximum(n, 1), np.nan)
    denom = 1.0 + z**2 / n
    centre = (phat + z**2 / (2.0 * n)) / denom
    half = z * np.sqrt(phat * (1.0 - phat) / n + z**2 / (4.0 * n**2)) / denom
    return centre - half, centre + half


def calibration_table(idata, *, groups: int = 10, prob: float = 0.95) -> pd.DataFrame:
    """Observed and predicted risk per decile of predicted risk.

    Parameters
    ----------
    idata : arviz.InferenceData
        A fit with ``observed_data.clbp`` and ``posterior_predictive.mu`` (and ``clbp``).
    groups : int
        Number of equal-size groups (10 = deciles).
    prob : float
        Interval probability.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``group, n, cases, observed, observed_lo, observed_hi,
        predicted, predicted_lo, predicted_hi, replicated_lo, replicated_hi`` (risks as
        proportions; replicated bounds NaN when the fit stores no replicates).
    """
    data = predictive_data(idata)
    grouping = risk_deciles(data.mu, groups)
    onehot = grouping.onehot()
    n = onehot.sum(axis=0)
    cases = data.y @ onehot
    obs_lo, obs_hi = wilson_interval(cases, n, prob)
    pred = (data.mu @ onehot) / n
    tail = (1.0 - prob) / 2.0
    if data.y_rep is not None:
        rep = (data.y_rep.astype(np.float64) @ onehot) / n
        rep_lo, rep_hi = np.quantile(rep, [tail, 1.0 - tail], axis=0)
    else:
        rep_lo = rep_hi = np.full(len(n), np.nan)
    return pd.DataFrame(
        {
            "group": grouping.labels,
            "n": n.astype(int),
            "cases": cases.astype(int),
            "observed": cases / n,
            "observed_lo": obs_lo,
            "observed_hi": obs_hi,
            "predicted": pred.mean(axis=0),
            "predicted_lo": np.quantile(pred, tail, axis=0),
            "predicted_hi": np.quantile(pred, 1.0 - tail, axis=0),
            "replicated_lo": rep_lo,
            "replicated_hi": rep_hi,
        }
    )


def calibration_figure(idata, *, groups: int = 10, prob: float = 0.95, ax=None):
    """Calibration plot: observed versus predicted risk by decile of predicted risk.

    Parameters
    ----------
    idata : arviz.InferenceData
        A fit (see :func:`calibration_table`).
    groups, prob :
        As in :func:`calibration_table`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is made when omitted.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    table = calibration_table(idata, groups=groups, prob=prob)
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.2, 5.0), layout="constrained")
    else:
        fig = ax.figure
    pct = int(round(prob * 100))
    x = table["predicted"].to_numpy()
    if table["replicated_lo"].notna().all():
        ax.vlines(
            x,
            table["replicated_lo"],
            table["replicated_hi"],
            color="0.75",
            linewidth=6,
            label=f"{pct}% posterior predictive interval",
        )
    ax.errorbar(
        x,
        table["observed"],
        yerr=[table["observed"] - table["observed_lo"], table["observed_hi"] - table["observed"]],
        xerr=[x - table["predicted_lo"], table["predicted_hi"] - x],
        fmt="o",
        color="C0",
        capsize=2,
        label=f"observed ({pct}% Wilson) vs predicted ({pct}% posterior)",
    )
    top = float(np.nanmax(table[["observed_hi", "predicted_hi", "replicated_hi"]].to_numpy()))
    lim = (0.0, top * 1.05 if np.isfinite(top) and top > 0 else 1.0)
    ax.plot(lim, lim, color="0.4", linestyle="--", linewidth=1, label="perfect calibration")
    ax.set_xlim(lim)
    ax.set_ylim(lim)
    ax.set_xlabel("predicted risk (posterior mean, by decile)")
    ax.set_ylabel("observed incidence")
    ax.set_title("Calibration by decile of predicted risk")
    ax.legend(loc="upper left", fontsize="small", frameon=False)
    return fig
