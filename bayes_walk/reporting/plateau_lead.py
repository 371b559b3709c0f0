"""The plateau section's lead: one answer, its calibration at this cohort size, its limits.

With two or more fits that have a walking-volume curve the lead is the answer averaged
with LOO stacking weights (:func:`bayes_walk.answers.averaged.averaged_plateau`); with
one, that fit's own answer. Either is followed by what the calibration study found at the
nearest studied cohort size, and a plain sentence of what such a cohort can and cannot
tell. The study's figures live in :data:`STUDY` only.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

from bayes_walk.answers.guards import is_step_form
from bayes_walk.errors import BayesWalkError
from bayes_walk.estimands.onset import DEFAULT_DEFINITION
from bayes_walk.estimands.plateau import DEFAULT_DELTA
from bayes_walk.reporting.render import Section
from bayes_walk.reporting.text import fmt_num


@dataclass(frozen=True)
class StudyCell:
    """Calibration of the default onset definition at one cohort size (noise-model study).

    ``p_near_sharp`` is the mean P(near 100) under a true sharp plateau at 100; ``bias`` and
    ``cover90`` the range, across the plateau truths (plateau:100, plateau:140, paper), of
    the onset's mean bias (min/day) and of the 90% intervals' coverage of the true onset;
    ``linear_p_near`` and ``linear_p_none`` the mean P(near 100) and P(no plateau) under a
    straight decline.
    """

    n: int
    p_near_sharp: float
    bias: tuple[float, float]
    cover90: tuple[float, float]
    linear_p_near: float
    linear_p_none: float


@dataclass(frozen=True)
class Study:
    """The study a report's calibration sentence quotes, with the settings it holds for."""

    source: str
    definition: str
    near: float
    within: float
    delta: float
    replicates: int
    cells: tuple[StudyCell, ...]


STUDY = Study(
    source="reports/plateau_study/definitions.md",
    definition="min",
    near=100.0,
    within=10.0,
    delta=DEFAULT_DELTA,
    replicates=200,
    cells=(
        StudyCell(11_194, 0.50, (13.8, 23.6), (0.84, 0.86), 0.00, 0.98),
        StudyCell(50_000, 0.60, (9.9, 19.6), (0.80, 0.83), 0.00, 1.00),
    ),
)


def nearest_cell(n: int | None, study: Study = STUDY) -> StudyCell:
    """The studied cohort size nearest to ``n`` on the log scale (the first one if unknown)."""
    if not n or n <= 0:
        return study.cells[0]
    return min(study.cells, key=lambda c: abs(math.log(c.n / n)))


def cohort_size(idata) -> int | None:
    """Participants in the fit: the recorded ``n_participants``, else the data's size."""
    n = getattr(idata, "attrs", {}).get("n_participants")
    if n is not None:
        return int(n)
    for group in ("observed_data", "constant_data"):
        if group in idata.groups() and "participant" in idata[group].sizes:
            return int(idata[group].sizes["participant"])
    return None


def calibration_sentence(
    n: int | None, *, near: float, within: float, delta: float, study: Study = STUDY
) -> str:
    """What the study found at the studied cohort size nearest to ``n``."""
    c = nearest_cell(n, study)
    size = "unknown" if n is None else f"{n:,}"
    text = (
        f"Calibration at this cohort size (n = {size}; nearest studied n = {c.n:,}; "
        f"{study.replicates} replicates per cell, noise model, {study.source}): with the "
        f"default onset definition ('{study.definition}'), a true sharp plateau at "
        f"{study.near:g} min/day gave a mean P(near {study.near:g}) of {c.p_near_sharp:.2f}; "
        f"across plateau truths the onset's mean bias was {c.bias[0]:+.0f} to "
        f"{c.bias[1]:+.0f} min/day and 90% intervals covered the true onset in "
        f"{c.cover90[0]:.2f}-{c.cover90[1]:.2f} of replicates; under a straight decline "
        f"P(near {study.near:g}) was {c.linear_p_near:.2f}."
    )
    if n is not None and not (study.cells[0].n / 2 <= n <= 2 * study.cells[-1].n):
        text += " This cohort lies outside the studied sizes, so these figures are only indicative."
    same = (near, within) == (study.near, study.within) and math.isclose(delta, study.delta)
    if not same:
        text += (
            f" The study used near = {study.near:g}, within = {study.within:g} and "
            f"delta = {study.delta:.4f}; this section uses {near:g}, {within:g} and "
            f"{delta:.4f}, so they are only indicative."
        )
    return text


def limits_sentence(answer: dict[str, Any], n: int | None, study: Study = STUDY) -> str:
    """A plain sentence of what a cohort of this size can and cannot say about the onset."""
    c = nearest_cell(n, study)
    lo, med = answer["onset"]["lo"], answer["onset"]["median"]
    if med is None:
        falls = (
            "can show whether risk keeps falling across the observed range (here most of the "
            "posterior has no plateau inside the data)"
        )
    elif lo is None:
        falls = "can tell a plateau from a straight decline"
    else:
        falls = (
            f"can show that risk falls up to about {lo:.0f} min/day (the onset's lower 95% "
            f"limit) and tell a plateau from a straight decline (which in the study gave "
            f"P(near {study.near:g}) = {c.linear_p_near:.2f} and no plateau in "
            f"{c.linear_p_none:.0%} of draws)"
        )
    return (
        f"What the data can and cannot say: a cohort of this size {falls}; it cannot place "
        f"the onset within +-{study.within:g} min/day (the study's onsets sat "
        f"{c.bias[0]:+.0f} to {c.bias[1]:+.0f} min/day too high on average, and a true "
        f"plateau at {study.near:g} scored only {c.p_near_sharp:.2f}): read "
        f"P(near {study.near:g}) = {answer['probability']:.3f} as 'not ruled out', "
        "not as a finding."
    )


def _onset_text(on: dict[str, Any]) -> str:
    return (
        f"{fmt_num(on['median'])} min/day (95% interval {fmt_num(on['lo'])} to {fmt_num(on['hi'])})"
    )


def averaged_answer(entries: list, *, near: float, within: float, delta: float) -> dict[str, Any]:
    """The averaged plateau answer of ``entries`` (name + idata), fallback warning caught."""
    from bayes_walk.answers.averaged import averaged_plateau

    with warnings.catch_warnings():
        # the fallback to pseudo-BMA+ is stated in the report itself
        warnings.simplefilter("ignore", UserWarning)
        return averaged_plateau(
            entries,
            "walking_min",
            near=near,
            within=within,
            delta=delta,
            definition=DEFAULT_DEFINITION,
        )


def plateau_lead(
    s: Section,
    entries: list,
    singles: dict[str, dict[str, Any]],
    *,
    near: float,
    within: float,
    delta: float,
) -> dict[str, Any] | None:
    """Add the lead blocks to ``s``; return the averaged answer (``None`` if not averaged).

    ``entries`` are the fits with a walking-volume curve; ``singles`` their own plateau
    answers by name (the single-fit lead and the fallback when averaging fails).
    """
    curves = [e for e in entries if not is_step_form(e.idata, "walking_min")]
    if not curves:
        return None
    n = cohort_size(curves[0].idata)
    averaged = None
    if len(curves) >= 2:
        try:
            averaged = averaged_answer(curves, near=near, within=within, delta=delta)
        except BayesWalkError as exc:
            s.p(
                f"The {len(curves)} curve fits could not be averaged ({exc}); the answer "
                f"below is {curves[0].name}'s own, and each model's is in the table."
            )
    if averaged is not None:
        method = averaged["weights_method"]
        fell_back = (
            "stacking was degenerate, so these are pseudo-BMA+ weights"
            if method == "pseudo-BMA+"
            else f"{method} weights"
        )
        s.p(
            f"Averaged answer over {len(curves)} models ({fell_back}): "
            f"P(|x* - {near:g}| <= {within:g}) = {averaged['probability']:.3f}; onset x* "
            f"{_onset_text(averaged['onset'])}."
        )
        s.table(
            "Model weights of the averaged answer (PSIS-LOO "
            + ("pseudo-BMA+, stacking fell back" if method == "pseudo-BMA+" else method)
            + ")",
            ["model", "weight", f"P(|x* - {near:g}| <= {within:g})", "onset x*, median (95%)"],
            [
                [
                    m["model"],
                    f"{m['weight']:.3f}",
                    f"{m['probability']:.3f}",
                    _onset_text(m["onset"]),
                ]
                for m in averaged["per_model"]
            ],
        )
        lead = averaged
    else:
        first = curves[0]
        lead = singles[first.name]
        which = "the one fit with a walking-volume curve" if len(curves) == 1 else "not averaged"
        s.p(
            f"Answer ({first.name}, {which}): "
            f"P(|x* - {near:g}| <= {within:g}) = {lead['probability']:.3f}; onset x* "
            f"{_onset_text(lead['onset'])}."
        )
    s.p(calibration_sentence(n, near=near, within=within, delta=delta))
    s.p(limits_sentence(lead, n))
    return averaged
