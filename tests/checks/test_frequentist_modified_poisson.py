"""Modified Poisson (robust-variance Poisson GLM) checked against a direct computation."""

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from bayes_walk.checks.frequentist import (
    COLUMNS,
    covariate_design,
    modified_poisson,
    modified_poisson_curve,
    modified_poisson_joint,
    rcs_basis,
)
from bayes_walk.cohort import schema
from bayes_walk.cohort.quartiles import categorize, quartile_cuts
from bayes_walk.cohort.simulate import simulate_cohort
from bayes_walk.errors import CohortError


@pytest.fixture(scope="module")
def small():
    return simulate_cohort(n=3000, seed=11, keep_daily=False)


def _direct(X: np.ndarray, y: np.ndarray):
    """Newton-Raphson Poisson MLE and the HC0 sandwich, written out by hand."""
    beta = np.zeros(X.shape[1])
    beta[0] = np.log(y.mean())
    for _ in range(50):
        mu = np.exp(X @ beta)
        beta += np.linalg.solve(X.T @ (X * mu[:, None]), X.T @ (y - mu))
    mu = np.exp(X @ beta)
    bread = np.linalg.inv(X.T @ (X * mu[:, None]))
    meat = X.T @ (X * ((y - mu) ** 2)[:, None])
    return beta, np.sqrt(np.diag(bread @ meat @ bread))


def test_matches_hand_computed_sandwich(small):
    out = modified_poisson(small, "walking_min", other="linear")
    x = small["walking_min"].values
    codes = np.asarray(categorize(x, quartile_cuts(x)).codes)
    cov = covariate_design(small, schema.PAPER_ADJUST).to_numpy()
    X = np.column_stack(
        [np.ones(x.size), *[(codes == j).astype(float) for j in (1, 2, 3)],
         small["walking_mets"].values, cov]
    )  # fmt: skip
    y = small["clbp"].values.astype(float)
    beta, se = _direct(X, y)
    np.testing.assert_allclose(out["rr"].to_numpy()[1:], np.exp(beta[1:4]), rtol=1e-6)
    np.testing.assert_allclose(
        out["lo"].to_numpy()[1:], np.exp(beta[1:4] - 1.959964 * se[1:4]), rtol=1e-5
    )
    np.testing.assert_allclose(
        out["hi"].to_numpy()[1:], np.exp(beta[1:4] + 1.959964 * se[1:4]), rtol=1e-5
    )


def test_matches_gee_independence(small):
    import statsmodels.api as sm

    out = modified_poisson(small, "walking_mets", other="none", adjust=["age", "sex"])
    x = small["walking_mets"].values
    codes = np.asarray(categorize(x, quartile_cuts(x)).codes)
    X = np.column_stack(
        [np.ones(x.size), *[(codes == j).astype(float) for j in (1, 2, 3)],
         small["age"].values, (small["sex"].values == 1).astype(float)]
    )  # fmt: skip
    y = small["clbp"].values.astype(float)
    gee = sm.GEE(y, X, groups=np.arange(y.size), family=sm.families.Poisson(),
                 cov_struct=sm.cov_struct.Independence()).fit()  # fmt: skip
    np.testing.assert_allclose(out["rr"].to_numpy()[1:], np.exp(gee.params[1:4]), rtol=1e-5)
    ci = np.exp(gee.params[1:4] + np.outer([-1, 1], 1.959964 * gee.bse[1:4]))
    np.testing.assert_allclose(out[["lo", "hi"]].to_numpy()[1:].T, ci, rtol=1e-4)


def test_table_layout_counts_and_reference(small):
    out = modified_poisson(small, "walking_mets")
    assert list(out.columns) == COLUMNS
    assert out["category"].tolist()[0].startswith("<")
    assert out.loc[0, "rr"] == 1.0 and np.isnan(out.loc[0, "lo"]) and np.isnan(out.loc[0, "hi"])
    assert out["n"].sum() == small.sizes["participant"]
    assert out["cases"].sum() == int(small["clbp"].sum())
    x = small["walking_mets"].values
    cats = categorize(x, quartile_cuts(x))
    counts = pd.crosstab(np.asarray(cats.codes), small["clbp"].values)
    assert out["cases"].tolist() == counts[1].tolist()
    assert (out["lo"][1:] < out["rr"][1:]).all() and (out["rr"][1:] < out["hi"][1:]).all()
    assert out.attrs["n"] == small.sizes["participant"]
    assert len(out.attrs["cuts"]) == 3


def test_given_cuts_and_paper_labels(small):
    out = modified_poisson(small, "walking_min", cuts=[78, 100, 124])
    assert out["category"].tolist() == ["<78", "78-100", "101-124", ">=125"]
    out = modified_poisson(small, "walking_mets", cuts=[3.0, 3.11, 3.26])
    assert out["category"].tolist() == ["<3.00", "3.00-3.11", "3.12-3.26", ">=3.27"]


def test_rcs3_other_changes_estimates_but_not_layout(small):
    lin = modified_poisson(small, "walking_min", other="linear")
    rcs = modified_poisson(small, "walking_min", other="rcs3")
    assert list(rcs.columns) == COLUMNS
    assert not np.allclose(lin["rr"][1:], rcs["rr"][1:])


def test_rcs_basis_is_linear_beyond_outer_knots():
    knots = [1.0, 2.0, 4.0]
    x = np.linspace(4.0, 10.0, 50)
    b = rcs_basis(x, knots)[:, 0]
    np.testing.assert_allclose(np.diff(b, 2), 0.0, atol=1e-9)
    assert np.all(rcs_basis(np.array([0.0, 1.0]), knots) == 0)


def test_complete_cases_drop_missing_covariates(small):
    ds = small.copy()
    inc = ds["income"].values.copy()
    inc[:25] = -1
    ds["income"] = ds["income"].copy(data=inc)
    out = modified_poisson(ds, "walking_min")
    assert out.attrs["n"] == small.sizes["participant"] - 25


def test_joint_table_has_16_cells_with_lowest_lowest_reference(small):
    out = modified_poisson_joint(small)
    assert len(out) == 16
    assert out.loc[0, "rr"] == 1.0
    assert out.loc[0, "walking_min"].startswith("<") and out.loc[0, "walking_mets"].startswith("<")
    assert out["n"].sum() == small.sizes["participant"]
    assert out["cases"].sum() == int(small["clbp"].sum())
    assert out["rr"][1:].notna().all()
    assert out["category"].is_unique


def test_outcome_not_binary_names_column_and_ids(small):
    ds = small.copy()
    y = ds["clbp"].values.astype(np.int8).copy()
    y[[3, 7]] = 2
    ds["clbp"] = xr.DataArray(y, dims="participant")
    with pytest.raises(CohortError) as exc:
        modified_poisson(ds)
    msg = str(exc.value)
    assert "clbp" in msg and "0 or 1" in msg
    assert str(ds["participant"].values[3]) in msg


def test_unknown_covariate_and_bad_other(small):
    # not a column of the cohort (the simulator has bmi since the sensitivity analyses)
    with pytest.raises(CohortError, match="waist_cm"):
        modified_poisson(small, adjust=["age", "waist_cm"])
    with pytest.raises(CohortError, match="other"):
        modified_poisson(small, other="quadratic")
    with pytest.raises(CohortError, match="steps"):
        modified_poisson(small, exposure="steps")


def test_category_without_cases_is_reported_not_estimable(small):
    ds = small.copy()
    x = ds["walking_min"].values
    y = ds["clbp"].values.copy()
    y[x >= quartile_cuts(x)[2]] = 0  # no case in the top quartile
    ds["clbp"] = ds["clbp"].copy(data=y)
    out = modified_poisson(ds, "walking_min")
    assert out.loc[3, "cases"] == 0 and out.loc[3, "n"] > 0
    assert np.isnan(out.loc[3, "rr"]) and np.isnan(out.loc[3, "lo"])
    assert out["rr"][1:3].notna().all()


def test_spline_curve_matches_a_direct_fit_and_is_1_at_the_reference(small):
    import statsmodels.api as sm

    out = modified_poisson_curve(small, "walking_min", adjust=["age", "sex"], other="none")
    x = small["walking_min"].values
    knots = np.percentile(x, [10, 50, 90])
    assert out.attrs["knots"] == pytest.approx(knots.tolist())
    assert out.attrs["reference"] == pytest.approx(knots[0])
    X = sm.add_constant(
        np.column_stack([x, rcs_basis(x, knots)[:, 0], small["age"].values, small["sex"].values])
    )
    res = sm.GLM(small["clbp"].values.astype(float), X, family=sm.families.Poisson()).fit(
        cov_type="HC0"
    )
    at = out["x"].to_numpy()
    d = np.column_stack(
        [at - knots[0], rcs_basis(at, knots)[:, 0] - rcs_basis([knots[0]], knots)[0, 0]]
    )
    np.testing.assert_allclose(out["rr"], np.exp(d @ res.params[1:3]), rtol=1e-6)
    se = np.sqrt(np.einsum("ij,jk,ik->i", d, res.cov_params()[1:3, 1:3], d))
    np.testing.assert_allclose(out["hi"], np.exp(d @ res.params[1:3] + 1.959964 * se), rtol=1e-5)
    at_ref = modified_poisson_curve(small, "walking_min", at=[knots[0], 100.0], other="rcs3")
    assert at_ref.loc[0, "rr"] == pytest.approx(1.0) and at_ref.loc[0, "lo"] == pytest.approx(1.0)
    assert list(at_ref.columns) == ["exposure", "x", "rr", "lo", "hi"]
