"""ECDF-difference plot of SBC ranks with simultaneous confidence bands (``az.plot_ecdf``)."""

from __future__ import annotations

import numpy as np

from bayes_walk.checks.sbc import SBCResult, fractional_ranks


def sbc_figure(result: SBCResult, *, prob: float = 0.95, title: str | None = None):
    """One ECDF-difference panel per quantity, with a simultaneous ``prob`` band.

    Parameters
    ----------
    result : SBCResult
        Output of :func:`~bayes_walk.checks.sbc.run_sbc`.
    prob : float
        Simultaneous band probability drawn in the figure (the test in
        ``result.uniformity()`` uses its own Bonferroni-adjusted level).
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import arviz as az
    import matplotlib.pyplot as plt
    from scipy import stats

    names = result.quantities
    ncols = min(3, len(names))
    nrows = int(np.ceil(len(names) / ncols))
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(4.2 * ncols, 3.2 * nrows), squeeze=False, layout="constrained"
    )
    table = result.uniformity().set_index("quantity")
    z = np.arange(1, result.max_rank + 1) / (result.max_rank + 1)
    for ax, name in zip(axes.ravel(), names, strict=False):
        u = fractional_ranks(result.ranks.sel(quantity=name).values, result.max_rank)
        az.plot_ecdf(
            u,
            eval_points=z,
            cdf=stats.uniform(0, 1).cdf,
            difference=True,
            confidence_bands="optimized",
            ci_prob=prob,
            ax=ax,
        )
        row = table.loc[name]
        verdict = "ok" if row["passed"] else "FAIL"
        ax.set_title(f"{name}: chi2 p={row['chi2_p']:.3f} [{verdict}]", fontsize="medium")
        ax.set_xlabel("fractional rank")
        ax.set_ylabel("ECDF - uniform")
    for ax in axes.ravel()[len(names) :]:
        ax.set_visible(False)
    n = int(result.ranks.sizes["replicate"])
    fig.suptitle(
        title or f"SBC: {n} replicates, ranks among {result.max_rank} draws ({prob:.0%} bands)"
    )
    return fig
