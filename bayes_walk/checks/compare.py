"""Compare fits of the same cohort by PSIS-LOO (``az.loo`` / ``az.compare``).

Works with fits from every sampler because ``log_likelihood.<outcome>`` is always stored.
Fits of different data cannot be compared: their ``cohort_hash`` attrs must agree.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass

import numpy as np

from bayes_walk.checks.fitdata import require
from bayes_walk.errors import BayesWalkError
from bayes_walk.fitmeta import attr as fit_attr
from bayes_walk.fitmeta import model_name, outcome_of


class CompareError(BayesWalkError):
    """Fits that cannot be compared (different data, too few fits)."""


@dataclass(frozen=True)
class Ranked:
    """One row of the LOO ranking (best first)."""

    model: str
    elpd_loo: float
    se: float
    elpd_diff: float
    dse: float
    weight: float
    p_loo: float
    pareto_k_bad: int
    pareto_k_threshold: float
    n_observations: int


def _unique_names(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return out


def check_same_data(fits: dict[str, object]) -> None:
    """Raise :class:`CompareError` unless all fits carry the same ``cohort_hash`` and size."""
    hashes = {name: fit_attr(idata, "cohort_hash") for name, idata in fits.items()}
    missing = [n for n, h in hashes.items() if not h]
    if missing:
        raise CompareError(
            f"cannot tell which data {', '.join(missing)} was fitted to (no cohort_hash attr); "
            "refit with `bayes-walk fit`"
        )
    if len(set(hashes.values())) > 1:
        listing = "; ".join(f"{n}: {h}" for n, h in hashes.items())
        raise CompareError(
            "fits of different data cannot be compared by LOO (cohort_hash differs: "
            f"{listing}); fit every model to the same cohort file"
        )
    sizes = {
        n: idata.log_likelihood[outcome_of(idata)].sizes.get("participant")
        for n, idata in fits.items()
    }
    if len(set(sizes.values())) > 1:
        raise CompareError(f"fits have different numbers of participants: {sizes}")


def compare_fits(
    fits: dict[str, object] | list[object], *, names: list[str] | None = None
) -> list[Ranked]:
    """Rank fits by expected log predictive density (PSIS-LOO), best first.

    Parameters
    ----------
    fits : dict of name -> InferenceData, or list of InferenceData
        Fits of the same cohort. With a list, names come from ``names`` or the stored
        ``spec_name`` (made unique).
    names : list of str, optional
        Display names for a list of fits.

    Returns
    -------
    list of Ranked
        ``elpd_diff``/``dse`` are relative to the best model; ``weight`` are stacking
        weights; ``pareto_k_bad`` counts observations whose Pareto k exceeds
        ``pareto_k_threshold`` = min(1 - 1/log10(S), 0.7) (unreliable LOO).

    Raises
    ------
    CompareError
        Fewer than two fits, or fits of different data.
    """
    import arviz as az

    if not isinstance(fits, dict):
        fits = list(fits)
        given = names or [model_name(f, f"model{i + 1}") for i, f in enumerate(fits)]
        fits = dict(zip(_unique_names(given), fits, strict=True))
    if len(fits) < 2:
        raise CompareError("compare needs at least two fits")
    for name, idata in fits.items():
        require(
            idata, "log_likelihood", outcome_of(idata), source=name, why="pointwise log-likelihood"
        )
    check_same_data(fits)
    loos = {}
    with warnings.catch_warnings():
        # Pareto-k problems are reported per model in plain words instead.
        warnings.simplefilter("ignore", UserWarning)
        # ArviZ 0.23 uses a pandas keyword that pandas 3 deprecates; nothing to act on.
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        for name, idata in fits.items():
            loos[name] = az.loo(idata, pointwise=True, var_name=outcome_of(idata))
        table = az.compare(loos, ic="loo", method="stacking")
    elpd_col = "elpd_loo" if "elpd_loo" in table.columns else "elpd"
    p_col = "p_loo" if "p_loo" in table.columns else "p"
    ranked = []
    for name, row in table.iterrows():
        loo = loos[name]
        k = np.asarray(loo.pareto_k).ravel()
        threshold = float(getattr(loo, "good_k", 0.7))
        ranked.append(
            Ranked(
                model=str(name),
                elpd_loo=float(row[elpd_col]),
                se=float(row["se"]),
                elpd_diff=float(row["elpd_diff"]),
                dse=float(row["dse"]),
                weight=float(row["weight"]),
                p_loo=float(row[p_col]),
                pareto_k_bad=int(np.sum(k > threshold)),
                pareto_k_threshold=threshold,
                n_observations=int(k.size),
            )
        )
    return ranked


def to_json(ranked: list[Ranked]) -> dict:
    """The ``compare`` JSON object (DESIGN "JSON output" plus extra keys)."""
    return {"ranking": [asdict(r) for r in ranked]}


def pareto_warnings(ranked: list[Ranked]) -> list[str]:
    """Plain-words warnings about unreliable LOO estimates."""
    out = []
    for r in ranked:
        if r.pareto_k_bad:
            out.append(
                f"{r.model}: for {r.pareto_k_bad} of {r.n_observations} participants the "
                f"leave-one-out estimate is unreliable (Pareto k > {r.pareto_k_threshold:.2f}): "
                "those participants strongly influence the fit, so this model's elpd_loo "
                "may be off; more posterior draws or a more robust model would help"
            )
    return out


def format_table(ranked: list[Ranked]) -> str:
    """Plain-text ranking with a verdict on the top two models."""
    lines = [
        f"{'model':<24} {'elpd_loo':>11} {'se':>8} {'elpd_diff':>10} {'dse':>8} "
        f"{'weight':>7} {'p_loo':>7} {'k bad':>6}"
    ]
    for r in ranked:
        lines.append(
            f"{r.model[:24]:<24} {r.elpd_loo:>11.1f} {r.se:>8.1f} {r.elpd_diff:>10.1f} "
            f"{r.dse:>8.1f} {r.weight:>7.3f} {r.p_loo:>7.1f} {r.pareto_k_bad:>6d}"
        )
    if len(ranked) >= 2:
        second = ranked[1]
        if second.dse > 0:
            ratio = second.elpd_diff / second.dse
        else:
            ratio = np.inf if second.elpd_diff > 0 else 0.0
        strength = "clearly" if ratio > 4 else "somewhat" if ratio > 2 else "not clearly"
        lines.append(
            f"{ranked[0].model} predicts {strength} better than {second.model} "
            f"(elpd difference {second.elpd_diff:.1f}, SE {second.dse:.1f})"
        )
    lines.extend(f"warning: {w}" for w in pareto_warnings(ranked))
    return "\n".join(lines)
