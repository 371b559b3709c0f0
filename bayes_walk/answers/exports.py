"""Tidy tables (pandas) of what the CLI prints, for ``--format csv|latex|md``.

Pure functions of the commands' JSON-ready answers: ``summary`` (RR table, curve,
covariates), ``compare`` (the LOO ranking) and ``describe`` (Table 1, inclusion flow).
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
    """``(title, table)`` for the RR table (categories), the curve and the covariates."""
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
