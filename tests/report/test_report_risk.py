"""The report's "Absolute risks" section on a real fit (the shared ``risk_sim`` fit)."""

from __future__ import annotations

import json

from bayes_walk.cli.main import main


def test_report_has_absolute_risks(risk_sim, tmp_path, capsys):
    _, _, fit_path = risk_sim
    out = tmp_path / "rep"
    assert main(["report", str(fit_path), "--out", str(out)]) == 0
    md = (out / "report.md").read_text()
    html = (out / "index.html").read_text()
    assert "## Absolute risks" in md and 'id="risk"' in html
    # the report's one reference (78 min/day) and the numbers of summary --reference 78
    capsys.readouterr()
    args = ["summary", str(fit_path), "--json", "--no-frequentist", "--reference", "walking_min=78"]
    assert main(args) == 0
    s = json.loads(capsys.readouterr().out)
    row = next(r for r in s["risk_difference"]["rows"] if r["x"] == 100.0)
    k = row["prevented_per_1000"]
    sentence = (
        f"If everyone walked 100 instead of 78 min/day, about {k['median']:.0f} "
        f"({k['lo']:.0f} to {k['hi']:.0f}) cases per 1,000 people would be prevented."
    )
    assert sentence in md and sentence in html
    assert "| walking_min (min/day) | risk (95% CrI) | RD vs 78 (95% CrI) |" in md
    assert "Population attributable fraction of walking_min below 78 min/day" in md
