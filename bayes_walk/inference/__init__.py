"""Sampling a built model and the per-draw quantities computed after it."""
