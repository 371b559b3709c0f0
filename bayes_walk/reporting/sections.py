"""The report's sections, each built from fits (and the cohort when it is available)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from bayes_walk.answers.guards import is_step_form
from bayes_walk.answers.plateau import plateau_summary
from bayes_walk.answers.summary import curve_rows, rr_table_rows
from bayes_walk.errors import FitFileError
from bayes_walk.estimands.categories import categorical_exposures
from bayes_walk.estimands.curve import UNITS
from bayes_walk.estimands.draws import curve_exposures
from bayes_walk.fitmeta import fit_attrs, ratio_abbr
from bayes_walk.inference.diagnostics import fit_diagnostics, warnings_in_words
from bayes_walk.reporting.figures import curve_figure, onset_figure, to_png
from bayes_walk.reporting.plateau_lead import plateau_lead
from bayes_walk.reporting.render import Section
from bayes_walk.reporting.text import fmt_num, fmt_rr

# categorical covariates with more levels (e.g. municipality) are left out of Table 1
MAX_LEVELS_SHOWN = 8


@dataclass
class FitEntry:
    """A fit in the report: display name, file path and the InferenceData."""

    name: str
    path: str | None
    idata: object


def curve_fits(fits: list[FitEntry], exposure: str) -> list[FitEntry]:
    """Fits whose ``exposure`` curve is a dose-response model, not a Table 2/3 model.

    Quartile (Table 2) and joint (Table 3) models are reported in their tables; their
    curves (step functions, or the other exposure's linear adjustment term) would only
    crowd the curve figures.
    """
    return [
        f
        for f in fits
        if exposure in curve_exposures(f.idata)
        and not categorical_exposures(f.idata)
        and "logrr_joint" not in f.idata.posterior
    ]


def _f1(v) -> str:
    return "-" if v is None else f"{v:.1f}"


def cohort_section(cohort: xr.Dataset | None, how: str) -> Section:
    """Inclusion flow and Table 1 by walking-volume quartile."""
    s = Section("Cohort: inclusion flow and Table 1", "cohort")
    if cohort is None:
        s.p(f"The cohort file is not available ({how}), so Table 1 is not shown.")
        return s
    from bayes_walk.cohort.describe import describe_cohort

    d = describe_cohort(cohort)
    s.p(
        f"Cohort from {how}: source {d.get('source') or 'unknown'}, n = {d['n']:,}, "
        f"cases = {d['cases']:,} (incidence {100 * (d['incidence'] or 0):.1f}%)."
    )
    if d["inclusion_flow"]:
        s.table(
            "Inclusion flow",
            ["step", "participants left"],
            [[r["step"], f"{r['n']:,}"] for r in d["inclusion_flow"]],
        )
    cols = d["table1"]["columns"]
    rows = [
        ["N"] + [f"{c['n']:,}" for c in cols],
        ["Cases"] + [f"{c['cases']:,}" for c in cols],
        ["Incidence, %"]
        + [_f1(None if c["incidence"] is None else 100 * c["incidence"]) for c in cols],
        ["Age, mean (SD), years"]
        + [f"{_f1(c.get('age_mean'))} ({_f1(c.get('age_sd'))})" for c in cols],
        ["Women, %"] + [_f1(c.get("female_pct")) for c in cols],
        ["Valid days, mean"] + [fmt_num(c.get("valid_days_mean"), ".2f", "-") for c in cols],
        ["Walking, min/day, mean"] + [_f1(c.get("walking_min_mean")) for c in cols],
        ["Walking intensity, MET, mean"]
        + [fmt_num(c.get("walking_mets_mean"), ".2f", "-") for c in cols],
    ]
    for name, dist in cols[-1]["categorical"].items():
        if name == "sex" or len(dist) > MAX_LEVELS_SHOWN:
            continue
        for level in dist:
            rows.append(
                [f"{name}: {level}, %"]
                + [_f1(c["categorical"].get(name, {}).get(level)) for c in cols]
            )
    s.table(
        "Table 1. Characteristics by walking volume quartile (min/day)",
        ["characteristic"] + [c["label"] for c in cols],
        rows,
    )
    return s


def diagnostics_section(fits: list[FitEntry], timings: dict[str, float] | None) -> Section:
    """Sampler diagnostics per fit with warnings in plain words."""
    s = Section("Sampler diagnostics", "diagnostics")
    rows = []
    warns = []
    for f in fits:
        d = fit_diagnostics(f.idata)
        attrs = fit_attrs(f.idata)
        t = (timings or {}).get(f.name, d.get("sampling_seconds"))
        rows.append(
            [
                f.name,
                str(attrs.get("sampler", "")),
                f"{d['chains']} x {d['draws']}",
                str(d["divergences"]),
                fmt_num(d["max_rhat"], ".3f", "n/a"),
                fmt_num(d["min_ess_bulk"], ".0f", "n/a"),
                fmt_num(d["min_ess_tail"], ".0f", "n/a"),
                fmt_num(t, ".1f", "-"),
            ]
        )
        warns += [f"{f.name}: {w}" for w in warnings_in_words(d)]
    s.table(
        "Convergence diagnostics (R-hat should be <= 1.01; ESS = effective sample size)",
        [
            "model",
            "sampler",
            "chains x draws",
            "divergences",
            "max R-hat",
            "min bulk ESS",
            "min tail ESS",
            "time (s)",
        ],
        rows,
    )
    for w in warns:
        s.warn(w)
    if not warns:
        s.p("No warnings: no divergences, R-hat <= 1.01 and enough effective draws for every fit.")
    return s


def table2_section(fits: list[FitEntry], cohort: xr.Dataset | None) -> Section:
    """Table 2: category RRs, Bayesian beside modified Poisson and the published values."""
    from bayes_walk.cohort.schema import reference

    s = Section("Table 2: risk ratios by quartile", "table2")
    published = reference()["multi_adjusted_rr"]
    any_rows = False
    for f in fits:
        if not categorical_exposures(f.idata):
            continue
        rows, notes = rr_table_rows(f.idata, cohort=cohort)
        for exposure in dict.fromkeys(r["exposure"] for r in rows):
            pub = published.get(exposure, [])
            mine = [r for r in rows if r["exposure"] == exposure]
            body = []
            for i, r in enumerate(mine):
                # published quartiles matched by position: cut labels differ between cohorts
                p = pub[i] if len(pub) == len(mine) else None
                body.append(
                    [
                        r["category"],
                        "" if r["n"] is None else f"{r['n']:,}",
                        "" if r["cases"] is None else f"{r['cases']:,}",
                        fmt_rr(r["rr"], reference=r["reference"]),
                        fmt_rr(
                            r["frequentist"],
                            reference=r["reference"] and r["frequentist"] is not None,
                        ),
                        fmt_num(r["p_benefit"], ".3f", ""),
                        "" if p is None else fmt_rr(p, reference=p["lo"] is None),
                    ]
                )
            unit = UNITS.get(exposure, "")
            ratio = ratio_abbr(f.idata)
            from bayes_walk.fitmeta import outcome_label

            s.table(
                f"{f.name}: {exposure} ({unit}), {ratio} of {outcome_label(f.idata)}",
                [
                    "category",
                    "N",
                    "cases",
                    f"Bayesian {ratio} (95% CrI)",
                    "modified Poisson RR (95% CI)",
                    f"P({ratio} < 1)",
                    "published (HUNT4)",
                ],
                body,
            )
            s.p(f"Frequentist column: {notes.get(exposure, '')}.")
            any_rows = True
    if not any_rows:
        s.p("No categorical (quartile) fit was given; fit the 'quartiles' model for Table 2.")
    else:
        s.p(
            "Published column: Haddadj et al. 2025 (HUNT4, n = 11,194), for orientation; it "
            "matches these numbers only for the real HUNT4 data."
        )
    return s


def curves_section(
    fits: list[FitEntry], cohort: xr.Dataset | None, references: dict[str, float] | None = None
) -> Section:
    """Dose-response curves as the paper draws them, and RRs at round values.

    Every model is put on one reference per exposure (``references``, default 78 min/day
    and 3.0 MET); a fit whose range does not hold it keeps its own, and each axis and
    table row names the reference it is drawn against.
    """
    from bayes_walk.estimands.draws import curve_draws
    from bayes_walk.estimands.reference import DEFAULT_REFERENCES, reference_inside

    refs = DEFAULT_REFERENCES if references is None else {**DEFAULT_REFERENCES, **references}
    s = Section("Dose-response curves", "curves")
    exposures = list(dict.fromkeys(e for f in fits for e in curve_exposures(f.idata)))
    exposures = [e for e in exposures if curve_fits(fits, e)]
    if not exposures:
        s.p("No fit stores a dose-response curve (quartile models are shown in Table 2).")
    for exposure in exposures:
        with_curve = [(f.name, f.idata) for f in curve_fits(fits, exposure)]
        ref = refs.get(exposure)
        png = to_png(curve_figure(with_curve, exposure, cohort=cohort, reference=ref))
        unit = UNITS.get(exposure, "")
        s.figure(
            f"curve_{exposure}.png",
            f"{exposure}: RR (log scale) versus "
            + (f"{ref:g} {unit}" if ref is not None else "the reference")
            + " with 95% credible band, one panel per model (each axis names its reference); "
            f"histogram of the exposure ({unit}) beneath; dashed: simulated truth when known.",
            png,
        )
        rows = []
        for name, idata in with_curve:
            inside = ref is not None and reference_inside(curve_draws(idata, exposure), ref)
            for r in curve_rows(idata, references={exposure: ref} if inside else None):
                if r["exposure"] != exposure:
                    continue
                rows.append(
                    [
                        name,
                        r["stratum"] or "",
                        fmt_num(r["reference"], "g", ""),
                        f"{r['x']:g}",
                        fmt_rr(r["rr"]),
                        fmt_num(r["p_benefit"], ".3f", ""),
                    ]
                )
        ratio = "/".join(dict.fromkeys(ratio_abbr(idata) for _, idata in with_curve))
        s.table(
            f"{exposure}: {ratio} at round values ({unit}) versus the reference in its column",
            [
                "model",
                "stratum",
                "reference",
                f"{exposure} ({unit})",
                f"{ratio} (95% CrI)",
                f"P({ratio} < 1)",
            ],
            rows,
        )
    return s


def true_onset_text(
    cohort: xr.Dataset | None, fit: FitEntry, *, near: float, within: float, delta: float
) -> str | None:
    """The simulated truth's plateau onset on the fit's grid (same definition), if known."""
    from bayes_walk.estimands.draws import curve_draws, grid_values
    from bayes_walk.estimands.plateau import plateau_onset
    from bayes_walk.reporting.figures import true_curve

    truth = true_curve(cohort, "walking_min", None)
    if truth is None or truth.ndim != 1:
        return None
    grid = grid_values(curve_draws(fit.idata, "walking_min"))
    tg = truth["truth_walking_min"].values
    f = np.interp(grid, tg, truth.values)
    da = xr.DataArray(f[None, None, :], dims=("chain", "draw", "walking_min_grid"))
    x = float(plateau_onset(da.assign_coords(walking_min_grid=grid), delta=delta).values.ravel()[0])
    where = "no plateau within the range" if not np.isfinite(x) else f"x* = {x:.1f} min/day"
    hit = np.isfinite(x) and abs(x - near) <= within
    name = cohort.attrs.get("truth", "simulated")
    return (
        f"Simulated truth ('{name}'), same definition on the same range: {where} "
        f"({'within' if hit else 'not within'} {within:g} of {near:g}). A model recovers the "
        "truth when its onset interval covers this value."
    )


def plateau_section(
    fits: list[FitEntry],
    *,
    near: float = 100.0,
    within: float = 10.0,
    delta: float | None = None,
    cohort: xr.Dataset | None = None,
    references: dict[str, float] | None = None,
) -> Section:
    """Plateau onset posterior, P(plateau near), remaining benefit, minimal dose, tau.

    Led by one answer (averaged over the curve fits when there are two or more), its
    calibration at this cohort size and what the data can and cannot say
    (:mod:`bayes_walk.reporting.plateau_lead`); then the per-model table.

    The minimal dose (the only column that depends on the reference) is computed against
    one reference for every model (``references["walking_min"]``, default 78 min/day).
    """
    from bayes_walk.estimands.draws import curve_draws
    from bayes_walk.estimands.plateau import DEFAULT_DELTA
    from bayes_walk.estimands.reference import DEFAULT_REFERENCES, reference_inside

    refs = DEFAULT_REFERENCES if references is None else {**DEFAULT_REFERENCES, **references}
    common = refs.get("walking_min")

    delta = DEFAULT_DELTA if delta is None else delta
    s = Section("Does the benefit plateau near 100 min/day?", "plateau")
    # a step-form fit's stored curve has no onset to read (answers/guards.py)
    with_curve = [
        f for f in curve_fits(fits, "walking_min") if not is_step_form(f.idata, "walking_min")
    ]
    if not with_curve:
        s.p("No fit stores a walking-volume curve.")
        return s
    answers = {}
    for f in with_curve:
        inside = common is not None and reference_inside(
            curve_draws(f.idata, "walking_min"), common
        )
        answers[f.name] = (
            inside,
            plateau_summary(
                f.idata,
                "walking_min",
                near=near,
                within=within,
                delta=delta,
                reference=common if inside else None,
            ),
        )
    singles = {name: p for name, (_, p) in answers.items()}
    plateau_lead(s, with_curve, singles, near=near, within=within, delta=delta)
    truth_text = true_onset_text(cohort, with_curve[0], near=near, within=within, delta=delta)
    if truth_text:
        s.p(truth_text)
    rows = []
    definition = ""
    for f in with_curve:
        inside, p = answers[f.name]
        own = "" if inside else f" (vs {fmt_num(p['reference'], 'g', '?')})"
        definition = p["definition"]
        blocks = p["strata"] if p.get("strata") else [p]
        for b in blocks:
            on, md = b["onset"], b["minimal_dose"]
            r = b["remaining_risk_reduction_at_near_pct"]
            rows.append(
                [
                    f.name + (f" [{b['stratum']}]" if b.get("stratum") else ""),
                    f"{b['probability']:.3f}",
                    f"{fmt_num(on['median'])} ({fmt_num(on['lo'])} to {fmt_num(on['hi'])})",
                    f"{b['p_no_plateau']:.3f}",
                    f"{fmt_num(r['median'], '.1f', '-')}% ({fmt_num(r['lo'], '.1f', '-')} to "
                    f"{fmt_num(r['hi'], '.1f', '-')}%)",
                    f"{md['p_reached']:.2f}; {fmt_num(md['median'])} ({fmt_num(md['lo'])} to "
                    f"{fmt_num(md['hi'])}){own}",
                ]
            )
        tau = p.get("tau")
        if tau and "median" in tau:
            s.p(
                f"{f.name}: the changepoint tau (where the fitted decline stops) has median {tau['median']:.1f} min/day (95% interval "
                f"{tau['lo']:.1f} to {tau['hi']:.1f}); P(|tau - {near:g}| <= {within:g}) = "
                f"{tau['p_near']:.3f}."
            )
    s.table(
        f"Plateau of walking volume (near = {near:g}, within = {within:g} min/day, "
        f"delta = {delta:.4f})",
        [
            "model",
            f"P(|x* - {near:g}| <= {within:g})",
            "onset x*, median (95% interval)",
            "P(no plateau in range)",
            f"further risk reduction beyond {near:g}",
            f"RR <= 0.85 vs {fmt_num(common, 'g', 'the reference')} min/day: P(reached); "
            "minimal dose (95% interval)",
        ],
        rows,
    )
    s.p(
        "Definition: " + definition + " 'beyond range' means the interval limit lies past the "
        "censoring limit (no plateau inside the data)."
    )
    png = to_png(
        onset_figure([(f.name, f.idata) for f in with_curve], near=near, within=within, delta=delta)
    )
    s.figure("plateau_onset.png", "Posterior of the plateau onset x* per model (min/day).", png)
    return s


def joint_section(fits: list[FitEntry], cohort: xr.Dataset | None) -> Section:
    """Table 3: joint volume x intensity cells from joint fits and curve fits side by side."""
    from bayes_walk.estimands.joint import (
        curve_joint_table,
        joint_cuts,
        joint_table,
        side_by_side,
    )

    s = Section("Table 3: volume x intensity", "joint")
    tables = []
    cuts = labels = None
    for f in fits:
        if "logrr_joint" in f.idata.posterior:
            try:
                t = joint_table(f.idata, model=f.name)
            except FitFileError as exc:
                s.p(f"{f.name}: joint table not shown ({exc}).")
                continue
            tables.append(t)
            cuts = cuts or joint_cuts(f.idata)
            labels = labels or {
                "walking_min": list(dict.fromkeys(t["walking_min"])),
                "walking_mets": list(dict.fromkeys(t["walking_mets"])),
            }
    if cuts is None and cohort is not None:
        from bayes_walk.cohort.quartiles import quartile_cuts, quartile_labels

        cuts = {
            e: [float(c) for c in quartile_cuts(cohort[e].values)]
            for e in ("walking_min", "walking_mets")
        }
        labels = {
            "walking_min": quartile_labels(cuts["walking_min"], 0),
            "walking_mets": quartile_labels(cuts["walking_mets"], 2),
        }
    if cuts is None:
        s.p("Neither a joint fit nor the cohort is available to define the 16 categories.")
        return s
    for f in curve_fits(fits, "walking_min"):
        if "walking_mets" in curve_exposures(f.idata):
            try:
                tables.append(curve_joint_table(f.idata, cuts, labels, model=f.name))
            except Exception as exc:  # stratum curves etc.: say why and go on
                s.p(f"{f.name}: not shown in Table 3 ({exc}).")
    if cohort is not None:
        try:
            from bayes_walk.checks.frequentist import modified_poisson_joint

            fq = modified_poisson_joint(cohort, cuts=cuts)
            fq = fq.assign(
                model="modified Poisson", rr_median=fq["rr"], rr_lo=fq["lo"], rr_hi=fq["hi"]
            )
            fq["rr_lo"] = fq["rr_lo"].fillna(1.0)
            fq["rr_hi"] = fq["rr_hi"].fillna(1.0)
            tables.append(fq)
        except Exception as exc:  # a frequentist failure must not sink the report
            s.p(f"Modified Poisson joint table not available ({type(exc).__name__}: {exc}).")
    if not tables:
        s.p("No joint fit and no fit with both exposure curves.")
        return s
    wide = side_by_side(tables)
    s.table(
        "RR (95% interval) versus the lowest volume and lowest intensity quartile",
        ["walking_min (min/day)", "walking_mets (MET)", *wide.columns[2:]],
        [[str(v) for v in row] for row in wide.itertuples(index=False)],
    )
    s.p(
        "Curve models are evaluated at category midpoints (the mean of the two cuts; for the "
        "open-ended quartiles the midpoint between the cut and the exposure's 1st or 99th "
        "percentile), adding the volume and intensity log-RRs."
    )
    return s


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)


def timing_rows(timings: dict[str, float]) -> list[list[str]]:
    """Rows of a step/time table."""
    return [[k, f"{v:.1f}"] for k, v in timings.items()] + [
        ["total", f"{float(np.sum(list(timings.values()))):.1f}"]
    ]
