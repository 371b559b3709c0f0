"""Simulated HUNT-like cohorts with a known truth.

``simulate_cohort`` draws covariates and raw daily activity seconds
(:mod:`bayes_walk.cohort.sim_population`), derives the exposures with the paper's rule
(:func:`bayes_walk.cohort.derive.derive_exposures`), applies the inclusion flow
(at least one valid day, complete covariates) and draws the outcome

    clbp ~ Bernoulli(min(p, 0.99)),
    log p = intercept + f_vol(walking_min) + f_int(walking_mets) + covariates + municipality,

where ``f_vol``/``f_int`` are the truth's log-RR curves (:mod:`bayes_walk.cohort.truth`)
evaluated at the MEASURED exposures. The intercept makes the expected incidence 14.8% in
a fixed reference population, so every truth has the paper's incidence.

Participants are generated in chunks, each from its own child of
``numpy.random.SeedSequence(seed)``; the outcome uses uniforms drawn for every
participant, so the same seed with another truth gives the same people (common random
numbers) and ``keep_daily=False`` gives the same cohort without the daily arrays.
"""

from __future__ import annotations

import json
from functools import cache

import numpy as np
import xarray as xr

from bayes_walk.cohort import schema
from bayes_walk.cohort.derive import derive_exposures
from bayes_walk.cohort.sim_population import (
    EXPOSURE_ON,
    draw_activity,
    draw_covariates,
    exposures_for_outcome,
    habitual_exposures,
)
from bayes_walk.cohort.sim_sensitivity import add_sensitivity_variables, class_minutes
from bayes_walk.cohort.truth import (
    INTENSITY_GRID,
    INTENSITY_REFERENCE,
    VOLUME_GRID,
    VOLUME_REFERENCE,
    Truth,
    TruthError,
    parse_truth,
)

TARGET_INCIDENCE = 0.148
MUNICIPALITIES = 20
MUNICIPALITY_SD = 0.15
FOLLOWUP_MEAN, FOLLOWUP_SD = 4.2, 0.5
CATEGORICALS = ("sex", "education", "income", "employment", "smoking", "depression")

# True covariate log-RRs (first level = reference), plausible for CLBP incidence.
COEFFICIENTS: dict[str, object] = {
    "age": -0.004,  # per year, log-linear so that linear age adjustment is correct
    "sex": [0.0, -0.18],  # male vs female
    "education": [0.0, -0.05, -0.10, -0.10, -0.20, -0.28],
    "income": [0.0, -0.05, -0.10, -0.15, -0.20],
    "employment": [0.0, 0.10],
    "smoking": [0.0, 0.06, 0.20],
    "depression": [0.0, 0.35],
}
_REFERENCE_SEED = 20250615
_REFERENCE_N = 60_000
_CHUNK = 65_536


def _municipality_weights() -> np.ndarray:
    # Unequal municipality sizes (a Zipf-like profile), fixed so they do not depend on seed.
    w = 1.0 / np.arange(1, MUNICIPALITIES + 1) ** 0.8
    return w / w.sum()


def _covariate_lp(cov: dict[str, np.ndarray]) -> np.ndarray:
    lp = COEFFICIENTS["age"] * (cov["age"] - 55.3)
    for name in CATEGORICALS:
        table = np.asarray(COEFFICIENTS[name], dtype=np.float64)
        lp = lp + table[np.clip(cov[name], 0, None)]
    return lp


def _stratum_labels(truth: Truth, cov: dict[str, np.ndarray]) -> np.ndarray | None:
    if truth.stratify_by is None:
        return None
    levels = schema.paper_levels()
    if truth.stratify_by not in CATEGORICALS:
        raise TruthError(
            f"stratify_by '{truth.stratify_by}' is not a simulated categorical covariate; "
            f"choose one of {', '.join(CATEGORICALS)}"
        )
    known = levels[truth.stratify_by]
    unknown = [lvl for lvl in truth.strata if lvl not in known]
    if unknown:
        raise TruthError(
            f"stratum_truths names unknown level(s) {unknown} of '{truth.stratify_by}'; "
            f"levels are {known}"
        )
    codes = np.clip(cov[truth.stratify_by], 0, None)
    return np.asarray(known, dtype=object)[codes]


def _exposure_lp(truth: Truth, wm: np.ndarray, mets: np.ndarray, strata: np.ndarray | None):
    vol, inten = truth.curves_for(None)
    lp = vol.logrr(wm) + inten.logrr(mets)
    if strata is not None:
        for level in truth.strata:
            sel = strata == level
            v, i = truth.curves_for(level)
            lp[sel] = v.logrr(wm[sel]) + i.logrr(mets[sel])
    return lp


def _chunk(seed_seq: np.random.SeedSequence, n_raw: int, keep_daily: bool):
    """One chunk: covariates, activity, derived exposures, inclusion mask, uniforms."""
    rng = np.random.default_rng(seed_seq)
    cov = draw_covariates(rng, n_raw)
    secs, latent = draw_activity(rng, cov)
    municipality = rng.choice(MUNICIPALITIES, size=n_raw, p=_municipality_weights())
    followup = np.clip(rng.normal(FOLLOWUP_MEAN, FOLLOWUP_SD, n_raw), 2.5, 6.0)
    u_outcome = rng.random(n_raw)
    raw = xr.Dataset(
        {"activity_seconds": (("participant", "day", "activity"), secs)},
        coords={"day": np.arange(1, 8), "activity": list(schema.ACTIVITIES)},
    )
    der = derive_exposures(raw)
    active = {f"{a}_min": class_minutes(der, a) for a in ("running", "cycling")}
    habit = habitual_exposures(latent, der.attrs.get("class_mets"))
    valid_days = der["valid_days"].values
    has_valid = valid_days > 0
    complete = np.ones(n_raw, dtype=bool)
    for name in CATEGORICALS:
        complete &= cov[name] >= 0
    included = has_valid & complete
    keep = ["valid_days", "walking_min", "walking_mets"]
    if keep_daily:
        keep = ["activity_seconds", "valid_day", "daily_walking_min", "daily_walking_mets", *keep]
    der = der[keep].isel(participant=np.flatnonzero(included))
    extra = {
        "municipality": municipality.astype(np.int16),
        "followup_years": followup,
        "u_outcome": u_outcome,
        **cov,
        **active,
        **habit,
    }
    extra = {k: v[included] for k, v in extra.items()}
    return der, extra, has_valid, included, der.attrs.get("class_mets")


@cache
def _reference_population() -> dict[str, np.ndarray]:
    """A fixed large population (seed-independent) used to set each truth's intercept."""
    der, extra, _, _, _ = _chunk(
        np.random.SeedSequence(_REFERENCE_SEED), _REFERENCE_N, keep_daily=False
    )
    out = {k: v for k, v in extra.items() if k not in ("u_outcome",)}
    out["walking_min"] = der["walking_min"].values
    out["walking_mets"] = der["walking_mets"].values
    out["observed_walking_min"] = out["walking_min"]
    out["observed_walking_mets"] = out["walking_mets"]
    out["covariate_lp"] = _covariate_lp(extra)
    return out


def truth_intercept(truth: Truth, exposure_on: str = "observed") -> float:
    """Intercept giving an expected incidence of 14.8% under ``truth`` (reference population)."""
    ref = _reference_population()
    strata = _stratum_labels(truth, ref)
    wm, mets = exposures_for_outcome(ref, exposure_on)
    lp = _exposure_lp(truth, wm, mets, strata) + ref["covariate_lp"]
    return float(np.log(TARGET_INCIDENCE) - np.log(np.mean(np.exp(lp))))


def _truth_arrays(truth: Truth) -> dict[str, xr.DataArray]:
    def curve(exposure: str, grid: np.ndarray, idx: int, reference: float) -> xr.DataArray:
        gdim = f"truth_{exposure}"
        attrs = {
            "reference": reference,
            "truth": truth.name,
            "long_name": f"true log RR of {exposure}",
        }
        if truth.stratify_by is None:
            vals = truth.curves_for(None)[idx].logrr(grid)
            return xr.DataArray(vals, dims=(gdim,), coords={gdim: grid}, attrs=attrs)
        # The stratifying covariate is itself a variable of the cohort, so the stratum dim
        # cannot carry its name; it is ``stratum`` with ``attrs["curve_by"]`` as in fit.nc.
        levels = schema.paper_levels()[truth.stratify_by]
        vals = np.stack([truth.curves_for(lvl)[idx].logrr(grid) for lvl in levels])
        attrs["curve_by"] = truth.stratify_by
        return xr.DataArray(
            vals, dims=("stratum", gdim), coords={"stratum": levels, gdim: grid}, attrs=attrs
        )

    return {
        "true_logrr_walking_min": curve("walking_min", VOLUME_GRID, 0, VOLUME_REFERENCE),
        "true_logrr_walking_mets": curve("walking_mets", INTENSITY_GRID, 1, INTENSITY_REFERENCE),
    }


def simulate_cohort(
    n: int = 11194,
    seed: int = 0,
    truth: str | Truth = "paper",
    *,
    stratum_truths: dict[str, str] | None = None,
    stratify_by: str = "sex",
    keep_daily: bool = True,
    exposure_on: str = "observed",
) -> xr.Dataset:
    """Simulate a HUNT-like cohort of ``n`` included participants with a known truth.

    Parameters
    ----------
    n
        Participants in the analysed cohort (after the inclusion flow).
    seed
        Seed; the same ``(n, seed, truth)`` gives the identical cohort.
    truth
        ``"paper"`` (default), ``"plateau:<min>"``, ``"smooth:<min>"``, ``"u_shape"``,
        ``"linear"`` or ``"null"`` (docs/simulator.md "Truths").
    stratum_truths, stratify_by
        Optional per-stratum truths (e.g. ``{"female": "plateau:80", "male": "linear"}``
        with ``stratify_by="sex"``); the stored true curves then get a leading dim named
        ``stratify_by``.
    keep_daily
        Store ``activity_seconds`` and the daily series (default). ``False`` keeps only the
        per-participant variables, for very large benchmark cohorts.
    exposure_on
        What the true curves act on: ``"observed"`` (default: the means of the valid
        days, as before), ``"habit"`` (both exposures' habitual values, so analyses of the
        observed means are diluted as in reality), ``"habit_volume"`` (habitual volume,
        observed intensity) or ``"habit_intensity"`` (observed volume, habitual
        intensity). With a habit option the cohort also holds the true habits
        ``true_habitual_walking_min`` / ``true_habitual_walking_mets`` (docs/simulator.md).

    Returns
    -------
    xr.Dataset
        The cohort in the form of ARCHITECTURE.md, with the true curves
        ``true_logrr_walking_min`` / ``true_logrr_walking_mets`` and
        ``attrs["true_coefficients"]``.

    Raises
    ------
    TruthError
        For an unknown truth, bad plateau onset or bad stratum specification.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise TruthError(f"n must be a positive integer, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise TruthError(f"seed must be a non-negative integer, got {seed!r}")
    if exposure_on not in EXPOSURE_ON:
        raise TruthError(
            f"exposure_on must be one of {', '.join(EXPOSURE_ON)}, got {exposure_on!r}"
        )
    tr = parse_truth(truth, stratum_truths=stratum_truths, stratify_by=stratify_by)
    _stratum_labels(tr, {tr.stratify_by: np.zeros(0, np.int16)} if tr.stratify_by else {})
    intercept = truth_intercept(tr, exposure_on)

    root = np.random.SeedSequence(int(seed))
    muni_seq, chunk_root = root.spawn(2)
    # Chunk size depends on n only (never on keep_daily), so the draws are identical.
    chunk = int(min(_CHUNK, np.ceil(n / 0.9) + 200))
    parts, n_raw, n_valid, n_incl = [], 0, 0, 0
    while n_incl < n:
        (seq,) = chunk_root.spawn(1)  # stateful: chunk k always gets child k
        der, extra, has_valid, included, class_mets = _chunk(seq, chunk, keep_daily)
        need = n - n_incl
        if included.sum() > need:
            # Truncate the raw chunk at the participant who completes the cohort so that
            # the inclusion flow counts the same people as the cohort.
            cut = int(np.flatnonzero(included)[need - 1]) + 1
            has_valid, included = has_valid[:cut], included[:cut]
            der = der.isel(participant=slice(0, need))
            extra = {k: v[:need] for k, v in extra.items()}
        else:
            cut = chunk
        n_raw += cut
        n_valid += int(has_valid.sum())
        n_incl += int(included.sum())
        parts.append((der, extra))

    counts = (n_raw, n_valid, n_incl)
    return _assemble(parts, n, seed, tr, intercept, muni_seq, counts, class_mets, exposure_on)


def _assemble(
    parts, n, seed, truth, intercept, muni_seq, counts, class_mets, exposure_on="observed"
) -> xr.Dataset:
    ders = [d for d, _ in parts]
    der = ders[0] if len(ders) == 1 else xr.concat(ders, dim="participant")
    extra = {k: np.concatenate([e[k] for _, e in parts]) for k in parts[0][1]}

    muni_rng = np.random.default_rng(muni_seq)
    effects = muni_rng.normal(0.0, MUNICIPALITY_SD, MUNICIPALITIES)
    # Centre on the risk scale so the municipality draw does not move the incidence.
    effects -= np.log(np.sum(_municipality_weights() * np.exp(effects)))

    wm, mets = exposures_for_outcome(
        {
            "observed_walking_min": der["walking_min"].values,
            "observed_walking_mets": der["walking_mets"].values,
            **extra,
        },
        exposure_on,
    )
    strata = _stratum_labels(truth, extra)
    lp = intercept + _exposure_lp(truth, wm, mets, strata) + _covariate_lp(extra)
    lp = lp + effects[extra["municipality"]]
    p = np.minimum(np.exp(lp), 0.99)
    clbp = (extra["u_outcome"] < p).astype(np.int8)

    ids = np.array([f"S{i:07d}" for i in range(1, n + 1)], dtype=object)
    ds = der.assign_coords(participant=ids)
    ds["clbp"] = xr.DataArray(
        clbp, dims="participant", attrs={"long_name": "chronic low back pain at follow-up"}
    )
    ds["followup_years"] = xr.DataArray(
        extra["followup_years"], dims="participant", attrs={"units": "years"}
    )
    ds["age"] = xr.DataArray(extra["age"], dims="participant", attrs={"units": "years"})
    levels = schema.paper_levels()
    for name in CATEGORICALS:
        labels = np.asarray(levels[name], dtype=object)[extra[name]]
        ds = schema.set_categorical(ds, name, labels, levels[name])
    muni_levels = [f"M{m:02d}" for m in range(1, MUNICIPALITIES + 1)]
    ds = schema.set_categorical(
        ds,
        "municipality",
        np.asarray(muni_levels, dtype=object)[extra["municipality"]],
        muni_levels,
    )
    ds = add_sensitivity_variables(ds, seed, extra)
    ds = ds.assign(_truth_arrays(truth))
    if exposure_on != "observed":
        for k in ("walking_min", "walking_mets"):
            ds[f"true_habitual_{k}"] = xr.DataArray(
                extra[f"habitual_{k}"],
                dims="participant",
                attrs={"long_name": f"true habitual {k} (simulator latent)"},
            )

    coefficients = {
        "intercept": intercept,
        "age_centre": 55.3,
        **{k: v for k, v in COEFFICIENTS.items()},
        "municipality_sd": MUNICIPALITY_SD,
        "municipality": dict(zip(muni_levels, effects.round(6).tolist(), strict=True)),
        "curves": truth.describe(),
        "outcome": "clbp ~ Bernoulli(min(p, 0.99)); log p = intercept + f_vol(walking_min) "
        "+ f_int(walking_mets) + age*(age - age_centre) + categorical log-RRs + municipality",
    }
    n_raw, n_valid, n_incl = counts
    flow = [("simulated", n_raw), (">= 1 valid day", n_valid), ("complete covariates", n_incl)]
    ds = schema.with_inclusion_flow(ds, flow)
    from bayes_walk import __version__

    ds.attrs.update(
        {
            "source": f"simulated (bayes_walk.cohort.simulate, seed={seed})",
            "units": json.dumps(
                {
                    "activity_seconds": "s/day",
                    "walking_min": "min/day",
                    "walking_mets": "MET",
                    "age": "years",
                    "followup_years": "years",
                }
            ),
            "class_mets": class_mets,
            "created_by": f"bayes_walk {__version__}",
            "truth": truth.name,
            "reference": json.dumps(
                {"walking_min": VOLUME_REFERENCE, "walking_mets": INTENSITY_REFERENCE}
            ),
            "true_coefficients": json.dumps(coefficients),
            "seed": int(seed),
        }
    )
    if exposure_on != "observed":
        ds.attrs["exposure_on"] = exposure_on
    return ds
