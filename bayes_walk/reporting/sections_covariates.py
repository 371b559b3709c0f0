"""Report section: covariate risk ratios and E-values of each fit."""

from __future__ import annotations

from bayes_walk.reporting.render import Section
from bayes_walk.reporting.text import fmt_evalue, fmt_num, fmt_rr


def covariates_section(fits) -> Section:
    """Per fit: RR per unit / per SD / per level of every adjustment covariate, and the
    E-values of the exposure RRs at the curve's round values (VanderWeele and Ding)."""
    from bayes_walk.answers.summary import covariate_rows, curve_rows
    from bayes_walk.fitmeta import ratio_abbr

    s = Section("Covariates and E-values", "covariates")
    s.p(
        "Covariate risk ratios are per unit and per standard deviation (continuous), or each "
        "level versus the reference level (categorical). The E-value is the minimum risk "
        "ratio an unmeasured confounder would need with both exposure and outcome to explain "
        "the estimate away; in brackets, that of the 95% interval limit nearest 1 (1 when "
        "the interval contains 1)."
    )
    for f in fits:
        ratio = ratio_abbr(f.idata)
        rows = [
            [
                r["covariate"],
                r["contrast"] + (f" vs {r['reference']}" if r["reference"] else ""),
                fmt_rr(r["rr"]),
                fmt_num(r["p_benefit"], ".3f", "-"),
                fmt_evalue(r),
            ]
            for r in covariate_rows(f.idata)
        ]
        if rows:
            s.table(
                f"{f.name}: covariates",
                ["covariate", "contrast", f"{ratio} (95% CrI)", f"P({ratio} < 1)", "E-value"],
                rows,
            )
        curve = [
            [
                r["exposure"] + (f" [{r['stratum']}]" if r["stratum"] else ""),
                f"{r['x']:g}",
                fmt_rr(r["rr"]),
                fmt_evalue(r),
            ]
            for r in curve_rows(f.idata)
            if r.get("evalue")
        ]
        if curve:
            s.table(
                f"{f.name}: E-values of the exposure {ratio}s (versus each curve's reference)",
                ["exposure", "x", f"{ratio} (95% CrI)", "E-value"],
                curve,
            )
    return s
