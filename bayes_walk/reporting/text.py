"""Plain-text renderings of the summary and plateau dicts (terminal output)."""

from __future__ import annotations

from bayes_walk.estimands.curve import LABELS, UNITS
from bayes_walk.reporting.text_risk import risk_lines


def fmt_rr(rr: dict | None, *, reference: bool = False) -> str:
    """``0.87 (0.77-0.98)``; ``1 [Reference]`` for the reference; ``-`` when unknown."""
    if reference:
        return "1 [Reference]"
    if not rr or rr.get("median") is None and rr.get("rr") is None:
        return "-"
    m = rr.get("median", rr.get("rr"))
    lo, hi = rr.get("lo"), rr.get("hi")
    if lo is None or hi is None:
        return f"{m:.2f}"
    return f"{m:.2f} ({lo:.2f}-{hi:.2f})"


def fmt_evalue(row: dict) -> str:
    """``"1.52 (1.00)"``: the E-value of the estimate and of the CI limit nearest 1."""
    e = row.get("evalue")
    if not e or e.get("point") is None:
        return "-"
    lim = "-" if e.get("limit") is None else f"{e['limit']:.2f}"
    return f"{e['point']:.2f} ({lim})"


def fmt_num(v, spec: str = ".1f", none: str = "beyond range") -> str:
    """Format a number, or ``none`` for None."""
    return none if v is None else format(v, spec)


def _exposure_title(exposure: str) -> str:
    label = LABELS.get(exposure, exposure)
    unit = UNITS.get(exposure)
    return f"{label} ({unit})" if unit else label


def summary_text(s: dict, ratio: str = "RR", outcome: str = "chronic low back pain") -> str:
    """The paper's Table 2 layout plus the curve at round values and diagnostics.

    ``ratio`` is the ratio's abbreviation in the headings: ``RR`` (risk ratio) or ``IRR``
    (incidence rate ratio, fits with an offset; :func:`bayes_walk.fitmeta.ratio_abbr`).
    """
    d = s["diagnostics"]
    lines = [
        *(
            ["Ratios are incidence rate ratios (IRR): the model has a person-time offset."]
            if ratio == "IRR"
            else []
        ),
        f"Model: {s['model']}  (outcome: {outcome}; forms: "
        + ", ".join(f"{k}={v}" for k, v in (s.get("forms") or {}).items())
        + f"; n = {s.get('n_participants')})",
        f"Diagnostics: {d['divergences']} divergences, max R-hat "
        f"{fmt_num(d.get('max_rhat'), '.3f', 'n/a')}, min bulk ESS "
        f"{fmt_num(d.get('min_ess_bulk'), '.0f', 'n/a')} ({d.get('chains')} chains x "
        f"{d.get('draws')} draws)",
    ]
    for w in s.get("warnings", []):
        lines.append(f"WARNING: {w}")
    for a in s.get("advice", []):
        lines.append(f"TRY: {a}")
    kind = s["interval"]["kind"]
    pct = round(100 * s["interval"]["prob"])
    by_exp: dict[str, list[dict]] = {}
    for row in s["rr_table"]:
        by_exp.setdefault(row["exposure"], []).append(row)
    for exposure, rows in by_exp.items():
        lines += [
            "",
            f"Table 2. {_exposure_title(exposure)}: {'rate' if ratio == 'IRR' else 'risk'} of "
            f"{outcome}",
        ]
        head = (
            f"{'Category':<14}{'N':>8}{'Cases':>8}  {f'Bayesian {ratio} ({pct}% CrI)':<24}"
            f"{'Modified Poisson RR (95% CI)':<28}E-value (CI limit)"
        )
        lines += [head, "-" * len(head)]
        for r in rows:
            n = "" if r["n"] is None else str(r["n"])
            c = "" if r["cases"] is None else str(r["cases"])
            freq = r.get("frequentist")
            lines.append(
                f"{r['category']:<14}{n:>8}{c:>8}  {fmt_rr(r['rr'], reference=r['reference']):<24}"
                f"{fmt_rr(freq, reference=r['reference'] and freq is not None):<28}"
                f"{fmt_evalue(r)}"
            )
    src = s.get("frequentist_source")
    if s["rr_table"] and isinstance(src, dict):
        lines.append(f"Frequentist column: {src.get('cohort')}")
    curves: dict[tuple, list[dict]] = {}
    for row in s["curve"]:
        curves.setdefault((row["exposure"], row["stratum"]), []).append(row)
    steps_noted: set[str] = set()
    for (exposure, stratum), rows in curves.items():
        if rows[0].get("step"):
            # a categorical/joint term is a step function: no curve through the steps
            if exposure not in steps_noted:
                steps_noted.add(exposure)
                lines += [
                    "",
                    f"{_exposure_title(exposure)}: a category (step) term, so no dose-response "
                    "curve is drawn through the steps; see the category table "
                    "(the JSON 'curve' list still holds the step function at round values).",
                ]
            continue
        ref = rows[0].get("reference")
        unit = UNITS.get(exposure, "")
        title = (
            f"{_exposure_title(exposure)}: {ratio} versus {ref:.4g} {unit}"
            if ref is not None
            else ""
        )
        if stratum is not None:
            title += f"  [stratum: {stratum}]"
        lines += ["", f"Dose-response curve. {title} ({kind} {pct}% intervals)"]
        lines.append(f"{'x':>8}  {ratio:<22}{f'P({ratio}<1)':>9}  E-value (CI limit)")
        for r in rows:
            p = "-" if r["p_benefit"] is None else f"{r['p_benefit']:.2f}"
            lines.append(f"{r['x']:>8g}  {fmt_rr(r['rr']):<22}{p:>9}  {fmt_evalue(r)}")
    if s.get("joint_table"):
        lines += ["", f"Table 3. {ratio} by volume x intensity quartile (vs lowest of both)"]
        lines.append(f"{'walking_min':<14}{'walking_mets':<14}{ratio:<22}")
        for r in s["joint_table"]:
            lines.append(f"{r['walking_min']:<14}{r['walking_mets']:<14}{fmt_rr(r['rr']):<22}")
    if s.get("covariates"):
        lines += [
            "",
            f"Covariates ({ratio} per unit and per SD; levels versus the reference level)",
        ]
        whats = [
            r["contrast"] + (f" vs {r['reference']}" if r["reference"] else "")
            for r in s["covariates"]
        ]
        w = max(len(x) for x in [*whats, "contrast"]) + 2
        lines.append(f"{'covariate':<14}{'contrast':<{w}}{ratio:<22}{'E-value (CI limit)'}")
        for r, what in zip(s["covariates"], whats, strict=True):
            lines.append(f"{r['covariate']:<14}{what:<{w}}{fmt_rr(r['rr']):<22}{fmt_evalue(r)}")
    lines += risk_lines(s)
    if s.get("tau"):
        lines.append("")
        for e, t in s["tau"].items():
            lines.append(f"Changepoint tau ({e}): {fmt_rr(t)}")
    if s.get("priors"):
        from bayes_walk.spec.in_force import priors_lines

        lines += ["", "Priors (defaults merged with the spec)", *priors_lines(s["priors"])]
    return "\n".join(lines)


def _plateau_block(b: dict, unit: str, near: float, within: float) -> list[str]:
    on = b["onset"]
    md = b["minimal_dose"]
    r = b["remaining_risk_reduction_at_near_pct"]
    return [
        f"  P(|plateau onset - {near:g}| <= {within:g}) = {b['probability']:.3f}",
        f"  plateau onset: median {fmt_num(on['median'])} {unit}, 95% interval "
        f"{fmt_num(on['lo'])} to {fmt_num(on['hi'])}",
        f"  P(no plateau within the observed range) = {b['p_no_plateau']:.3f}",
        f"  further risk reduction still available beyond {near:g} {unit}: median "
        f"{fmt_num(r['median'], '.1f', 'n/a')}% ({fmt_num(r['lo'], '.1f', 'n/a')}-"
        f"{fmt_num(r['hi'], '.1f', 'n/a')}%)",
        f"  minimal dose for RR <= {md['target_rr']:g}: P(reached) = {md['p_reached']:.3f}; "
        f"median {fmt_num(md['median'])} {unit} ({fmt_num(md['lo'])} to {fmt_num(md['hi'])})",
        "  P(RR < 1): "
        + ", ".join(f"{p['x']:g}: {fmt_num(p['p'], '.2f', '-')}" for p in b["p_benefit"]),
    ]


def plateau_text(p: dict) -> str:
    """The plateau answer in words and numbers."""
    unit = p["units"]
    lines = [
        f"Plateau of {p['exposure']} ({p.get('model') or 'fit'}, form {p.get('form')}): "
        f"near = {p['near']:g} {unit}, within = {p['within']:g} {unit}, delta = {p['delta']:.4f}",
    ]
    if p.get("strata"):
        for b in p["strata"]:
            lines.append(f"Stratum {b['stratum']}:")
            lines += _plateau_block(b, unit, p["near"], p["within"])
    else:
        lines += _plateau_block(p, unit, p["near"], p["within"])
    tau = p.get("tau")
    if tau and "median" in tau:
        lines.append(
            f"  changepoint tau: median {tau['median']:.1f} {unit} ({tau['lo']:.1f} to "
            f"{tau['hi']:.1f}); P(|tau - {p['near']:g}| <= {p['within']:g}) = {tau['p_near']:.3f}"
        )
    lines += ["", "Definition: " + p["definition"]]
    return "\n".join(lines)
