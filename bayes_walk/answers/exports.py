"""Tidy tables (pandas) of what the CLI prints, for ``--format csv|latex|md``.

Pure functions of the commands' JSON-ready answers: ``summary`` (RR table, curve,
covariates, absolute risks), ``compare`` (the LOO ranking) and ``describe`` (Table 1, inclusion flow).
"""

from __future__ import annotations

from dataclasses import asdict

import pandas as pd


def _trio(rr: dict | None, prefix: str = "rr") -> dict:
    rr = rr or {}
    return {f"{prefix}_{k}": rr.get(k) for k in ("median", "lo", "hi")}


def _ev(row: dict) -> dict:
    e = row.get("evalue") or {}
    return {"evalue": e.get("point"), "evalue_limit": e.get("limit")}


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns).astype(
        {c: "float64" for c in columns if c.startswith(("rr_", "freq_", "evalue", "p_"))}
    )


def summary_frames(s: dict) -> list[tuple[str, pd.DataFrame]]:
    """``(title, table)`` for the RR table (categories), the curve, the covariates and the
    absolute risks (:func:`risk_frames`)."""
    out = []
    if s.get("rr_table"):
        rows = []
        for r in s["rr_table"]:
            f = r.get("frequentist") or {}
            rows.append(
                {
                    "exposure": r["exposure"],
                    "category": r["category"],
                    "n": r["n"],
                    "cases": r["cases"],
                    "reference": r["reference"],
                    **_trio(r["rr"]),
                    "p_benefit": r["p_benefit"],
                    **_ev(r),
                    "freq_rr": f.get("rr"),
                    "freq_lo": f.get("lo"),
                    "freq_hi": f.get("hi"),
                }
            )
        cols = ["exposure", "category", "n", "cases", "reference", "rr_median", "rr_lo"]
        cols += ["rr_hi", "p_benefit", "evalue", "evalue_limit", "freq_rr", "freq_lo", "freq_hi"]
        out.append(("RR by category", _frame(rows, cols)))
    if s.get("curve"):
        rows = [
            {
                "exposure": r["exposure"],
                "stratum": r["stratum"],
                "x": r["x"],
                "reference": r["reference"],
                **_trio(r["rr"]),
                "p_benefit": r["p_benefit"],
                **_ev(r),
            }
            for r in s["curve"]
        ]
        cols = ["exposure", "stratum", "x", "reference", "rr_median", "rr_lo", "rr_hi"]
        cols += ["p_benefit", "evalue", "evalue_limit"]
        table = _frame(rows, cols)
        if table["stratum"].isna().all():
            table = table.drop(columns="stratum")
        out.append(("Dose-response curve", table))
    if s.get("covariates"):
        rows = [
            {
                "covariate": r["covariate"],
                "contrast": r["contrast"],
                "reference": r["reference"],
                **_trio(r["rr"]),
                "p_benefit": r["p_benefit"],
                **_ev(r),
            }
            for r in s["covariates"]
        ]
        cols = ["covariate", "contrast", "reference", "rr_median", "rr_lo", "rr_hi"]
        cols += ["p_benefit", "evalue", "evalue_limit"]
        out.append(("Covariates", _frame(rows, cols)))
    return out + risk_frames(s)


def risk_frames(s: dict) -> list[tuple[str, pd.DataFrame]]:
    """``(title, table)`` for the summary's absolute risks (one row per x or category:
    risk, RD versus the reference, cases per 1,000 prevented, P(lower)) and the
    attributable fraction; none when the summary has no risk table."""
    ar, rd = s.get("absolute_risk") or {}, s.get("risk_difference") or {}
    if not ar.get("rows"):
        return []
    rows = [
        {
            "exposure": ar["exposure"],
            "category": a["category"],
            "x": a["x"],
            "versus": rd.get("versus_category") or rd.get("versus"),
            **_trio(a["risk"], "risk"),
            **_trio(d["rd"], "rd"),
            **_trio(d["prevented_per_1000"], "prevented_per_1000"),
            "p_lower": d["p_lower"],
        }
        for a, d in zip(ar["rows"], rd["rows"], strict=True)
    ]
    cols = ["exposure", "category", "x", "versus"]
    cols += [
        f"{n}_{k}" for n in ("risk", "rd", "prevented_per_1000") for k in ("median", "lo", "hi")
    ]
    table = pd.DataFrame(rows, columns=[*cols, "p_lower"])
    table = table.drop(columns="category" if table["category"].isna().all() else "x")
    numeric = [c for c in table.columns if c.startswith(("risk_", "rd_", "prevented_", "p_"))]
    table = table.astype({c: "float64" for c in numeric})
    scale = "expected cases over follow-up" if ar.get("scale") == "rate" else "risks"
    d, stored = ar.get("draws"), ar.get("draws_stored")
    draws = f"{d} of {stored} stored draws, thinned" if d != stored else f"{d} draws"
    out = [(f"Absolute {scale} (g-computation, {draws})", table)]
    af = s.get("attributable_fraction")
    if af:
        paf = pd.DataFrame(
            [
                {
                    "exposure": af["exposure"],
                    "threshold": af["threshold"],
                    "share_below": af["share_below"],
                    **_trio(af["paf"], "paf"),
                }
            ]
        ).astype({f"paf_{k}": "float64" for k in ("median", "lo", "hi")})
        out.append(("Attributable fraction", paf))
    return out


def compare_frame(ranked) -> pd.DataFrame:
    """The LOO ranking, best first (one row per model)."""
    return pd.DataFrame([asdict(r) for r in ranked])


def describe_frames(d: dict) -> list[tuple[str, pd.DataFrame]]:
    """Table 1 (one row per characteristic, one column per volume quartile and Overall)
    and the inclusion flow."""
    cols = d["table1"]["columns"]
    labels = [c["label"] for c in cols]
    rows: list[dict] = []

    def add(name: str, values) -> None:
        rows.append({"characteristic": name, **dict(zip(labels, values, strict=True))})

    add("N", [c.get("n") for c in cols])
    add("Cases", [c.get("cases") for c in cols])
    add(
        "Incidence, %", [None if c.get("incidence") is None else 100 * c["incidence"] for c in cols]
    )
    for key, name in (
        ("age_mean", "Age, mean"),
        ("age_sd", "Age, SD"),
        ("female_pct", "Women, %"),
        ("valid_days_mean", "Valid days, mean"),
        ("walking_min_mean", "Walking, min/day"),
        ("walking_mets_mean", "Walking intensity, MET"),
    ):
        if any(key in c for c in cols):
            add(name, [c.get(key) for c in cols])
    overall = cols[-1]
    for name in overall["numeric"]:
        add(f"{name}, mean", [c["numeric"].get(name, {}).get("mean") for c in cols])
    for name, dist in overall["categorical"].items():
        for level in dist:
            add(f"{name}: {level}, %", [c["categorical"].get(name, {}).get(level) for c in cols])
    table1 = pd.DataFrame(rows, columns=["characteristic", *labels])
    flow = pd.DataFrame(d["inclusion_flow"], columns=["step", "n"])
    return [("Table 1 by walking volume quartile", table1), ("Inclusion flow", flow)]
