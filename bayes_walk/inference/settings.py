"""Sampler settings of one fit: the spec's ``[sampler]`` table with the caller's overrides."""

from __future__ import annotations

from dataclasses import dataclass

from bayes_walk.errors import SpecError


@dataclass(frozen=True)
class SamplerSettings:
    """Resolved and checked sampler settings."""

    backend: str
    chains: int
    draws: int
    tune: int
    seed: int
    target_accept: float

    @classmethod
    def resolve(
        cls,
        spec,
        *,
        draws: int | None = None,
        tune: int | None = None,
        chains: int | None = None,
        sampler: str | None = None,
        seed: int | None = None,
        target_accept: float | None = None,
    ) -> SamplerSettings:
        """The spec's settings, each replaced by its override when that is not None.

        Raises
        ------
        SpecError
            Unknown backend (not in the sampler registry), or a count that is not an
            integer within range.
        """
        from bayes_walk.inference.samplers.registry import get_sampler

        s = spec.sampler
        out = cls(
            backend=s.backend if sampler is None else sampler,
            chains=s.chains if chains is None else chains,
            draws=s.draws if draws is None else draws,
            tune=s.tune if tune is None else tune,
            seed=s.seed if seed is None else seed,
            target_accept=s.target_accept if target_accept is None else target_accept,
        )
        get_sampler(out.backend)
        for what, v, lo in (
            ("draws", out.draws, 1),
            ("chains", out.chains, 1),
            ("tune", out.tune, 0),
            ("seed", out.seed, 0),
        ):
            if isinstance(v, bool) or int(v) != v or v < lo:
                raise SpecError(f"{what} must be an integer >= {lo}, got {v!r}")
        if not 0 < float(out.target_accept) < 1:
            raise SpecError(f"target_accept must lie in (0, 1), got {out.target_accept!r}")
        return out
