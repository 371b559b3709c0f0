#!/usr/bin/env bash
# Create the separate Bambi 0.17 virtual environment used by scripts/bench.py.
#
# Bambi 0.17 pulls in arviz-plots 0.8, which breaks `import arviz` under matplotlib 3.11,
# so Bambi lives outside the project venv and matplotlib is capped below 3.11 here.
#
# Usage: scripts/setup_bambi_env.sh [VENV_DIR]   (default /work/bambi-venv)
set -euo pipefail

VENV="${1:-${BAMBI_VENV:-/work/bambi-venv}}"
PY="${PYTHON:-python3.11}"

if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
# nutpie is not needed: Bambi is benchmarked with its own default sampler (PyMC NUTS).
"$VENV/bin/python" -m pip install --quiet \
    "bambi==0.17.*" \
    "matplotlib<3.11" \
    "h5netcdf>=1.3" \
    "xarray" \
    "pandas"

# Verify: bambi and arviz import, and an hsgp() term fits a toy model.
"$VENV/bin/python" - <<'PY'
import warnings

import numpy as np
import pandas as pd

import arviz as az
import bambi as bmb

rng = np.random.default_rng(0)
x = rng.uniform(0, 10, 200)
y = rng.poisson(np.exp(0.5 + np.sin(x / 2)))
df = pd.DataFrame({"x": x, "y": y})
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    model = bmb.Model("y ~ 0 + hsgp(x, m=10, c=1.5)", df, family="poisson")
    idata = model.fit(draws=100, tune=100, chains=1, cores=1, progressbar=False, random_seed=1)
assert "hsgp(x, m=10, c=1.5)_weights" in idata.posterior or any(
    "hsgp" in v for v in idata.posterior.data_vars
), list(idata.posterior.data_vars)
print(f"bambi {bmb.__version__}, arviz {az.__version__}: hsgp toy fit OK")
PY
