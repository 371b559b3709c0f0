"""Known true dose-response curves for simulated cohorts.

A truth is a pair of log-RR curves, one for walking volume (min/day) and one for walking
intensity (MET), each relative to its reference (78 min/day, 3.0 MET). The curves are
defined on the MEASURED exposures (the ``walking_min`` / ``walking_mets`` derived from the
simulated daily records), so a model fitted to a simulated cohort is compared with them
directly.

Truths (``parse_truth``):

``paper``
    Calibrated so that the paper's modified-Poisson quartile analysis on a simulated
    cohort of 11,194 reproduces its Table 2 (see ``PAPER_VOLUME`` / ``PAPER_INTENSITY``).
``plateau:<min>``
    Volume log-RR declines linearly (slope ``PLATEAU_SLOPE`` per min) up to ``<min>``
    and is exactly flat after it; intensity as in ``paper``.
``smooth:<min>``
    Volume log-RR declines with the plateau truth's slope and bends smoothly into flat
    (a soft hinge, smoothing ``SMOOTH_WIDTH`` min/day) so that the remaining benefit falls
    below the default onset threshold exactly at ``<min>``; intensity as in ``paper``.
``u_shape``
    As ``plateau:100`` up to 160 min/day, then risk rises again (slope ``U_RISE`` per
    min); intensity as in ``paper``.
``linear``
    Log-linear in both exposures over the whole range (no plateau).
``null``
    Both curves flat at 0.

A stratified truth (different curves per level of a categorical covariate, e.g. sex) is
made with ``parse_truth("paper", stratum_truths={"female": "plateau:80", "male":
"linear"}, stratify_by="sex")``; levels not named get the base truth.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy.special import expit

from bayes_walk.errors import BayesWalkError

VOLUME_REFERENCE = 78.0
INTENSITY_REFERENCE = 3.0
TRUTH_NAMES = ("paper", "plateau:<min>", "smooth:<min>", "u_shape", "linear", "null")

# Fine grids on which the true curves are stored in a simulated cohort.
VOLUME_GRID = np.arange(0.0, 600.0 + 0.5, 1.0)  # the daily cap is 600 min
INTENSITY_GRID = np.round(np.arange(2.8, 4.8 + 1e-9, 0.005), 3)


class TruthError(BayesWalkError):
    """A truth specification that cannot be understood."""


@dataclass(frozen=True)
class Curve:
    """A true log-RR curve ``logrr(x) = g(x) - g(reference)``.

    ``kind`` is one of ``logistic`` (a smooth step down of depth ``a`` centred at ``c``
    with scale ``w``), ``soft_hinge`` (slope ``b`` below knee ``k``, smoothed over ``s``),
    ``hinge`` (exactly flat above ``k``), ``u`` (a hinge at ``k`` that rises again with
    slope ``r`` above ``u``), ``linear`` (slope ``b``) and ``flat``.
    A positive ``b`` means risk falls as the exposure rises (g(x) = b * (k - x) below k).
    """

    name: str
    kind: str
    reference: float
    params: dict[str, float] = field(default_factory=dict)

    def _g(self, x: np.ndarray) -> np.ndarray:
        p = self.params
        if self.kind == "flat":
            return np.zeros_like(x)
        if self.kind == "linear":
            return -p["b"] * x
        if self.kind == "hinge":
            return p["b"] * np.maximum(p["k"] - x, 0.0)
        if self.kind == "u":
            return p["b"] * np.maximum(p["k"] - x, 0.0) + p["r"] * np.maximum(x - p["u"], 0.0)
        if self.kind == "soft_hinge":
            s = p["s"]
            return p["b"] * s * np.logaddexp(0.0, (p["k"] - x) / s)
        if self.kind == "logistic":
            return -p["a"] * expit((x - p["c"]) / p["w"])
        raise TruthError(f"unknown curve kind '{self.kind}'")

    def logrr(self, x: np.ndarray | float) -> np.ndarray:
        """Log risk ratio at ``x`` relative to the reference value."""
        x = np.asarray(x, dtype=np.float64)
        return self._g(x) - self._g(np.asarray(self.reference, dtype=np.float64))

    def describe(self) -> dict:
        """JSON-ready description (kind, reference, parameters)."""
        return {"name": self.name, "kind": self.kind, "reference": self.reference, **self.params}


# --- frozen calibration -------------------------------------------------------------
# Obtained with `python scripts/calibrate_simulator.py curves`: the paper's two
# modified-Poisson quartile models (other exposure linear, full adjustment set) were
# fitted to the EXPECTED outcome (no Bernoulli noise) of a 250,000-participant simulated
# cohort (seed 777), and the five parameters below chosen by Nelder-Mead (273
# evaluations) to match the published multi-adjusted RRs on the log scale. Expected RRs
# at the optimum: volume 0.870/0.770/0.760 (published 0.87/0.77/0.76), intensity
# 0.850/0.819/0.821 (published 0.85/0.82/0.82). The volume curve is a smooth step down
# centred at 88 min/day; its plateau onset (remaining benefit <= -log 0.98) is 107
# min/day, the paper's "levels off at about 100 min/day". The intensity smoothing `s` was
# fixed, not fitted.
PAPER_VOLUME = {"a": 0.2806, "c": 88.36, "w": 7.278}
PAPER_INTENSITY = {"b": 1.5833, "k": 3.0522, "s": 0.03}
# Slopes of the other truths: the plateau truth declines by log(0.76) between 78 and
# 125 min/day when its onset is at or beyond 125 (the paper's Q4 RR); the linear truth
# gives RR 0.76 between 78 and 125 min/day and 0.82 per 0.5 MET.
PLATEAU_SLOPE = float(-np.log(0.76) / 47.0)
LINEAR_VOLUME_SLOPE = float(-np.log(0.76) / 47.0)
# The smooth plateau has the plateau truth's slope well below its bend and bends over about
# +-2 widths; the U-shape turns up at 160 min/day, below the simulated p99 (docs/simulator.md),
# so that a fit has data on the rise.
SMOOTH_WIDTH = 10.0
U_KNEE, U_TURN, U_RISE = 100.0, 160.0, float(-np.log(0.76) / 47.0 / 2.0)
LINEAR_INTENSITY_SLOPE = float(-np.log(0.82) / 0.5)


def _paper_volume() -> Curve:
    return Curve("paper", "logistic", VOLUME_REFERENCE, dict(PAPER_VOLUME))


def _paper_intensity() -> Curve:
    return Curve("paper", "soft_hinge", INTENSITY_REFERENCE, dict(PAPER_INTENSITY))


@dataclass(frozen=True)
class Truth:
    """True curves for volume and intensity, optionally per stratum.

    Attributes
    ----------
    name
        The truth string it came from (e.g. ``"plateau:100"``).
    volume, intensity
        Curves used for participants not in a named stratum.
    stratify_by
        Name of the categorical covariate that selects stratum curves, or ``None``.
    strata
        Level label -> ``(volume, intensity)`` curves for that stratum.
    """

    name: str
    volume: Curve
    intensity: Curve
    stratify_by: str | None = None
    strata: dict[str, tuple[Curve, Curve]] = field(default_factory=dict)

    def curves_for(self, level: str | None) -> tuple[Curve, Curve]:
        """``(volume, intensity)`` curves of stratum ``level`` (base truth if not named)."""
        if level is not None and level in self.strata:
            return self.strata[level]
        return self.volume, self.intensity

    def describe(self) -> dict:
        """JSON-ready description of every curve."""
        out: dict = {
            "name": self.name,
            "walking_min": self.volume.describe(),
            "walking_mets": self.intensity.describe(),
        }
        if self.stratify_by is not None:
            out["stratify_by"] = self.stratify_by
            out["strata"] = {
                lvl: {"walking_min": v.describe(), "walking_mets": i.describe()}
                for lvl, (v, i) in self.strata.items()
            }
        return out


def _single(spec: str) -> tuple[Curve, Curve]:
    text = spec.strip().lower()
    if text == "paper":
        return _paper_volume(), _paper_intensity()
    if text == "null":
        return (
            Curve("null", "flat", VOLUME_REFERENCE),
            Curve("null", "flat", INTENSITY_REFERENCE),
        )
    if text == "linear":
        return (
            Curve("linear", "linear", VOLUME_REFERENCE, {"b": LINEAR_VOLUME_SLOPE}),
            Curve("linear", "linear", INTENSITY_REFERENCE, {"b": LINEAR_INTENSITY_SLOPE}),
        )
    if text.startswith("plateau:"):
        onset = _onset_number(spec, text.split(":", 1)[1])
        name = f"plateau:{onset:g}"
        vol = Curve(name, "hinge", VOLUME_REFERENCE, {"b": PLATEAU_SLOPE, "k": onset})
        return vol, _paper_intensity()
    if text.startswith("smooth:"):
        onset = _onset_number(spec, text.split(":", 1)[1])
        return _smooth_plateau(onset), _paper_intensity()
    if text == "u_shape":
        params = {"b": PLATEAU_SLOPE, "k": U_KNEE, "u": U_TURN, "r": U_RISE}
        return Curve("u_shape", "u", VOLUME_REFERENCE, params), _paper_intensity()
    raise TruthError(f"unknown truth '{spec}'; expected one of {', '.join(TRUTH_NAMES)}")


def _onset_number(spec: str, raw: str) -> float:
    try:
        onset = float(raw)
    except ValueError:
        onset = float("nan")
    if not np.isfinite(onset) or not 10.0 <= onset <= 300.0:
        raise TruthError(
            f"truth '{spec}': the plateau onset must be a number of min/day between "
            f"10 and 300 (e.g. {spec.split(':')[0]}:100), got '{raw}'"
        )
    return onset


def _smooth_plateau(onset: float) -> Curve:
    """Soft hinge whose remaining benefit ``g(x) - g(inf)`` equals the default onset
    threshold (``DEFAULT_DELTA``) at ``onset``: ``b s log(1 + exp((k - x) / s))``."""
    from bayes_walk.estimands.plateau import DEFAULT_DELTA

    b, s = PLATEAU_SLOPE, SMOOTH_WIDTH
    knee = onset + s * np.log(np.expm1(DEFAULT_DELTA / (b * s)))
    params = {"b": b, "k": float(knee), "s": s}
    return Curve(f"smooth:{onset:g}", "soft_hinge", VOLUME_REFERENCE, params)


def parse_truth(
    spec: str | Truth = "paper",
    *,
    stratum_truths: Mapping[str, str] | None = None,
    stratify_by: str = "sex",
) -> Truth:
    """Build a :class:`Truth` from its name.

    Parameters
    ----------
    spec
        ``"paper"``, ``"plateau:<min>"``, ``"smooth:<min>"``, ``"u_shape"``, ``"linear"`` or
        ``"null"`` (or a ``Truth``).
    stratum_truths
        Optional level label -> truth name, giving those strata of ``stratify_by`` their
        own curves (the other levels keep ``spec``).
    stratify_by
        Categorical covariate whose levels ``stratum_truths`` names (default ``"sex"``).

    Raises
    ------
    TruthError
        For an unknown name or a bad plateau onset.
    """
    if isinstance(spec, Truth):
        if stratum_truths:
            raise TruthError("give stratum_truths with a truth name, not a Truth object")
        return spec
    if not isinstance(spec, str):
        raise TruthError(f"truth must be a string such as 'paper', got {spec!r}")
    vol, inten = _single(spec)
    name = vol.name
    if not stratum_truths:
        return Truth(name, vol, inten)
    strata = {str(level): _single(s) for level, s in stratum_truths.items()}
    label = ",".join(f"{lvl}={c[0].name}" for lvl, c in strata.items())
    return Truth(f"{name}|{stratify_by}:{label}", vol, inten, stratify_by, strata)
