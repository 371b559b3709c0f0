"""Variables of the paper's sensitivity analyses, added to a simulated cohort.

Haddadj et al. (2025) re-ran their analysis with further adjustment for BMI and for
running and cycling time, excluding participants with chronic musculoskeletal pain,
moderate or worse pain in the past 4 weeks, poor or not-so-good self-rated health or
another chronic disease at baseline, and with severe CLBP as the outcome. The simulator
carries these variables so that ``sweeps/paper_sensitivity.toml`` can run all of them.

They are drawn *after* the outcome, from a random stream of their own, given the
participant's existing variables (age, sex, depression, measured walking volume) and
CLBP status. So a cohort's existing variables, its outcome and the published numbers the
tests compare against are unchanged for a given seed, while every new variable is
associated with the outcome (as with real confounders and effect modifiers measured at
baseline) and with walking. The associations are on the log-odds scale of the new
variable; ``docs/simulator.md`` gives the resulting prevalences and risk ratios.

``running_min`` and ``cycling_min`` are not drawn here: they are the mean daily minutes
of the ``running`` and ``cycling`` activity classes over the valid days, computed from
the same activity records as walking (:func:`class_minutes`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr
from scipy.special import expit, logit

from bayes_walk.cohort import schema

# A fixed second word of the seed: an independent stream per cohort seed.
STREAM = 20251129
YES_NO = ["no", "yes"]
SELF_RATED_HEALTH = ["good", "poor or not so good"]
# Share missing at random among the new baseline variables (the paper does complete-case).
MISSING = {
    "bmi": 0.015,
    "baseline_pain": 0.020,
    "pain_4wk": 0.030,
    "self_rated_health": 0.015,
    "chronic_disease": 0.010,
}
# Baseline log-odds (at the reference person: a man aged 55, no depression, median
# walking, no CLBP) and log-odds ratios of each binary variable.
BINARY = {
    "baseline_pain": {
        "base": logit(0.24),
        "clbp": 0.80,
        "female": 0.35,
        "age10": 0.08,
        "depression": 0.50,
        "walk_sd": -0.15,
    },
    "chronic_disease": {
        "base": logit(0.20),
        "clbp": 0.30,
        "female": -0.10,
        "age10": 0.40,
        "depression": 0.30,
        "walk_sd": -0.20,
    },
}
PAIN_4WK = {"base": logit(0.08), "baseline_pain": 2.0, "clbp": 0.60, "female": 0.30}
PAIN_4WK.update({"depression": 0.30, "walk_sd": -0.10})
POOR_HEALTH = {"base": logit(0.10), "clbp": 0.50, "baseline_pain": 0.60, "age10": 0.15}
POOR_HEALTH.update({"depression": 0.80, "walk_sd": -0.30, "chronic_disease": 0.70})
# BMI (kg/m2): HUNT4 adults have a mean near 27 and an SD near 4.4.
BMI = {"base": 27.0, "age10": 0.30, "female": -0.60, "walk_sd": -0.50, "clbp": 0.50, "sd": 4.2}
BMI_RANGE = (15.0, 60.0)
# Severe CLBP (with leisure-time limitation): about a third of the cases, more often
# among the less active and the depressed.
SEVERE = {"base": logit(0.33), "walk_sd": -0.25, "depression": 0.40}


def class_minutes(der: xr.Dataset, activity: str) -> np.ndarray:
    """Mean daily minutes of ``activity`` over a participant's valid days (NaN if none)."""
    secs = der["activity_seconds"].sel(activity=activity).where(der["valid_day"])
    with np.errstate(invalid="ignore", divide="ignore"):
        out = secs.sum("day") / 60.0 / der["valid_day"].sum("day")
    return np.asarray(out.where(der["valid_day"].any("day")).values, dtype=np.float64)


def _lp(coef: dict[str, float], x: dict[str, np.ndarray]) -> np.ndarray:
    return coef["base"] + sum(v * x[k] for k, v in coef.items() if k not in ("base", "sd"))


def draw_sensitivity_variables(
    cohort: xr.Dataset, seed: int
) -> dict[str, tuple[np.ndarray, list[str] | None]]:
    """The new variables for ``cohort`` (values, levels or None; missing = -1 / NaN).

    Parameters
    ----------
    cohort
        An assembled simulated cohort (``clbp``, ``age``, ``sex``, ``depression``,
        ``walking_min``).
    seed
        The cohort's seed (the stream is ``SeedSequence([seed, STREAM])``).
    """
    from bayes_walk.cohort.schema import levels_of

    rng = np.random.default_rng(np.random.SeedSequence([int(seed), STREAM]))
    n = cohort.sizes["participant"]
    lw = np.log(np.asarray(cohort["walking_min"].values, dtype=np.float64))
    x = {
        "clbp": np.asarray(cohort["clbp"].values, dtype=np.float64),
        "female": (
            np.asarray(cohort["sex"].values) == levels_of(cohort, "sex").index("female")
        ).astype(float),
        "age10": (np.asarray(cohort["age"].values, dtype=np.float64) - 55.0) / 10.0,
        "depression": (np.asarray(cohort["depression"].values) > 0).astype(float),
        "walk_sd": (lw - np.median(lw)) / (np.std(lw) or 1.0),
    }
    u = {k: rng.random(n) for k in ("baseline_pain", "chronic_disease", "pain_4wk", "srh", "sev")}
    for name, coef in BINARY.items():
        x[name] = (u[name] < expit(_lp(coef, x))).astype(float)
    x["pain_4wk"] = (u["pain_4wk"] < expit(_lp(PAIN_4WK, x))).astype(float)
    poor = (u["srh"] < expit(_lp(POOR_HEALTH, x))).astype(float)
    bmi = np.clip(_lp(BMI, x) + BMI["sd"] * rng.standard_normal(n), *BMI_RANGE)
    severe = (x["clbp"] == 1) & (u["sev"] < expit(_lp(SEVERE, x)))
    miss = {k: rng.random(n) < p for k, p in MISSING.items()}
    out: dict[str, tuple[np.ndarray, list[str] | None]] = {
        "bmi": (np.where(miss["bmi"], np.nan, np.round(bmi, 1)), None),
        "clbp_severe": (severe.astype(np.int8), None),
    }
    for name in ("baseline_pain", "pain_4wk", "chronic_disease"):
        out[name] = (np.where(miss[name], -1, x[name]).astype(np.int16), YES_NO)
    out["self_rated_health"] = (
        np.where(miss["self_rated_health"], -1, poor).astype(np.int16),
        SELF_RATED_HEALTH,
    )
    return out


LONG_NAMES = {
    "bmi": "body mass index at baseline (kg/m2)",
    "clbp_severe": "severe chronic low back pain (with leisure-time limitation) at follow-up",
    "baseline_pain": "chronic musculoskeletal pain at baseline",
    "pain_4wk": "moderate or worse pain in the past 4 weeks at baseline",
    "self_rated_health": "self-rated health at baseline",
    "chronic_disease": "another chronic disease at baseline",
    "running_min": "mean daily running time over valid days (min/day)",
    "cycling_min": "mean daily cycling time over valid days (min/day)",
}


def add_sensitivity_variables(ds: xr.Dataset, seed: int, extra: dict) -> xr.Dataset:
    """``ds`` with the sensitivity variables (and running/cycling minutes from ``extra``)."""
    ds = ds.copy()
    for name in ("running_min", "cycling_min"):
        if name in extra:
            ds[name] = xr.DataArray(extra[name], dims="participant")
    for name, (values, levels) in draw_sensitivity_variables(ds, seed).items():
        if levels is None:
            ds[name] = xr.DataArray(values, dims="participant")
        else:
            cat = pd.Categorical.from_codes(values, categories=levels, ordered=True)
            ds = schema.set_categorical(ds, name, cat, levels)
    for name, text in LONG_NAMES.items():
        if name in ds:
            ds[name].attrs["long_name"] = text
    return ds
