"""``bayes-walk report`` writes a self-contained index.html with every section."""

from __future__ import annotations

import numpy as np
import pytest
from _helpers_estimands import (
    GRID_METS,
    GRID_MIN,
    linear_curve,
    make_idata,
    plateau_curve,
    replicate,
)

from bayes_walk.cli.main import main

SECTIONS = ("cohort", "diagnostics", "table2", "curves", "plateau", "risk", "joint", "checks")
SECTIONS += ("compare",)


@pytest.fixture(scope="module")
def fit_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("fits")
    rng = np.random.default_rng(5)
    noise = rng.normal(0, 0.01, (2, 50, 1)) * (GRID_MIN - 78) / 50
    a = make_idata(
        replicate(plateau_curve(GRID_MIN)) + noise,
        replicate(linear_curve(GRID_METS, 0.3, 3.0)),
        spec_name="gp",
    )
    b = make_idata(cat=True, spec_name="quartiles")
    pa, pb = d / "gp.nc", d / "quartiles.nc"
    a.to_netcdf(str(pa))
    b.to_netcdf(str(pb))
    return pa, pb


def test_report_has_every_section_and_embedded_figures(fit_files, tmp_path):
    out = tmp_path / "rep"
    assert main(["report", *map(str, fit_files), "--out", str(out)]) == 0
    html = (out / "index.html").read_text()
    for anchor in SECTIONS:
        assert f'id="{anchor}"' in html
    assert html.count("data:image/png;base64,") >= 3
    assert "Table 2" in html and "0.87" in html  # the quartile fit's RR
    assert "plateau onset" in html.lower()
    md = (out / "report.md").read_text()
    assert "](figures/curve_walking_min.png)" in md
    assert (out / "figures" / "curve_walking_min.png").stat().st_size > 1000
    assert (out / "figures" / "plateau_onset.png").exists()


def test_report_bad_fit_writes_nothing(fit_files, tmp_path, capsys):
    bad = tmp_path / "bad.nc"
    bad.write_text("garbage")
    out = tmp_path / "rep"
    assert main(["report", str(fit_files[0]), str(bad), "--out", str(out)]) == 2
    assert "bad.nc" in capsys.readouterr().err
    assert not out.exists()
