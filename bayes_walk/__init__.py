"""bayes_walk: Bayesian dose-response analysis of accelerometer-measured walking and CLBP."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("bayes_walk")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"
