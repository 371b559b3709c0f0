"""Small tables for the fault-injection suite."""

from __future__ import annotations

import numpy as np
import pandas as pd


def participants_only(n: int, seed: int = 0) -> pd.DataFrame:
    """A participants-only table: id, outcome, exposures and age (``--require ''``)."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "participant_id": [f"P{i:05d}" for i in range(1, n + 1)],
            "clbp": (rng.uniform(size=n) < 0.2).astype(int),
            "walking_min": np.round(rng.uniform(10, 200, n), 2),
            "walking_mets": np.round(rng.uniform(2.8, 4.8, n), 3),
            "age": rng.integers(20, 90, n).astype(float),
        }
    )
