"""From a spec and a cohort to a PyMC model.

``designs`` (constants fixed from the training cohort), ``data`` (the ``pm.Data``
arrays), ``forms/`` (the dose-response forms and their registry), ``pieces`` (the typed
pieces of the linear predictor every term returns), ``likelihoods/`` (the strategies that
turn the pieces into a log density) and ``builder`` (``build_model``).
"""
