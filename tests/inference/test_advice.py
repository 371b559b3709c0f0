"""Advice for a fit that is not clean: keyed on the part of the model the diagnostics name."""

from bayes_walk.inference.advice import advice

CLEAN = {"divergences": 0, "max_rhat": 1.004, "min_ess_bulk": 1500.0, "min_ess_tail": 900.0}


def test_clean_fit_gets_no_advice():
    assert advice(CLEAN) == []


def test_weak_hsgp_curve_names_the_exposure_and_a_linear_form():
    d = {**CLEAN, "min_ess_bulk": 310.0, "min_ess_bulk_var": "lengthscale_walking_mets_log__"}
    out = advice(d, 11194)
    assert any("more draws" in a for a in out)
    assert any("walking_mets" in a and "`linear`" in a for a in out)


def test_stratum_and_onset_parts():
    d = {**CLEAN, "max_rhat": 1.03, "worst_rhat_var": "stratum_amplitude_walking_min"}
    assert any("stratum_amplitude" in a for a in advice(d))
    d = {**CLEAN, "max_rhat": 1.03, "worst_rhat_var": "tau_walking_min_interval__"}
    assert any("onset of walking_min" in a for a in advice(d))
    # the changepoint's sampler name: the exposure, not its unit-range helper, is named
    d = {**CLEAN, "max_rhat": 1.02, "worst_rhat_var": "tau_walking_min_scaled_interval__"}
    out = " ".join(advice(d))
    assert "onset of walking_min " in out and "walking_min_scaled" not in out


def test_divergences_advice_depends_on_cohort_size():
    d = {**CLEAN, "divergences": 3}
    small, large = advice(d, 11194), advice(d, 200_000)
    assert any("target_accept = 0.9" in a for a in small)
    assert not any("target_accept = 0.9" in a for a in large)
    assert any("tune = 2000" in a for a in large)
    assert any('parametrisation = "auto"' in a for a in large)
    assert not any("parametrisation" in a for a in small)


def test_informed_weights_are_named_as_their_curve():
    from bayes_walk.inference.advice import _part

    assert _part("coef_walking_min_informed__") == ("curve", "walking_min")
