"""The calibration study's summary (scripts/plateau_calibration.py) on hand-made fit rows."""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from plateau_calibration import auc, cells, parse_label, true_onset  # noqa: E402


def test_labels_give_truth_size_and_seed():
    assert parse_label("sim-plateau100-n11194-s3") == ("plateau:100", 11194, 3)
    assert parse_label("sim-smooth100-n50000-s10") == ("smooth:100", 50000, 10)
    assert parse_label("sim-u_shape-n11194-s1") == ("u_shape", 11194, 1)
    assert parse_label("sim-linear-n11194-s2") == ("linear", 11194, 2)
    with pytest.raises(ValueError):
        parse_label("my_cohort")


def test_true_onsets():
    assert true_onset("plateau:100") == pytest.approx(96.5, abs=0.5)
    assert true_onset("smooth:100") == pytest.approx(100.0, abs=0.5)
    assert true_onset("linear") == np.inf


def _rows(truth, p, med, lo, hi, clean=True):
    return [
        dict(
            truth=truth,
            n=1000,
            seed=i,
            model="m",
            p_near=pi,
            onset_median=m,
            onset_lo=a,
            onset_hi=b,
            clean=clean,
        )
        for i, (pi, m, a, b) in enumerate(zip(p, med, lo, hi, strict=True))
    ]


def test_cells_bias_coverage_and_auc():
    x = true_onset("plateau:100")
    fits = pd.DataFrame(
        _rows(
            "plateau:100",
            [0.9, 0.6, 0.3],
            [x + 4, x - 2, np.inf],
            [x - 5, x + 1, 80],
            [x + 9, x + 8, np.inf],
        )
        + _rows(
            "linear",
            [0.1, 0.6, 0.0],
            [np.inf, 150, np.inf],
            [120, 100, np.inf],
            [np.inf, 190, np.inf],
            clean=False,
        )
    )
    t = cells(fits).set_index("truth")
    assert t.loc["plateau:100", "onset_bias"] == pytest.approx(1.0)  # (4 - 2) / 2 finite
    assert t.loc["plateau:100", "finite_medians"] == 2
    # the second interval starts above the truth; the third reaches "no plateau" from 80
    assert t.loc["plateau:100", "coverage90"] == pytest.approx(2 / 3)
    # no plateau in range: covered when the interval reaches "no plateau"
    assert t.loc["linear", "coverage90"] == pytest.approx(2 / 3)
    assert t.loc["linear", "clean_share"] == 0 and t.loc["plateau:100", "clean_share"] == 1
    assert t.loc["plateau:100", "mean_p_near"] == pytest.approx(0.6)
    a = auc(fits)
    # pairs (target > other): 0.9 beats all 3, 0.6 beats 2 and ties 1, 0.3 beats 2
    assert a["auc"].iloc[0] == pytest.approx((3 + 2.5 + 2) / 9)
