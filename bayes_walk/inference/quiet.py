"""Silence the few library warnings every fit used to print, and nothing else.

Each is known to be harmless here, so a user should see only the fit's own diagnostics:

- PyTensor's JAX backend drops ``Check``/``Assert`` ops ("Skipping Check{mu >= 0} Op ...
  as JAX tracing would remove it"); the checked conditions (a Poisson mean >= 0) hold by
  construction (the mean is an exponential).
- ArviZ's R-hat and ESS divide 0 by 0 for constant draws, e.g. a curve at its own
  reference ("invalid value encountered in scalar divide"); those variables get NaN and
  the diagnostics skip NaNs.
- PyTensor logs "Using NumPy C-API based implementation for BLAS functions." when no BLAS
  library is linked, and warns "PyTensor could not link to a BLAS installation" when it
  compiles C code (a prior predictive draw): the same numbers, computed through NumPy.

The filters are scoped to the calls (``with known_harmless_warnings(): ...``); any other
warning still reaches the user.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

JAX_SKIPPED_ASSERT = r"Skipping .* Op \(assertion"
ARVIZ_ZERO_BY_ZERO = r"invalid value encountered in scalar divide"
BLAS_FALLBACK = "Using NumPy C-API based implementation for BLAS functions"
BLAS_LOGGER = "pytensor.tensor.blas"
BLAS_NOT_LINKED = "PyTensor could not link to a BLAS installation"


class _DropMessage(logging.Filter):
    """A logging filter dropping records whose message contains ``text``."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def filter(self, record: logging.LogRecord) -> bool:
        return self.text not in record.getMessage()


@contextmanager
def known_harmless_warnings() -> Iterator[None]:
    """Within the block, drop the known-harmless library warnings (module docstring)."""
    blas_filter = _DropMessage(BLAS_FALLBACK)
    logger = logging.getLogger(BLAS_LOGGER)
    logger.addFilter(blas_filter)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=JAX_SKIPPED_ASSERT, category=UserWarning)
            warnings.filterwarnings("ignore", message=ARVIZ_ZERO_BY_ZERO, category=RuntimeWarning)
            warnings.filterwarnings("ignore", message=BLAS_NOT_LINKED, category=UserWarning)
            yield
    finally:
        logger.removeFilter(blas_filter)
