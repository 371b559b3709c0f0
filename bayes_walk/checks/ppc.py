"""Posterior predictive checks with p-values that can fail a build.

Statistic: the number of cases (equivalently the incidence) in a group of participants.
For every thinned posterior draw ``s`` the fit stores the expected counts ``mu[s, i]``;
given those, the replicated case count of a group ``g`` has a known distribution
(Poisson with mean ``lambda[s, g] = sum_i mu[s, i]`` for the Poisson likelihood; a
Poisson-binomial for the log-binomial likelihood, evaluated with the refined normal
approximation). The posterior predictive p-value is the mid-p

    p = mean_s [ P(T_rep > T_obs | s) + 0.5 P(T_rep = T_obs | s) ]

(a Rao-Blackwellised ``P(T_rep >= T_obs)`` that treats ties symmetrically and is not
limited to a resolution of 1/draws). Small p: more cases observed than the model predicts;
p near 1: fewer.

Per family of groups (deciles of predicted risk, quintiles of each exposure, sex, age
group, municipality) an omnibus realized discrepancy
``D(y, s) = sum_g (O_g - lambda[s, g])^2 / V[s, g]`` is also checked: given draw ``s`` the
replicated discrepancy is approximately chi-square with ``G`` degrees of freedom, so
``p = mean_s P(chi2_G >= D(y, s))``. It catches misfit spread thinly over many groups.

Multiplicity: a correct model must pass with high probability, so the band
``[lo, hi]`` (default ``[0.005, 0.995]``) is family-wise. With ``adjust="bonferroni"``
(default) each of the ``K`` checks is held to ``[lo / K, 1 - (1 - hi) / K]``, which keeps
the chance that a correct model fails below ``lo + (1 - hi)`` = 1 % (less in practice:
posterior predictive p-values are conservative). ``adjust="none"`` applies the band to
each check as is.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
from scipy import stats

from bayes_walk.checks.fitdata import PredictiveData, predictive_data
from bayes_walk.checks.groups import Grouping, all_groupings
from bayes_walk.errors import BayesWalkError

DEFAULT_BAND = (0.005, 0.995)
ADJUSTMENTS = ("bonferroni", "none")


@dataclass(frozen=True)
class Check:
    """One posterior predictive check.

    ``observed`` is the observed incidence in the group (cases per participant; for an
    omnibus check, the posterior mean of the realized discrepancy), ``expected`` the
    posterior mean of the predicted incidence (for an omnibus check, its degrees of freedom).
    """

    name: str
    family: str
    kind: str
    n: int
    observed: float
    expected: float
    p_value: float
    band: tuple[float, float]
    passed: bool


@dataclass(frozen=True)
class PPCResult:
    """All checks of one fit; ``passed`` is False when any check falls outside its band."""

    checks: list[Check]
    band: tuple[float, float]
    adjust: str
    likelihood: str
    reported: dict[str, float] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]

    def to_dict(self) -> dict:
        """The ``ppc`` JSON object (DESIGN "JSON output" plus extra keys)."""
        return {
            "passed": self.passed,
            "band": list(self.band),
            "adjust": self.adjust,
            "likelihood": self.likelihood,
            "checks": [{**asdict(c), "band": list(c.band)} for c in self.checks],
            "reported": dict(self.reported),
        }


def _refined_normal_cdf(k: np.ndarray, mean: np.ndarray, var: np.ndarray, skew: np.ndarray):
    """P(S <= k) for a Poisson-binomial sum (Volkova's refined normal approximation)."""
    sd = np.sqrt(np.maximum(var, 1e-300))
    x = (k + 0.5 - mean) / sd
    gamma = skew / sd**3
    cdf = stats.norm.cdf(x) + gamma * (1.0 - x**2) * stats.norm.pdf(x) / 6.0
    return np.clip(cdf, 0.0, 1.0)


def _moments(data: PredictiveData, onehot: np.ndarray):
    """Per draw and group: mean, variance, third central moment of the replicated count."""
    lam = data.mu @ onehot
    if data.likelihood == "poisson":
        return lam, lam, lam
    p = np.clip(data.mu, 0.0, 1.0)
    var = (p * (1.0 - p)) @ onehot
    third = (p * (1.0 - p) * (1.0 - 2.0 * p)) @ onehot
    return lam, var, third


def group_midp(data: PredictiveData, onehot: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mid-p value and observed case count for each group (columns of ``onehot``)."""
    obs = data.y @ onehot
    lam, var, third = _moments(data, onehot)
    if data.likelihood == "poisson":
        per_draw = stats.poisson.sf(obs, lam) + 0.5 * stats.poisson.pmf(obs, lam)
    else:
        upper = _refined_normal_cdf(obs, lam, var, third)
        lower = _refined_normal_cdf(obs - 1.0, lam, var, third)
        per_draw = 1.0 - 0.5 * (upper + lower)
    return per_draw.mean(axis=0), obs


def omnibus_p(data: PredictiveData, onehot: np.ndarray) -> tuple[float, float]:
    """Chi-square realized-discrepancy p-value and the posterior mean discrepancy."""
    obs = data.y @ onehot
    lam, var, _ = _moments(data, onehot)
    disc = ((obs - lam) ** 2 / np.maximum(var, 1e-12)).sum(axis=1)
    df = onehot.shape[1]
    return float(stats.chi2.sf(disc, df).mean()), float(disc.mean())


def _raw_checks(data: PredictiveData, groupings: list[Grouping]) -> list[dict]:
    everyone = np.ones((data.y.shape[0], 1))
    p, obs = group_midp(data, everyone)
    n_all = data.y.shape[0]
    raw = [
        dict(
            name="incidence: all participants",
            family="incidence",
            kind="group",
            n=n_all,
            observed=float(obs[0] / n_all),
            expected=float(data.mu.sum(axis=1).mean() / n_all),
            p_value=float(p[0]),
        )
    ]
    for grouping in groupings:
        onehot = grouping.onehot()
        sizes = onehot.sum(axis=0)
        keep = sizes > 0
        onehot, labels, sizes = onehot[:, keep], np.array(grouping.labels)[keep], sizes[keep]
        if onehot.shape[1] == 0:
            continue
        if onehot.shape[1] > 1:
            p_all, mean_disc = omnibus_p(data, onehot)
            raw.append(
                dict(
                    name=f"{grouping.family}: all groups (chi-square)",
                    family=grouping.family,
                    kind="omnibus",
                    n=int(sizes.sum()),
                    observed=mean_disc,
                    expected=float(onehot.shape[1]),
                    p_value=p_all,
                )
            )
        p, obs = group_midp(data, onehot)
        expected = (data.mu @ onehot).mean(axis=0)
        for j, label in enumerate(labels):
            raw.append(
                dict(
                    name=f"{grouping.family}: {label}",
                    family=grouping.family,
                    kind="group",
                    n=int(sizes[j]),
                    observed=float(obs[j] / sizes[j]),
                    expected=float(expected[j] / sizes[j]),
                    p_value=float(p[j]),
                )
            )
    return raw


def per_check_band(band: tuple[float, float], k: int, adjust: str) -> tuple[float, float]:
    """The band each of ``k`` checks is held to under ``adjust``."""
    lo, hi = band
    if adjust == "none" or k <= 1:
        return (lo, hi)
    return (lo / k, 1.0 - (1.0 - hi) / k)


def validate_band(band: tuple[float, float]) -> tuple[float, float]:
    """Check ``0 <= lo < 0.5 < hi <= 1``; raise :class:`BayesWalkError` otherwise."""
    lo, hi = (float(b) for b in band)
    if not (0.0 <= lo < 0.5 < hi <= 1.0):
        raise BayesWalkError(
            f"--band {lo} {hi}: the band must satisfy 0 <= LO < 0.5 < HI <= 1 "
            "(e.g. --band 0.005 0.995)"
        )
    return (lo, hi)


def reported_statistics(data: PredictiveData) -> dict[str, float]:
    """Statistics reported but never failing (Poisson: counts above 1)."""
    out = {"draws_used": float(data.mu.shape[0])}
    if data.likelihood == "poisson":
        mu = data.mu
        out["share_expected_count_above_1"] = float(np.mean(mu > 1.0))
        out["share_predicted_counts_above_1"] = float(
            np.mean(1.0 - np.exp(-mu) * (1.0 + mu))
            if data.y_rep is None
            else np.mean(data.y_rep > 1)
        )
    return out


def ppc_checks(
    idata,
    *,
    band: tuple[float, float] = DEFAULT_BAND,
    adjust: str = "bonferroni",
    deciles: int = 10,
    quintiles: int = 5,
    source: str = "fit",
    cohort=None,
) -> PPCResult:
    """Run every posterior predictive check on a fit.

    Parameters
    ----------
    idata : arviz.InferenceData
        A fit with ``observed_data.<outcome>``, ``posterior_predictive.mu`` and ``constant_data``.
    band : (float, float)
        Family-wise band for the p-values (see module docstring).
    adjust : {"bonferroni", "none"}
        Multiplicity adjustment of the band.
    deciles, quintiles : int
        Number of predicted-risk groups and exposure groups.
    source : str
        Name used in error messages (the fit file path).
    cohort : xarray.Dataset, optional
        The fitted cohort: supplies grouping variables the fit does not store (e.g. an
        exposure the model leaves out). Must hold the fit's participants in its order.

    Returns
    -------
    PPCResult
    """
    band = validate_band(band)
    if adjust not in ADJUSTMENTS:
        raise BayesWalkError(f"unknown adjustment '{adjust}'; choose one of {ADJUSTMENTS}")
    data = predictive_data(idata, source=source)
    if cohort is not None:
        check_cohort_matches(data, cohort, source)
    groupings = all_groupings(idata, data.mu, deciles=deciles, quintiles=quintiles, cohort=cohort)
    raw = _raw_checks(data, groupings)
    each = per_check_band(band, len(raw), adjust)
    checks = [Check(**r, band=each, passed=bool(each[0] <= r["p_value"] <= each[1])) for r in raw]
    return PPCResult(checks, band, adjust, data.likelihood, reported_statistics(data))


def check_cohort_matches(data: PredictiveData, cohort, source: str) -> None:
    """The cohort must hold the fit's participants, in order, with the same outcome."""
    ids = np.asarray(cohort["participant"].values).astype(str)
    fit_ids = np.asarray(data.participant).astype(str)
    where = cohort.encoding.get("source", "the cohort")
    if ids.shape != fit_ids.shape or not np.array_equal(ids, fit_ids):
        bad = (
            fit_ids[: min(len(fit_ids), 5)]
            if ids.shape != fit_ids.shape
            else fit_ids[ids != fit_ids][:5]
        )
        raise BayesWalkError(
            f"{where}: participants differ from those of the fit {source} "
            f"({ids.size} vs {fit_ids.size}; first differing ids: {', '.join(bad)}); "
            "give the cohort file the model was fitted to"
        )
    outcome = data.outcome
    y = np.asarray(cohort[outcome].values, dtype=np.float64) if outcome in cohort else None
    if y is not None and not np.array_equal(y, data.y):
        diff = fit_ids[y != data.y][:5]
        raise BayesWalkError(
            f"{where}: column '{outcome}' differs from the fit's observed outcome "
            f"[participant ids: {', '.join(diff)}]; give the cohort file the model was fitted to"
        )


def format_table(result: PPCResult) -> str:
    """Plain-text report of a :class:`PPCResult`."""
    lo, hi = result.checks[0].band if result.checks else result.band
    lines = [
        f"Posterior predictive checks ({result.likelihood} likelihood, {len(result.checks)} "
        f"checks; family-wise band [{result.band[0]:g}, {result.band[1]:g}], "
        f"{result.adjust} -> each check [{lo:.2g}, {hi:.6g}])",
        f"{'check':<52} {'n':>7} {'observed':>9} {'expected':>9} {'p':>8}  ",
    ]
    for c in result.checks:
        flag = "ok" if c.passed else "FAIL"
        lines.append(
            f"{c.name[:52]:<52} {c.n:>7d} {c.observed:>9.4f} {c.expected:>9.4f} "
            f"{c.p_value:>8.4f}  {flag}"
        )
    for key, value in result.reported.items():
        lines.append(f"reported: {key} = {value:.4g}")
    verdict = "PASSED" if result.passed else f"FAILED ({len(result.failed)} checks outside band)"
    lines.append(f"ppc: {verdict}")
    return "\n".join(lines)
