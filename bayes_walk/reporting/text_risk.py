"""Words and numbers for the summary's absolute risks (terminal output and the report).

Pure functions of the ``absolute_risk``, ``risk_difference`` and ``attributable_fraction``
keys of the summary dict (:mod:`bayes_walk.answers.summary_risk`).
"""

from __future__ import annotations

from bayes_walk.estimands.curve import LABELS


def fmt_iv(t: dict | None, spec: str = ".3f", signed: bool = False) -> str:
    """``0.156 (0.146 to 0.166)``; ``-`` when unknown."""
    if not t or t.get("median") is None:
        return "-"
    f = f"+{spec}" if signed else spec
    lo, hi = t.get("lo"), t.get("hi")
    if lo is None or hi is None:
        return format(t["median"], f)
    return f"{format(t['median'], f)} ({format(lo, f)} to {format(hi, f)})"


def risk_words(ar: dict) -> tuple[str, str]:
    """``(what, per)``: what the values are, and the cases-per-1,000 base, in words
    (risks; expected cases over the follow-up for a rate model with an offset)."""
    if ar.get("scale") == "rate":
        return (
            f"expected cases of {ar.get('outcome')} per participant over the follow-up "
            "(rate model: person-time offset)",
            "cases per 1,000 participants over their follow-up",
        )
    return f"risk of {ar.get('outcome')}", "cases per 1,000 people"


def draws_words(ar: dict) -> str:
    """``g-computation over N participants, D posterior draws`` (says when thinned)."""
    d, stored = ar.get("draws"), ar.get("draws_stored")
    draws = f"{d} of the {stored} stored draws (thinned)" if d != stored else f"{d} draws"
    return f"g-computation over {ar.get('n_participants')} participants, {draws}"


def risk_sentence(s: dict) -> str | None:
    """One plain sentence: the cases per 1,000 prevented if everyone moved from the
    reference to 100 min/day (else the nearest row above the reference; the top category
    of a categorical fit). None when the summary has no risk table."""
    rd = s.get("risk_difference")
    ar = s.get("absolute_risk") or {}
    if not rd or not rd.get("rows"):
        return None
    ref_cat = rd.get("versus_category")
    rows = [
        r
        for r in rd["rows"]
        if r["rd"]["median"] is not None
        and (r["category"] != ref_cat if ref_cat is not None else r["x"] != rd["versus"])
    ]
    if not rows:
        return None
    if rows[0]["category"] is not None:
        row = rows[-1]
    else:
        above = [r for r in rows if r["x"] > rd["versus"]]
        row = next((r for r in above if r["x"] == 100.0), above[0] if above else rows[-1])
    k = row["prevented_per_1000"]
    _, per = risk_words(ar)
    unit = ar.get("units") or ""
    exposure = ar.get("exposure")
    if row["category"] is not None:
        ref = rd.get("versus_category")
        move = f"were in the {exposure} category '{row['category']}' instead of '{ref}'"
    elif exposure == "walking_min":
        move = f"walked {row['x']:g} instead of {rd['versus']:.4g} {unit}"
    else:
        label = LABELS.get(exposure, exposure).lower()
        move = f"had a {label} of {row['x']:g} instead of {rd['versus']:.4g} {unit}".rstrip()
    lo, hi = k.get("lo"), k.get("hi")
    iv = "" if lo is None or hi is None else f" ({lo:.0f} to {hi:.0f})"
    if k["median"] >= 0:
        return f"If everyone {move}, about {k['median']:.0f}{iv} {per} would be prevented."
    return (
        f"If everyone {move}, about {-k['median']:.0f} more {per} would occur "
        f"(prevented: {k['median']:.0f}{iv})."
    )


def paf_sentence(s: dict) -> str | None:
    """The attributable fraction in words, or None."""
    af = s.get("attributable_fraction")
    ar = s.get("absolute_risk") or {}
    if not af or af["paf"].get("median") is None:
        return None
    unit = ar.get("units") or ""
    pct = {k: None if v is None else 100 * v for k, v in af["paf"].items()}
    return (
        f"Population attributable fraction of {af['exposure']} below {af['threshold']:.4g} "
        f"{unit} ({100 * af['share_below']:.0f}% of participants): {fmt_iv(pct, '.1f')}% of "
        "the cases would go if everyone below it were raised to it."
    )


def risk_lines(s: dict) -> list[str]:
    """The absolute-risk table of ``summary`` as text lines (or its one-line note)."""
    ar = s.get("absolute_risk")
    if not ar:
        return []
    if not ar.get("rows"):
        return ["", f"Absolute risks: {ar.get('note') or 'not computed'}"]
    rd = s.get("risk_difference") or {}
    what, per = risk_words(ar)
    unit = ar.get("units") or ""
    ref = rd.get("versus", ar.get("reference"))
    pct = round(100 * (s.get("interval") or {}).get("prob", 0.95))
    lines = [
        "",
        f"Absolute risks ({draws_words(ar)}): standardised {what} if everyone had "
        f"{ar['exposure']} = x; difference (RD) and {per} prevented versus {ref:.4g} {unit} "
        f"({pct}% intervals)",
    ]
    cat = ar["rows"][0]["category"] is not None
    first = "category" if cat else "x"
    head = (
        f"{first:>10}  {'risk':<26}{'RD':<30}{'prevented per 1,000':<26}P(lower)"
        if not cat
        else f"{first:<14}{'risk':<26}{'RD':<30}{'prevented per 1,000':<26}P(lower)"
    )
    lines += [head, "-" * len(head)]
    for a, d in zip(ar["rows"], rd.get("rows") or [], strict=False):
        name = f"{a['category']:<14}" if cat else f"{a['x']:>10g}  "
        p = "-" if d["p_lower"] is None else f"{d['p_lower']:.2f}"
        lines.append(
            f"{name}{fmt_iv(a['risk']):<26}{fmt_iv(d['rd'], '.3f', True):<30}"
            f"{fmt_iv(d['prevented_per_1000'], '.1f'):<26}{p}"
        )
    for extra in (paf_sentence(s), risk_sentence(s), ar.get("note")):
        if extra:
            lines.append(extra)
    return lines
