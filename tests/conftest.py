"""Test-wide settings: headless figures, and no test writes outside its tmp_path."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")
