"""bayes_walk."""
