"""Questions a fit's form cannot answer: refused with a message naming the forms that can.

A categorical (quartile) or joint (volume x intensity cells) term is a step function of
the exposure: any "onset" read off it is where a category cut happens to fall, not a
property of the dose-response. So the plateau answer refuses such fits.
"""

from __future__ import annotations

from bayes_walk.errors import FitFileError
from bayes_walk.fitmeta import form_of, model_name

STEP_FORMS: tuple[str, ...] = ("categorical", "joint")
# the forms with a continuous curve (spec names in brackets are the shipped examples)
CURVE_FORMS_TEXT = (
    "hsgp (spec 'gp'), rcs, linear, changepoint, monotone or plateau (specs of the same names)"
)


def is_step_form(idata, exposure: str) -> bool:
    """Whether ``exposure``'s term in the fit is categorical or joint (a step function)."""
    form = form_of(idata, exposure)
    if form is not None:
        return form in STEP_FORMS
    # no spec form recorded: judge by the category variables the step forms store
    post = getattr(idata, "posterior", None)
    return post is not None and (f"logrr_{exposure}_cat" in post or "logrr_joint" in post)


def refuse_without_curve(idata, exposure: str, source: str | None = None) -> None:
    """Raise ``FitFileError`` when ``exposure`` has a step-function (category) term.

    Raises
    ------
    FitFileError
        Naming the fit, its form, and the forms that can answer a plateau question.
    """
    if not is_step_form(idata, exposure):
        return
    form = form_of(idata, exposure) or "categorical"
    name = source or model_name(idata, "the fit")
    raise FitFileError(
        f"{name}: {exposure} has the {form} form, a step function over categories; a "
        f"plateau onset read off it only shows where a category cut falls. Fit a curve form "
        f"for {exposure}: {CURVE_FORMS_TEXT}"
    )
