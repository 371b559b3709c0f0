"""The paper's frequentist analysis: modified Poisson regression for exposure categories.

Modified Poisson (Zou 2004): a Poisson GLM with log link fitted to the 0/1 outcome, with
robust (sandwich, HC0) standard errors, so that ``exp(beta)`` are risk ratios with valid
95% confidence intervals. Categorical covariates enter as dummies with their first level
as reference; ``age`` and other numeric covariates enter linearly.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from bayes_walk.cohort import schema
from bayes_walk.cohort.quartiles import categorize, quartile_cuts, quartile_labels
from bayes_walk.errors import CohortError

PAPER_ADJUST: tuple[str, ...] = schema.PAPER_ADJUST
OTHER_FORMS = ("linear", "none", "rcs3")
Z95 = 1.959963984540054
COLUMNS = ["exposure", "category", "n", "cases", "rr", "lo", "hi"]
_DECIMALS = {"walking_min": 0, "walking_mets": 2}


def _source(ds: xr.Dataset) -> str:
    return str(ds.attrs.get("source", "cohort"))


def _require(ds: xr.Dataset, names: Sequence[str], what: str) -> None:
    for name in names:
        if name not in ds.variables or ds[name].dims != ("participant",):
            raise CohortError(
                f"{what} '{name}' is not a per-participant variable of the cohort",
                file=_source(ds),
                column=name,
            )


def rcs_basis(x: np.ndarray, knots: Sequence[float]) -> np.ndarray:
    """Restricted cubic spline basis (Harrell), without the linear term.

    For ``k`` knots returns ``k - 2`` columns, each scaled by ``(t_k - t_1)**2``; the
    spline is linear beyond the outer knots.
    """
    t = np.asarray(knots, dtype=np.float64)
    k = t.size
    x = np.asarray(x, dtype=np.float64)

    def cube(v: np.ndarray) -> np.ndarray:
        return np.maximum(v, 0.0) ** 3

    cols = []
    for j in range(k - 2):
        term = (
            cube(x - t[j])
            - cube(x - t[k - 2]) * (t[k - 1] - t[j]) / (t[k - 1] - t[k - 2])
            + cube(x - t[k - 1]) * (t[k - 2] - t[j]) / (t[k - 1] - t[k - 2])
        )
        cols.append(term / (t[k - 1] - t[0]) ** 2)
    return np.column_stack(cols)


def covariate_design(ds: xr.Dataset, adjust: Sequence[str]) -> pd.DataFrame:
    """Adjustment columns: numeric covariates as is, categoricals as first-level-reference dummies.

    Missing values (NaN, categorical code -1) stay missing (NaN in every dummy).
    """
    _require(ds, adjust, "covariate")
    cols: dict[str, np.ndarray] = {}
    for name in adjust:
        if schema.is_categorical(ds, name):
            codes = np.asarray(ds[name].values, dtype=np.int64)
            levels = schema.levels_of(ds, name)
            for j, level in enumerate(levels[1:], start=1):
                col = (codes == j).astype(np.float64)
                col[codes < 0] = np.nan
                cols[f"{name}[{level}]"] = col
        else:
            cols[name] = np.asarray(ds[name].values, dtype=np.float64)
    return pd.DataFrame(cols, index=pd.Index(ds["participant"].values, name="participant"))


def _other_design(ds: xr.Dataset, other_name: str, other: str) -> pd.DataFrame:
    idx = pd.Index(ds["participant"].values, name="participant")
    if other == "none":
        return pd.DataFrame(index=idx)
    x = np.asarray(ds[other_name].values, dtype=np.float64)
    if other == "linear":
        return pd.DataFrame({other_name: x}, index=idx)
    knots = np.nanpercentile(x, [10.0, 50.0, 90.0])
    basis = rcs_basis(x, knots)
    return pd.DataFrame({other_name: x, f"{other_name}_rcs1": basis[:, 0]}, index=idx)


def _outcome(ds: xr.Dataset, outcome: str) -> np.ndarray:
    _require(ds, [outcome], "outcome")
    y = np.asarray(ds[outcome].values, dtype=np.float64)
    bad = np.isfinite(y) & (y != 0) & (y != 1)
    if bad.any():
        ids = ds["participant"].values[bad][:5]
        raise CohortError("outcome must be 0 or 1", file=_source(ds), column=outcome, ids=ids)
    return y


def _fit(y: np.ndarray, X: pd.DataFrame):
    import statsmodels.api as sm
    from threadpoolctl import threadpool_limits

    exog = sm.add_constant(X.to_numpy(dtype=np.float64), has_constant="add")
    model = sm.GLM(y, exog, family=sm.families.Poisson())
    # The IRLS steps are small least-squares problems; multi-threaded BLAS makes them
    # 10-40x slower (thread start-up and spinning), most of all on a busy machine.
    with threadpool_limits(limits=1, user_api="blas"):
        res = model.fit(cov_type="HC0", maxiter=200)
    names = ["const", *X.columns]
    cov = pd.DataFrame(res.cov_params(), index=names, columns=names)
    return pd.Series(res.params, index=names), pd.Series(res.bse, index=names), cov


def _rows(label, cats: pd.Categorical, y, beta, se, prefix: str) -> list[dict]:
    rows = []
    for j, cat in enumerate(cats.categories):
        in_cat = np.asarray(cats.codes) == j
        row = {"exposure": label, "category": str(cat), "n": int(in_cat.sum())}
        row["cases"] = int(np.round(y[in_cat].sum()))
        key = f"{prefix}[{cat}]"
        if j == 0:
            row.update(rr=1.0, lo=np.nan, hi=np.nan)
        elif key in beta.index:
            b, s = float(beta[key]), float(se[key])
            row.update(rr=np.exp(b), lo=np.exp(b - Z95 * s), hi=np.exp(b + Z95 * s))
        else:  # empty category or one without cases: not estimable
            row.update(rr=np.nan, lo=np.nan, hi=np.nan)
        rows.append(row)
    return rows


def _categories(ds, exposure, cuts, mask) -> tuple[pd.Categorical, np.ndarray]:
    x = np.asarray(ds[exposure].values, dtype=np.float64)
    c = quartile_cuts(x[mask]) if cuts is None else np.asarray(cuts, dtype=np.float64)
    labels = quartile_labels(c, _DECIMALS.get(exposure, 2))
    return categorize(x, c, labels), c


def _dummies(cats: pd.Categorical, prefix: str, estimable: np.ndarray) -> pd.DataFrame:
    codes = np.asarray(cats.codes)
    cols = {}
    for j, cat in enumerate(cats.categories):
        if j > 0 and estimable[j]:
            cols[f"{prefix}[{cat}]"] = (codes == j).astype(np.float64)
    return pd.DataFrame(cols)


def _prepare(ds, exposure, adjust, other, outcome):
    """Outcome, exposure, adjustment columns (covariates + other exposure), complete cases."""
    if other not in OTHER_FORMS:
        raise CohortError(f"other must be one of {', '.join(OTHER_FORMS)}, got '{other}'")
    _require(ds, [exposure], "exposure")
    others = [e for e in schema.EXPOSURES if e != exposure] if other != "none" else []
    _require(ds, others, "exposure")
    y = _outcome(ds, outcome)
    cov = covariate_design(ds, adjust)
    if others:
        cov = pd.concat([cov, _other_design(ds, others[0], other)], axis=1)
    x = np.asarray(ds[exposure].values, dtype=np.float64)
    mask = np.isfinite(y) & np.isfinite(x) & cov.notna().all(axis=1).to_numpy()
    if not mask.any():
        raise CohortError("no participant has complete data for the model", file=_source(ds))
    return y, x, cov[mask].reset_index(drop=True), mask


def modified_poisson(
    ds: xr.Dataset,
    exposure: str = "walking_min",
    adjust: Sequence[str] = PAPER_ADJUST,
    other: str = "linear",
    cuts: Sequence[float] | None = None,
    outcome: str = schema.OUTCOME,
) -> pd.DataFrame:
    """Risk ratios of exposure quartiles by modified Poisson regression (the paper's Table 2).

    Parameters
    ----------
    ds
        Cohort Dataset.
    exposure
        ``"walking_min"`` or ``"walking_mets"`` (any per-participant numeric variable).
    adjust
        Covariates adjusted for (default: the paper's set).
    other
        How the other exposure enters: ``"linear"`` (the paper's quartile models),
        ``"rcs3"`` (restricted cubic spline, knots at its p10/p50/p90) or ``"none"``.
    cuts
        Three category cuts; default the exposure's quartiles in the analysed sample.
    outcome
        0/1 outcome variable.

    Returns
    -------
    pd.DataFrame
        Columns ``exposure, category, n, cases, rr, lo, hi`` (95% CI); the reference
        (lowest) category first with ``rr = 1`` and NaN limits. ``attrs["cuts"]`` holds
        the cuts and ``attrs["n"]`` the participants analysed (complete cases).
    """
    y, _, adj, mask = _prepare(ds, exposure, adjust, other, outcome)
    cats, c = _categories(ds, exposure, cuts, mask)
    cats = cats[mask]
    y = y[mask]
    codes = np.asarray(cats.codes)
    estimable = np.array([(y[codes == j].sum() > 0) for j in range(len(cats.categories))])
    keep = estimable[codes] | (codes == 0)
    dummies = _dummies(cats, exposure, estimable)
    X = pd.concat([dummies, adj], axis=1)
    beta, se, _ = _fit(y[keep], X[keep])
    out = pd.DataFrame(_rows(exposure, cats, y, beta, se, exposure), columns=COLUMNS)
    out.attrs.update(cuts=[float(v) for v in c], n=int(mask.sum()), other=other)
    return out


def modified_poisson_joint(
    ds: xr.Dataset,
    adjust: Sequence[str] = PAPER_ADJUST,
    cuts: dict[str, Sequence[float]] | None = None,
    outcome: str = schema.OUTCOME,
) -> pd.DataFrame:
    """Risk ratios of the 16 volume x intensity quartile cells (the paper's Table 3).

    The reference is the lowest volume and lowest intensity quartile. Returns the columns
    of :func:`modified_poisson` (``exposure = "walking_min x walking_mets"``, category
    ``"<vol label> & <int label>"``) plus ``walking_min`` and ``walking_mets`` holding the
    two labels; cells without cases have NaN RRs.
    """
    vol, inten = schema.EXPOSURES
    _require(ds, [vol, inten], "exposure")
    y = _outcome(ds, outcome)
    cov = covariate_design(ds, adjust)
    xv = np.asarray(ds[vol].values, dtype=np.float64)
    xi = np.asarray(ds[inten].values, dtype=np.float64)
    mask = np.isfinite(y) & np.isfinite(xv) & np.isfinite(xi) & cov.notna().all(axis=1).to_numpy()
    if not mask.any():
        raise CohortError("no participant has complete data for the model", file=_source(ds))
    cuts = cuts or {}
    cv, cut_v = _categories(ds, vol, cuts.get(vol), mask)
    ci, cut_i = _categories(ds, inten, cuts.get(inten), mask)
    cv, ci, y = cv[mask], ci[mask], y[mask]
    labels = [f"{a} & {b}" for a in cv.categories for b in ci.categories]
    codes = np.asarray(cv.codes) * 4 + np.asarray(ci.codes)
    joint = pd.Categorical.from_codes(codes, categories=labels, ordered=True)
    estimable = np.array([(y[codes == j].sum() > 0) for j in range(16)])
    keep = estimable[codes] | (codes == 0)
    X = pd.concat([_dummies(joint, "joint", estimable), cov[mask].reset_index(drop=True)], axis=1)
    beta, se, _ = _fit(y[keep], X[keep])
    label = f"{vol} x {inten}"
    rows = _rows(label, joint, y, beta, se, "joint")
    for j, row in enumerate(rows):
        row[vol], row[inten] = str(cv.categories[j // 4]), str(ci.categories[j % 4])
    out = pd.DataFrame(rows, columns=[*COLUMNS, vol, inten])
    out.attrs.update(cuts={vol: cut_v.tolist(), inten: cut_i.tolist()}, n=int(mask.sum()))
    return out


def modified_poisson_curve(
    ds: xr.Dataset,
    exposure: str = "walking_min",
    adjust: Sequence[str] = PAPER_ADJUST,
    other: str = "rcs3",
    at: Sequence[float] | None = None,
    reference: float | None = None,
    outcome: str = schema.OUTCOME,
) -> pd.DataFrame:
    """The paper's dose-response curve: the exposure as a 3-knot restricted cubic spline.

    Knots at the exposure's p10/p50/p90; modified Poisson with the adjustment set and the
    other exposure as ``other`` (the paper: a 3-knot spline). RRs relative to
    ``reference`` (default: the p10, as in the paper) with delta-method 95% CIs from the
    robust covariance.

    Parameters
    ----------
    ds, exposure, adjust, other, outcome
        As in :func:`modified_poisson`.
    at
        Exposure values to report; default 50 points from the p1 to the p99.
    reference
        Value with RR 1.

    Returns
    -------
    pd.DataFrame
        Columns ``exposure, x, rr, lo, hi``; ``attrs`` hold ``knots``, ``reference``, ``n``.
    """
    y, x, adj, mask = _prepare(ds, exposure, adjust, other, outcome)
    knots = np.percentile(x[mask], [10.0, 50.0, 90.0])
    name, spl = f"{exposure}__lin", f"{exposure}__rcs1"
    terms = pd.DataFrame({name: x[mask], spl: rcs_basis(x[mask], knots)[:, 0]})
    X = pd.concat([terms, adj], axis=1)
    beta, _, vcov = _fit(y[mask], X)
    ref = float(knots[0] if reference is None else reference)
    if at is None:
        lo_hi = np.percentile(x[mask], [1.0, 99.0])
        at = np.linspace(lo_hi[0], lo_hi[1], 50)
    xs = np.asarray(at, dtype=np.float64)
    d = np.column_stack([xs - ref, rcs_basis(xs, knots)[:, 0] - rcs_basis([ref], knots)[0, 0]])
    b = beta[[name, spl]].to_numpy()
    v = vcov.loc[[name, spl], [name, spl]].to_numpy()
    est = d @ b
    se = np.sqrt(np.einsum("ij,jk,ik->i", d, v, d))
    out = pd.DataFrame(
        {
            "exposure": exposure,
            "x": xs,
            "rr": np.exp(est),
            "lo": np.exp(est - Z95 * se),
            "hi": np.exp(est + Z95 * se),
        }
    )
    out.attrs.update(knots=knots.tolist(), reference=ref, n=int(mask.sum()), other=other)
    return out
