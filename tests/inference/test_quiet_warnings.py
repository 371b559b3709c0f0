"""A fit shows the user its own diagnostics, not the libraries' known-harmless warnings."""

from __future__ import annotations

import logging
import re
import warnings

import numpy as np
import pytest
from _helpers_model import toy_cohort

from bayes_walk.inference.quiet import BLAS_LOGGER, known_harmless_warnings
from bayes_walk.spec.model_spec import spec_from_dict

KNOWN = re.compile(r"Skipping .* Op \(assertion|invalid value encountered in scalar divide|BLAS")


def test_filter_drops_exactly_the_known_ones(caplog):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with known_harmless_warnings(), caplog.at_level(logging.WARNING, logger=BLAS_LOGGER):
            warnings.warn(
                "Skipping Check{mu >= 0} Op (assertion: mu >= 0) as JAX", UserWarning, stacklevel=1
            )
            with np.errstate(invalid="warn"):
                np.float64(0.0) / np.float64(0.0)
            logging.getLogger(BLAS_LOGGER).warning(
                "Using NumPy C-API based implementation for BLAS functions."
            )
            warnings.warn(
                "PyTensor could not link to a BLAS installation. Operations ...",
                UserWarning,
                stacklevel=1,
            )
            warnings.warn("a real problem", UserWarning, stacklevel=1)
        # outside the block the filters are gone again
        warnings.warn("Skipping Check{x} Op (assertion: x) as JAX", UserWarning, stacklevel=1)
    messages = [str(w.message) for w in caught]
    assert messages == ["a real problem", "Skipping Check{x} Op (assertion: x) as JAX"]
    assert "BLAS" not in caplog.text
    assert not logging.getLogger(BLAS_LOGGER).filters


@pytest.mark.parametrize("sampler", ["pymc"])
def test_tiny_fit_emits_none_of_the_known_warnings(sampler, caplog):
    import bayes_walk as bw

    spec = spec_from_dict(
        {
            "name": "tiny",
            "adjust": ["age"],
            "exposures": {"walking_min": {"form": "linear", "reference": 78}},
        }
    )
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        fitted = bw.fit(
            spec, toy_cohort(300), draws=40, tune=40, chains=2, sampler=sampler, progress=False
        )
        fitted.summary(frequentist=False)
    leaked = [str(w.message) for w in caught if KNOWN.search(str(w.message))]
    assert leaked == []
    assert not KNOWN.search(caplog.text)
