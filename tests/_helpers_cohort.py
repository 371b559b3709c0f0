"""Small hand-made cohort tables for the cohort import tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from bayes_walk.cohort.schema import ACTIVITIES, paper_levels


def participants_frame(n: int = 12, seed: int = 0) -> pd.DataFrame:
    """Participants with every paper covariate as labels; ids P01.. as text."""
    rng = np.random.default_rng(seed)
    lv = paper_levels()
    df = pd.DataFrame(
        {
            "participant_id": [f"P{i:02d}" for i in range(1, n + 1)],
            "clbp": np.tile([0, 1, 0], n)[:n],
            "age": rng.integers(20, 90, n).astype(float),
            "followup_years": np.round(rng.uniform(3.5, 5.0, n), 2),
            "municipality": rng.choice(["5001", "5006", "5025"], n),
        }
    )
    for name, levels in lv.items():
        df[name] = [levels[i % len(levels)] for i in range(n)]
    return df


def daily_long(ids: list[str], days: int = 7, seed: int = 0) -> pd.DataFrame:
    """Seconds per class per day; every day valid (all posture and walk classes > 0)."""
    rng = np.random.default_rng(seed)
    rows = len(ids) * days
    base = {
        "lying": 28_000,
        "sitting": 30_000,
        "standing": 12_000,
        "walk_slow": 2_400,
        "walk_moderate": 2_400,
        "walk_brisk": 1_200,
        "running": 60,
        "cycling": 300,
    }
    df = pd.DataFrame(
        {
            "participant_id": np.repeat(ids, days),
            "day": np.tile(np.arange(1, days + 1), len(ids)),
        }
    )
    for cls in ACTIVITIES:
        df[cls] = np.round(base[cls] * rng.uniform(0.8, 1.1, rows))
    return df


def write(df: pd.DataFrame, path: Path) -> Path:
    """Write ``df`` as CSV or Parquet by the suffix of ``path``."""
    if path.suffix == ".parquet":
        df.to_parquet(path, index=False)
    else:
        df.to_csv(path, index=False)
    return path
