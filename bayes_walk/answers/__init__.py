"""The JSON answers of the commands (summary, plateau, averaged plateau) and the cohort link.

These assemble the pure estimands of :mod:`bayes_walk.estimands` into the dicts of DESIGN
"JSON output"; :class:`bayes_walk.results.Fit` and the CLI call them.
"""
