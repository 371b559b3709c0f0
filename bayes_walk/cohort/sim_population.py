"""The simulated population: covariates and daily activity records of HUNT-like adults.

Everything here is a vectorised draw from a ``numpy.random.Generator``; the outcome and
the cohort assembly live in :mod:`bayes_walk.cohort.simulate`. The constants were set so
that a simulated cohort matches the paper's Table 1 marginals (age 55.3 +- 15.1, >= 20;
58.6% women; about 5.7 valid days) and its exposure quartiles (78/100/124 min/day,
3.00/3.11/3.26 MET); scripts/calibrate_simulator.py checks them.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, ndtr, ndtri

from bayes_walk.cohort.schema import ACTIVITIES

# --- covariates ----------------------------------------------------------------------
FEMALE_FRACTION = 0.586
# Normal truncated to [20, 100]; loc/scale chosen so the truncated mean/SD are 55.3/15.1.
AGE_LOC, AGE_SCALE, AGE_MIN, AGE_MAX = 54.82, 15.95, 20.0, 100.0
EDUCATION_CUM = (0.14, 0.22, 0.47, 0.60, 0.80)  # primary, 1-2y, 3y, 3-4y voc, univ <4 / >=4
INCOME_CUM = (0.09, 0.24, 0.53, 0.75)  # <25k, 25-45k, 45-75k, 75-100k, >100k USD
# Mean and SD of the income latent score in a large population (so INCOME_CUM holds).
INCOME_LATENT = (0.4726, 1.2874)
MISSING_RATE = {"education": 0.010, "income": 0.030, "employment": 0.005, "smoking": 0.010,
                "depression": 0.025}  # fmt: skip

# --- measurement -----------------------------------------------------------------------
# Probability of 1..7 recorded days; about 2.5% of recorded days break the valid-day
# rule (no lying recorded: the sensor came off at night) and 0.4% of devices fail.
RECORDED_DAYS_P = (0.03, 0.03, 0.05, 0.07, 0.11, 0.21, 0.50)
INVALID_DAY_RATE = 0.025
DEVICE_FAILURE_RATE = 0.004

# --- habitual walking ------------------------------------------------------------------
# sqrt(habitual min/day) ~ Normal(VOLUME_SQRT_MEAN + shifts, VOLUME_SQRT_SD); the daily
# walking time varies log-normally around it (SD DAILY_VOLUME_SD on the log scale).
VOLUME_SQRT_MEAN, VOLUME_SQRT_SD, DAILY_VOLUME_SD = 10.0314, 1.4932, 0.35
# Pace: a person's walking cadence score; within a day, bouts ~ Normal(pace, 1) and
# slow / moderate / brisk are the parts below 0, between 0 and PACE_GAP, above PACE_GAP.
PACE_MEAN, PACE_SD, DAILY_PACE_SD, PACE_GAP = -0.589, 0.4445, 0.20, 1.3284
# Latent correlation of habitual volume and pace (before covariate effects).
VOLUME_PACE_RHO = 0.35


def _ordinal(latent: np.ndarray, cum: tuple[float, ...], sd: float) -> np.ndarray:
    cuts = ndtri(np.asarray(cum)) * sd
    return np.searchsorted(cuts, latent).astype(np.int16)


def draw_covariates(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Covariates with the paper's codings, as integer codes (``-1`` = missing).

    Education depends on age; employment on age, education and depression; income on
    education, employment and age; smoking on age and education.
    """
    female = rng.random(n) < FEMALE_FRACTION
    lo, hi = ndtr((AGE_MIN - AGE_LOC) / AGE_SCALE), ndtr((AGE_MAX - AGE_LOC) / AGE_SCALE)
    age = AGE_LOC + AGE_SCALE * ndtri(lo + (hi - lo) * rng.random(n))

    edu_slope = -0.025
    edu_latent = edu_slope * (age - 55.3) + 0.08 * female + rng.standard_normal(n)
    edu_sd = float(np.sqrt(1.0 + (edu_slope * 15.1) ** 2))
    education = _ordinal(edu_latent, EDUCATION_CUM, edu_sd)

    dep_logit = -2.35 + 0.15 * female - 0.35 * (education >= 4) - 0.012 * (age - 55.3)
    depression = (rng.random(n) < expit(dep_logit)).astype(np.int16)

    retired = expit((age - 65.5) / 2.5)
    other = 0.05 + 0.05 * (education <= 1) + 0.10 * depression
    non_employed = rng.random(n) < retired + (1.0 - retired) * other
    employment = non_employed.astype(np.int16)

    inc_latent = (
        0.30 * (education - 2.5) + 0.9 * (~non_employed) - 0.02 * np.abs(age - 52.0)
    ) + rng.standard_normal(n)
    income = _ordinal(inc_latent - INCOME_LATENT[0], INCOME_CUM, INCOME_LATENT[1])

    p_current = expit(-1.75 - 0.25 * (education - 2.5) - 0.02 * (age - 55.3))
    p_former = expit(-0.55 + 0.035 * (age - 55.3))
    u = rng.random(n)
    smoking = np.where(u < p_current, 2, np.where(u < p_current + (1 - p_current) * p_former, 1, 0))
    smoking = smoking.astype(np.int16)

    out = {
        "age": age,
        "sex": (~female).astype(np.int16),
        "education": education,
        "income": income,
        "employment": employment,
        "smoking": smoking,
        "depression": depression,
    }
    for name, rate in MISSING_RATE.items():
        miss = rng.random(n) < rate
        out[name] = np.where(miss, -1, out[name]).astype(np.int16)
    return out


def draw_activity(
    rng: np.random.Generator, cov: dict[str, np.ndarray]
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Daily activity seconds ``(participant, day, activity)`` and the latent habits.

    Volume and pace of the habitual walking depend on covariates (employment, depression,
    age, education) and on each other (latent correlation ``VOLUME_PACE_RHO``); each day
    varies around them. Missing days are NaN.
    """
    n = cov["age"].shape[0]
    n_days = 7
    age = cov["age"]
    employed = cov["employment"] == 0
    depressed = cov["depression"] == 1
    edu = np.clip(cov["education"], 0, None)

    z_v = rng.standard_normal(n)
    z_p = VOLUME_PACE_RHO * z_v + np.sqrt(1 - VOLUME_PACE_RHO**2) * rng.standard_normal(n)
    shift_v = 0.12 * employed - 0.25 * depressed - 0.03 * np.maximum(age - 70.0, 0.0)
    shift_p = -0.022 * (age - 55.3) + 0.06 * (edu - 2.5) - 0.25 * depressed
    sqrt_vol = VOLUME_SQRT_MEAN + VOLUME_SQRT_SD * (z_v + shift_v)
    habitual_min = np.maximum(sqrt_vol, 1.5) ** 2
    pace = PACE_MEAN + PACE_SD * (z_p + shift_p)

    shape = (n, n_days)
    daily_min = habitual_min[:, None] * np.exp(
        DAILY_VOLUME_SD * rng.standard_normal(shape) - DAILY_VOLUME_SD**2 / 2
    )
    daily_min = np.minimum(daily_min, 600.0)
    daily_pace = pace[:, None] + DAILY_PACE_SD * rng.standard_normal(shape)
    slow = ndtr(-daily_pace)
    brisk = ndtr(daily_pace - PACE_GAP)
    walk_s = daily_min * 60.0
    w_slow = np.round(walk_s * slow)
    w_brisk = np.round(walk_s * brisk)
    w_mod = np.round(walk_s) - w_slow - w_brisk

    runner = rng.random(n) < expit(-2.2 + 0.8 * z_p - 0.03 * (age - 55.3))
    running = runner[:, None] * (rng.random(shape) < 0.3) * rng.lognormal(np.log(1500), 0.4, shape)
    cyclist = rng.random(n) < 0.18
    cycling = cyclist[:, None] * (rng.random(shape) < 0.4) * rng.lognormal(np.log(1200), 0.5, shape)
    standing = np.exp(np.log(12000) + 0.25 * z_v[:, None] + 0.3 * rng.standard_normal(shape))
    lying_person = 30600 + 2900 * rng.standard_normal(n)
    lying = np.clip(lying_person[:, None] + 2500 * rng.standard_normal(shape), 14400, 46800)
    nonwear = rng.exponential(600.0, shape)

    fixed = walk_s + running + cycling + nonwear
    room = 86400.0 - 1800.0 - fixed
    scale = np.minimum(1.0, room / (lying + standing))
    lying, standing = lying * scale, standing * scale
    running, cycling, lying, standing = (np.round(a) for a in (running, cycling, lying, standing))
    sitting = np.floor(86400.0 - (w_slow + w_mod + w_brisk + running + cycling + lying + standing)
                       - nonwear)  # fmt: skip

    invalid = rng.random(shape) < INVALID_DAY_RATE
    lying = np.where(invalid, 0.0, lying)

    recorded = rng.choice(np.arange(1, 8), size=n, p=np.asarray(RECORDED_DAYS_P))
    failed = rng.random(n) < DEVICE_FAILURE_RATE
    present = (np.arange(1, 8)[None, :] <= recorded[:, None]) & ~failed[:, None]

    by_class = {
        "lying": lying,
        "sitting": sitting,
        "standing": standing,
        "walk_slow": w_slow,
        "walk_moderate": w_mod,
        "walk_brisk": w_brisk,
        "running": running,
        "cycling": cycling,
    }
    secs = np.stack([by_class[a] for a in ACTIVITIES], axis=-1)
    secs = np.where(present[:, :, None], secs, np.nan)
    latent = {"habitual_min": habitual_min, "pace": pace}
    return secs, latent


# What the true curves of the outcome act on (``simulate_cohort(exposure_on=...)``).
EXPOSURE_ON = ("observed", "habit", "habit_volume", "habit_intensity")


def habitual_exposures(latent: dict[str, np.ndarray], class_mets_json) -> dict[str, np.ndarray]:
    """A person's habitual walking: the long-run mean of their daily walking minutes and
    their long-run time-weighted walking MET (the limits of the observed means over many
    days, before the 600-min/day cap).

    The daily pace is ``pace + DAILY_PACE_SD * e``; ``E ndtr(a + s e) = ndtr(a / sqrt(1 + s^2))``
    gives the expected class shares in closed form (daily minutes and pace are independent,
    so time weighting does not change them).
    """
    import json

    from bayes_walk.cohort.schema import DEFAULT_CLASS_METS

    mets = json.loads(class_mets_json) if class_mets_json else DEFAULT_CLASS_METS
    r = np.sqrt(1.0 + DAILY_PACE_SD**2)
    pace = latent["pace"]
    slow, brisk = ndtr(-pace / r), ndtr((pace - PACE_GAP) / r)
    moderate = 1.0 - slow - brisk
    met = mets["walk_slow"] * slow + mets["walk_moderate"] * moderate + mets["walk_brisk"] * brisk
    return {"habitual_walking_min": latent["habitual_min"], "habitual_walking_mets": met}


def exposures_for_outcome(values: dict[str, np.ndarray], exposure_on: str):
    """(volume, intensity) the outcome's true curves read, per ``exposure_on``."""
    habit_vol = exposure_on in ("habit", "habit_volume")
    habit_int = exposure_on in ("habit", "habit_intensity")
    vol = values["habitual_walking_min" if habit_vol else "observed_walking_min"]
    return vol, values["habitual_walking_mets" if habit_int else "observed_walking_mets"]
