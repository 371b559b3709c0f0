"""Report sections on model checking: posterior predictive checks and LOO comparison."""

from __future__ import annotations

import math

from bayes_walk.reporting.figures import to_png
from bayes_walk.reporting.render import Section
from bayes_walk.reporting.sections import FitEntry, _slug


def checks_section(fits: list[FitEntry]) -> Section:
    """Posterior predictive checks and calibration figures (skipped with a note if absent)."""
    s = Section("Posterior predictive checks", "checks")
    try:
        from bayes_walk.checks.calibration import calibration_figure
        from bayes_walk.checks.ppc import ppc_checks
    except ImportError as exc:
        s.p(f"The predictive checks are not available in this installation ({exc}).")
        return s
    rows = []
    for f in fits:
        try:
            res = ppc_checks(f.idata, source=f.name)
        except Exception as exc:  # a fit without posterior_predictive: say so, go on
            s.p(f"{f.name}: checks not run ({type(exc).__name__}: {exc}).")
            continue
        failed = ", ".join(c.name for c in res.failed) or "none"
        pmin = min((c.p_value for c in res.checks), default=math.nan)
        rows.append(
            [
                f.name,
                "passed" if res.passed else "FAILED",
                str(len(res.checks)),
                failed,
                f"{pmin:.3f}",
            ]
        )
        if not res.passed:
            s.warn(f"{f.name}: the data look unlike the model's predictions for: {failed}.")
        try:
            png = to_png(calibration_figure(f.idata))
            s.figure(
                f"calibration_{_slug(f.name)}.png",
                f"{f.name}: observed versus predicted risk by decile of predicted risk.",
                png,
            )
        except Exception as exc:
            s.p(f"{f.name}: calibration figure not drawn ({type(exc).__name__}: {exc}).")
    if rows:
        s.table(
            "Posterior predictive checks (mid-p values; family-wise band 0.005-0.995, Bonferroni)",
            ["model", "verdict", "checks", "failed checks", "smallest p"],
            rows,
        )
    return s


def compare_section(fits: list[FitEntry]) -> Section:
    """LOO comparison of the fits (when there are two or more of the same data)."""
    s = Section("Model comparison (PSIS-LOO)", "compare")
    if len(fits) < 2:
        s.p("Only one fit: nothing to compare.")
        return s
    try:
        from bayes_walk.checks.compare import compare_fits, pareto_warnings
    except ImportError as exc:
        s.p(f"LOO comparison is not available in this installation ({exc}).")
        return s
    try:
        ranked = compare_fits({f.name: f.idata for f in fits})
    except Exception as exc:  # different data, no log-likelihood: explain and go on
        s.p(f"Not compared: {exc}")
        return s
    s.table(
        "Models ranked by expected log predictive density (higher is better)",
        ["model", "elpd_loo", "se", "elpd_diff", "dse", "stacking weight", "p_loo", "Pareto k bad"],
        [
            [
                r.model,
                f"{r.elpd_loo:.1f}",
                f"{r.se:.1f}",
                f"{r.elpd_diff:.1f}",
                f"{r.dse:.1f}",
                f"{r.weight:.3f}",
                f"{r.p_loo:.1f}",
                str(r.pareto_k_bad),
            ]
            for r in ranked
        ],
    )
    if len(ranked) >= 2 and ranked[1].dse > 0:
        ratio = ranked[1].elpd_diff / ranked[1].dse
        verdict = "clearly" if ratio > 4 else "somewhat" if ratio > 2 else "not clearly"
        s.p(
            f"{ranked[0].model} predicts {verdict} better than {ranked[1].model} "
            f"(difference {ranked[1].elpd_diff:.1f}, {ratio:.1f} standard errors)."
        )
    for w in pareto_warnings(ranked):
        s.warn(w)
    return s
