"""Sweeps: many fits (cohorts x variants x specs x replicates) on Dask distributed.

``run_sweep(path, out, scheduler=None, workers=None)`` runs a sweep file (DESIGN "Sweep
file") into a folder and returns its results table; ``bayes-walk sweep`` is its command.
"""

from bayes_walk.sweep.engine import run_sweep
from bayes_walk.sweep.sweepfile import SweepError, load_sweep

__all__ = ["SweepError", "load_sweep", "run_sweep"]
