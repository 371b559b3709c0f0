"""From a spec and a cohort to a PyMC model: designs, dose-response forms, the builder."""
