"""Simulation-based calibration (SBC): is the posterior computed correctly for the prior?

For replicate ``r``: draw parameters from the prior, simulate an outcome, fit the model to
it, and record the rank of the true value of each quantity among ``L`` (thinned)
posterior draws. When simulator, model and sampler agree, every rank is uniform on
``0..L`` (Talts et al. 2018). Uniformity is tested two ways per quantity:

- the ECDF of the fractional ranks ``(rank + 1) / (L + 1)`` must stay inside a
  simultaneous confidence band (Säilynoja, Bürkner & Vehtari 2022; ArviZ's
  ``ecdf_confidence_band``, evaluated where the discrete uniform CDF is exact);
- a chi-square test of the rank histogram (``bins`` equal bins).

Both tests of all ``Q`` quantities share a family-wise ``alpha`` (Bonferroni over
``2 Q`` tests), so a correct model fails with probability at most ``alpha``.

The fitting side is a :class:`SBCSetup`: :class:`PymcSBC` compiles a PyMC model once with
nutpie and swaps each simulated outcome in with ``CompiledModel.with_data`` (the outcome
must be a ``pm.Data``), so a replicate costs one sampler run and no compilation.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pandas as pd
import xarray as xr
from scipy import stats

Quantity = Callable[[xr.Dataset], xr.DataArray]


def var(name: str, **sel) -> Quantity:
    """A quantity: variable ``name`` of a posterior/prior Dataset, at coordinates ``sel``
    (the nearest value of a numeric coordinate; a label exactly)."""

    def get(ds: xr.Dataset) -> xr.DataArray:
        da = ds[name]
        if not sel:
            return da
        exact = {k: v for k, v in sel.items() if isinstance(v, str)}
        near = {k: v for k, v in sel.items() if not isinstance(v, str)}
        da = da.sel(exact) if exact else da
        return da.sel(near, method="nearest") if near else da

    get.__name__ = name
    return get


@dataclass(frozen=True)
class Replicate:
    """One prior draw: the true value of each quantity and the data simulated from it."""

    truth: dict[str, float]
    data: dict[str, np.ndarray]


@dataclass(frozen=True)
class Posterior:
    """Posterior draws of each quantity (1-D, chains concatenated) and sampler diagnostics."""

    draws: dict[str, np.ndarray]
    divergences: int = 0


class SBCSetup(Protocol):
    """What :func:`run_sbc` needs: a prior simulator and a posterior sampler."""

    quantities: tuple[str, ...]

    def simulate(self, n: int, seed: int) -> list[Replicate]: ...

    def posterior(self, data: Mapping[str, np.ndarray], seed: int) -> Posterior: ...


def rank_of_truth(draws: np.ndarray, truth: float, max_rank: int, rng: np.random.Generator) -> int:
    """Rank of ``truth`` among ``max_rank`` evenly thinned draws; ties broken at random.

    Thinning to ``max_rank`` draws (fewer than the sampler returns) reduces autocorrelation,
    which would otherwise make ranks of a correct model non-uniform.
    """
    draws = np.asarray(draws, dtype=np.float64).ravel()
    if draws.size < max_rank:
        raise ValueError(f"need at least {max_rank} posterior draws, got {draws.size}")
    idx = np.round(np.linspace(0, draws.size - 1, max_rank)).astype(int)
    kept = draws[idx]
    below = int(np.sum(kept < truth))
    ties = int(np.sum(kept == truth))
    return below + (int(rng.integers(0, ties + 1)) if ties else 0)


def chi2_uniformity(ranks: np.ndarray, max_rank: int, bins: int) -> float:
    """Chi-square p-value of the rank histogram against uniform on ``0..max_rank``."""
    ranks = np.asarray(ranks)
    edges = np.linspace(0, max_rank + 1, bins + 1)
    counts, _ = np.histogram(ranks, bins=edges)
    expected = ranks.size * np.diff(edges) / (max_rank + 1)
    return float(stats.chisquare(counts, expected).pvalue)


def ecdf_band(n: int, max_rank: int, prob: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Evaluation points and simultaneous ``prob`` band for the ECDF of ``n`` ranks.

    The points ``j / (max_rank + 1)`` are where the discrete uniform CDF of the fractional
    ranks equals the continuous one exactly.
    """
    from arviz.stats.ecdf_utils import ecdf_confidence_band

    z = np.arange(1, max_rank + 1) / (max_rank + 1)
    lo, hi = ecdf_confidence_band(n, z, z, prob=prob, method="optimized")
    return z, lo, hi


def fractional_ranks(ranks: np.ndarray, max_rank: int) -> np.ndarray:
    """``(rank + 1) / (max_rank + 1)``: uniform ranks map to a discrete uniform on (0, 1]."""
    return (np.asarray(ranks, dtype=np.float64) + 1.0) / (max_rank + 1)


def ecdf_inside(ranks: np.ndarray, max_rank: int, prob: float) -> tuple[bool, float]:
    """Whether the rank ECDF stays in the simultaneous band; also its largest excursion."""
    z, lo, hi = ecdf_band(len(ranks), max_rank, prob)
    u = fractional_ranks(ranks, max_rank)
    ecdf = (u[None, :] <= z[:, None] + 1e-12).mean(axis=1)
    inside = bool(np.all((ecdf >= lo - 1e-12) & (ecdf <= hi + 1e-12)))
    return inside, float(np.max(np.abs(ecdf - z)))


@dataclass(frozen=True)
class SBCResult:
    """Ranks of the truth per replicate and quantity, with the uniformity tests."""

    ranks: xr.DataArray
    truths: xr.DataArray
    divergences: xr.DataArray
    max_rank: int
    alpha: float = 0.01
    bins: int = 10
    seconds: float = 0.0
    meta: dict = field(default_factory=dict)

    @property
    def quantities(self) -> list[str]:
        return [str(q) for q in self.ranks["quantity"].values]

    def uniformity(self) -> pd.DataFrame:
        """Per quantity: chi-square p, ECDF-band verdict, largest ECDF excursion, passed."""
        q = len(self.quantities)
        alpha_each = self.alpha / (2 * q)
        rows = []
        for name in self.quantities:
            r = self.ranks.sel(quantity=name).values
            p = chi2_uniformity(r, self.max_rank, self.bins)
            inside, excursion = ecdf_inside(r, self.max_rank, 1.0 - alpha_each)
            rows.append(
                {
                    "quantity": name,
                    "replicates": int(r.size),
                    "chi2_p": p,
                    "ecdf_inside_band": inside,
                    "max_ecdf_diff": excursion,
                    "mean_fractional_rank": float(fractional_ranks(r, self.max_rank).mean()),
                    "passed": bool(inside and p >= alpha_each),
                }
            )
        return pd.DataFrame(rows)

    @property
    def passed(self) -> bool:
        return bool(self.uniformity()["passed"].all())

    def to_dict(self) -> dict:
        """JSON-ready summary (ranks included)."""
        table = self.uniformity()
        return {
            "passed": bool(table["passed"].all()),
            "alpha": self.alpha,
            "max_rank": self.max_rank,
            "replicates": int(self.ranks.sizes["replicate"]),
            "seconds": self.seconds,
            "divergent_replicates": int((self.divergences.values > 0).sum()),
            "quantities": table.to_dict(orient="records"),
            "ranks": {q: self.ranks.sel(quantity=q).values.tolist() for q in self.quantities},
            "meta": self.meta,
        }


def run_sbc(
    setup: SBCSetup,
    *,
    replicates: int = 100,
    max_rank: int = 99,
    seed: int = 0,
    alpha: float = 0.01,
    bins: int = 10,
    progress: bool = True,
    meta: dict | None = None,
) -> SBCResult:
    """Run SBC: prior draw -> simulated outcome -> fit -> rank of the truth.

    Parameters
    ----------
    setup : SBCSetup
        Prior simulator and posterior sampler (e.g. :class:`PymcSBC`).
    replicates : int
        Number of simulated data sets.
    max_rank : int
        ``L``: thinned posterior draws per replicate (ranks lie in ``0..L``); ``L + 1``
        should be a multiple of ``bins``.
    seed : int
        Seeds the prior draws, the samplers (``seed + 1 + r``) and tie-breaking.
    alpha : float
        Family-wise level of the uniformity tests.
    bins : int
        Histogram bins of the chi-square test.
    progress : bool
        Print one progress line per 10 replicates on stderr.

    Returns
    -------
    SBCResult
    """
    start = time.perf_counter()
    rng = np.random.default_rng(seed)
    reps = setup.simulate(replicates, seed)
    names = list(setup.quantities)
    ranks = np.zeros((replicates, len(names)), dtype=np.int64)
    truths = np.zeros((replicates, len(names)))
    div = np.zeros(replicates, dtype=np.int64)
    for r, rep in enumerate(reps):
        post = setup.posterior(rep.data, seed + 1 + r)
        div[r] = post.divergences
        for j, name in enumerate(names):
            truths[r, j] = rep.truth[name]
            ranks[r, j] = rank_of_truth(post.draws[name], rep.truth[name], max_rank, rng)
        if progress and ((r + 1) % 10 == 0 or r + 1 == replicates):
            el = time.perf_counter() - start
            print(f"sbc: {r + 1}/{replicates} replicates ({el:.0f} s)", file=sys.stderr)
    coords = {"replicate": np.arange(replicates), "quantity": names}
    return SBCResult(
        ranks=xr.DataArray(ranks, dims=("replicate", "quantity"), coords=coords),
        truths=xr.DataArray(truths, dims=("replicate", "quantity"), coords=coords),
        divergences=xr.DataArray(
            div, dims=("replicate",), coords={"replicate": coords["replicate"]}
        ),
        max_rank=max_rank,
        alpha=alpha,
        bins=bins,
        seconds=time.perf_counter() - start,
        meta=dict(meta or {}),
    )
