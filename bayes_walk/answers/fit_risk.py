"""The absolute-risk methods of :class:`bayes_walk.results.Fit` (g-computation over the
fit's cohort; :mod:`bayes_walk.answers.risk`), kept apart to keep the Fit module small."""

from __future__ import annotations

import numpy as np


class RiskMethods:
    """Mixin: ``absolute_risk``, ``risk_difference``, ``risk_table``, ``attributable_fraction``.

    Needs the host's ``_warn_outside`` and ``_need_exposure`` (see ``Fit``).
    """

    def absolute_risk(self, exposure: str, at, *, prob: float = 0.95, hdi: bool = False):
        """Posterior of the cohort's average risk if everyone had exposure ``x`` (each ``at``).

        Standardisation over the participants the fit stores (other exposures and
        covariates as observed; :mod:`bayes_walk.answers.risk`). Columns ``x``,
        ``risk_median``, ``risk_lo``, ``risk_hi``; NaN with a warning outside the curve.
        """
        from bayes_walk.answers.risk import absolute_risk_frame

        xs = np.atleast_1d(np.asarray(at, dtype=float))
        outside = self._warn_outside(exposure, xs, stacklevel=3, what="risk")
        return absolute_risk_frame(self._risk_data(exposure), xs, outside, prob=prob, hdi=hdi)

    def risk_difference(
        self, exposure: str, x1: float, x2: float, *, prob: float = 0.95, hdi: bool = False
    ):
        """Risk difference R(x2) - R(x1) and cases per 1,000 prevented moving x1 -> x2.

        Columns ``x1``, ``x2``, ``risk1_*``, ``risk2_*``, ``rd_*``,
        ``prevented_per_1000_*`` (``*`` = median, lo, hi) and ``p_lower`` = P(R(x2) < R(x1)).
        """
        from bayes_walk.answers.risk import risk_difference_frame

        table = risk_difference_frame(self._risk_data(exposure), x1, x2, prob=prob, hdi=hdi)
        if self._warn_outside(exposure, [x1, x2], stacklevel=3, what="risk").any():
            table.loc[:, table.columns[2:]] = np.nan
        return table

    def risk_table(
        self,
        exposure: str,
        at,
        versus: float | None = None,
        *,
        prob: float = 0.95,
        hdi: bool = False,
    ):
        """Risks at each ``at`` value with their difference from the risk at ``versus``.

        ``versus`` defaults to the exposure's reference. Columns ``x``, ``risk_*``,
        ``rd_*`` (R(x) - R(versus)), ``prevented_per_1000_*`` (1000 (R(versus) - R(x)))
        (``*`` = median, lo, hi) and ``p_lower`` = P(R(x) < R(versus)); one row per x,
        NaN with a warning outside the curve. The risk at ``versus`` is computed once.
        """
        from bayes_walk.answers.risk import risk_versus_frame

        self._need_exposure(exposure)
        if versus is None:
            versus = float(self.designs["exposures"][exposure]["reference"])
        xs = np.atleast_1d(np.asarray(at, dtype=float))
        outside = self._warn_outside(exposure, [*xs, versus], stacklevel=3, what="risk")
        mask = outside[:-1] | outside[-1]
        data = self._risk_data(exposure)
        return risk_versus_frame(data, xs, versus, outside=mask, prob=prob, hdi=hdi)

    def attributable_fraction(
        self, exposure: str, threshold: float, *, prob: float = 0.95, hdi: bool = False
    ):
        """Population attributable fraction of exposure below ``threshold``: the share of
        the cohort's risk that would go if everyone below it were raised to it."""
        from bayes_walk.answers.risk import attributable_fraction_frame

        table = attributable_fraction_frame(
            self._risk_data(exposure), threshold, prob=prob, hdi=hdi
        )
        if self._warn_outside(exposure, [threshold], stacklevel=3, what="risk").any():
            table.loc[:, ["paf_median", "paf_lo", "paf_hi"]] = np.nan
        return table

    def _risk_data(self, exposure: str):
        from bayes_walk.answers.risk import RiskData

        self._need_exposure(exposure)
        return RiskData(self, exposure)
