"""Per-task estimands of a sweep: a step-function form (categorical, joint) gets its RR and
category rows and no plateau row, instead of failing the task."""

import pytest
from _helpers_model import toy_cohort

from bayes_walk.inference.fit import fit
from bayes_walk.spec.model_spec import load_spec
from bayes_walk.sweep.fitting import task_estimands

ESTIMANDS = {"exposure": "walking_min", "rr_at": [100, 125], "near": 100, "within": 10}


@pytest.mark.parametrize(
    "name, plateau", [("joint", False), ("quartiles", False), ("linear", True)]
)
def test_plateau_row_only_for_curve_forms(name, plateau):
    idata = fit(
        load_spec(name), toy_cohort(n=400, seed=2), chains=1, draws=50, tune=50, progress=False
    )
    rows = task_estimands(idata, ESTIMANDS)
    kinds = [r["estimand"] for r in rows]
    assert ("plateau" in kinds) is plateau
    assert kinds.count("rr") == 2 or name != "linear"
