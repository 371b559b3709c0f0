"""Report section: standardised absolute risks of each curve fit (g-computation)."""

from __future__ import annotations

from bayes_walk.reporting.render import Section
from bayes_walk.reporting.text_risk import (
    draws_words,
    fmt_iv,
    paf_sentence,
    risk_sentence,
    risk_words,
)


def _risks(entry, references: dict[str, float]) -> dict:
    """The summary's risk keys for one report entry (a one-line note when not computed)."""
    from bayes_walk.answers.summary_risk import risk_exposure, summary_risks
    from bayes_walk.errors import BayesWalkError
    from bayes_walk.estimands.draws import curve_draws
    from bayes_walk.estimands.reference import reference_inside
    from bayes_walk.results import Fit

    try:
        fit = Fit.from_idata(entry.idata, entry.path)
    except BayesWalkError as exc:
        return {"absolute_risk": {"rows": [], "note": f"not computed: {exc}"}}
    exposure = risk_exposure(fit)
    ref = references.get(exposure) if exposure else None
    # the report's one reference when the fit's curve holds it, else the fit's own
    if ref is not None and not reference_inside(curve_draws(fit.idata, exposure), ref):
        ref = None
    return summary_risks(fit, references=None if ref is None else {exposure: ref})


def risk_section(fits, references: dict[str, float] | None = None) -> Section:
    """Per curve fit: standardised risk at round values of the volume exposure, the risk
    difference and cases per 1,000 prevented versus the reference, the attributable
    fraction of exposure below it, and one plain sentence."""
    from bayes_walk.estimands.draws import curve_exposures
    from bayes_walk.estimands.reference import DEFAULT_REFERENCES
    from bayes_walk.reporting.sections import curve_fits

    refs = DEFAULT_REFERENCES if references is None else {**DEFAULT_REFERENCES, **references}
    s = Section("Absolute risks", "risk")
    s.p(
        "Standardised (g-computed) risks: the cohort's average risk if everyone had the "
        "exposure at x, every other variable as observed, computed per posterior draw from "
        "the fitted expected outcomes (docs/estimands.md, 'Absolute risks by "
        "standardisation'). RD = risk at x minus risk at the reference; cases prevented per "
        "1,000 = -1000 RD."
    )
    entries = [f for f in fits if any(curve_fits([f], e) for e in curve_exposures(f.idata))]
    if not entries:
        s.p("No fit stores a dose-response curve (quartile models are shown in Table 2).")
    for f in entries:
        r = _risks(f, refs)
        ar = r.get("absolute_risk") or {}
        if not ar.get("rows"):
            s.p(f"{f.name}: absolute risks {ar.get('note') or 'not computed'}.")
            continue
        rd = r["risk_difference"]
        what, per = risk_words(ar)
        unit = ar.get("units") or ""
        rows = [
            [
                f"{a['x']:g}" if a["category"] is None else a["category"],
                fmt_iv(a["risk"], ".3f"),
                fmt_iv(d["rd"], ".3f", signed=True),
                fmt_iv(d["prevented_per_1000"], ".1f"),
                "-" if d["p_lower"] is None else f"{d['p_lower']:.3f}",
            ]
            for a, d in zip(ar["rows"], rd["rows"], strict=True)
        ]
        s.table(
            f"{f.name}: standardised {what} if everyone had {ar['exposure']} = x, versus "
            f"{rd['versus']:.4g} {unit} ({draws_words(ar)})",
            [
                f"{ar['exposure']} ({unit})",
                "risk (95% CrI)",
                f"RD vs {rd['versus']:.4g} (95% CrI)",
                f"{per} prevented (95% CrI)",
                "P(lower risk)",
            ],
            rows,
        )
        for line in (risk_sentence(r), paf_sentence(r), ar.get("note")):
            if line:
                s.p(f"{f.name}: {line}")
    return s
