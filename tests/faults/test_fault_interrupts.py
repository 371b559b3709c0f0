"""SIGINT, SIGTERM and SIGKILL at each stage of ``fit``, ``import`` and ``report``,
sent to real subprocesses once the stage's progress line is on stderr.

SIGINT / SIGTERM: exit 130 / 143, a line saying so, nothing written (the output path,
when it existed, byte-identical). SIGKILL cannot be handled: the output path is still
unchanged, and the orphan it may leave is removed by the next write of the same output.
"""

from __future__ import annotations

import importlib.util

import pytest
from _cli import SIGINT, SIGKILL, SIGTERM, bw, bw_signal, leftovers, snapshot

# long sampling, so that a signal sent during sampling arrives while it runs
LONG = ("--draws", "100000", "--tune", "50", "--chains", "1")
NAMES = {SIGINT: "SIGINT", SIGTERM: "SIGTERM"}


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _old_output(path):
    path.write_bytes(b"the output of an earlier run")
    return snapshot(path)


@pytest.mark.parametrize(
    ("sampler", "marker"),
    [
        ("nutpie", "sampling with nutpie"),
        # pm.sample catches KeyboardInterrupt and returns a partial trace: the fit must
        # still not be written, nor end with exit 0
        ("pymc", "Sequential sampling"),
        pytest.param(
            "numpyro",
            "sampling with numpyro",
            marks=pytest.mark.skipif(not _has("numpyro"), reason="numpyro not installed"),
        ),
    ],
)
def test_fit_sigint_while_sampling(sampler, marker, cohort_nc, tmp_path):
    out = tmp_path / "fit.nc"
    before = _old_output(out)
    argv = ["fit", "linear", "--data", cohort_nc, "--out", out, *LONG, "--sampler", sampler]
    r = bw_signal(argv, marker=marker, sig=SIGINT, delay=1.0)
    r.assert_clean_failure(130, "interrupted by SIGINT", "nothing was written")
    assert snapshot(out) == before and leftovers(tmp_path) == []


@pytest.mark.parametrize("sig", [SIGINT, SIGTERM, SIGKILL])
def test_fit_signal_while_building(sig, cohort_nc, tmp_path):
    out = tmp_path / "fit.nc"
    argv = ["fit", "linear", "--data", cohort_nc, "--out", out, *LONG, "--sampler", "nutpie"]
    r = bw_signal(argv, marker="building model", sig=sig)
    if sig == SIGKILL:
        assert r.code == -SIGKILL
    else:
        r.assert_clean_failure(128 + sig, f"interrupted by {NAMES[sig]}")
    assert not out.exists() and leftovers(tmp_path) == []


def test_fit_sigkill_while_sampling_leaves_output_unchanged(cohort_nc, tmp_path):
    out = tmp_path / "fit.nc"
    before = _old_output(out)
    argv = ["fit", "linear", "--data", cohort_nc, "--out", out, *LONG, "--sampler", "nutpie"]
    r = bw_signal(argv, marker="sampling with", sig=SIGKILL, delay=0.5)
    assert r.code == -SIGKILL
    assert snapshot(out) == before


@pytest.fixture(scope="module")
def big_tables(tmp_path_factory):
    """A daily-records cohort big enough (n = 20,000) that reading it takes a while."""
    from _helpers_cohort import daily_long, participants_frame, write

    folder = tmp_path_factory.mktemp("big")
    p = participants_frame(20000)
    pf = write(p, folder / "participants.csv")
    df = write(daily_long(list(p["participant_id"])), folder / "daily.csv")
    return pf, df


@pytest.mark.parametrize("sig", [SIGINT, SIGKILL])
def test_import_signal_while_reading(sig, big_tables, tmp_path):
    pf, df = big_tables
    out = tmp_path / "cohort.nc"
    before = _old_output(out)
    argv = ["import", "--participants", pf, "--daily", df, "--out", out]
    r = bw_signal(argv, marker="bayes-walk import: reading", sig=sig, delay=0.3)
    if sig == SIGKILL:
        assert r.code == -SIGKILL
    else:
        r.assert_clean_failure(130, "interrupted by SIGINT", "nothing was written")
        assert leftovers(tmp_path) == []
    assert snapshot(out) == before


def test_report_sigint_and_sigkill_then_rerun(fit_nc, tmp_path):
    """An old report survives an interrupted and a killed rerun whole; the next complete
    run replaces it whole and removes what the killed run left."""
    out = tmp_path / "report"
    out.mkdir()
    (out / "index.html").write_text("<p>old report</p>")
    (out / "stale.png").write_bytes(b"old figure")
    before = snapshot(out)
    r = bw_signal(["report", fit_nc, "--out", out], marker="Table 2 done", sig=SIGINT)
    r.assert_clean_failure(130, "interrupted by SIGINT")
    assert snapshot(out) == before and leftovers(tmp_path) == []
    r = bw_signal(["report", fit_nc, "--out", out], marker="Table 2 done", sig=SIGKILL)
    assert r.code == -SIGKILL
    assert snapshot(out) == before
    r = bw("report", fit_nc, "--out", out)
    assert r.code == 0, r.err
    after = snapshot(out)
    assert "stale.png" not in after and "index.html" in after and "report.md" in after
    assert after["index.html"] != before["index.html"]
    assert leftovers(tmp_path) == []  # the killed run's temporary folder is gone


SWEEP = """
[cohorts]
simulate = { n = 300, truth = "paper", seeds = [1, 2, 3, 4, 5, 6] }
[models]
specs = ["linear"]
[fit]
chains = 1
draws = 50
tune = 50
"""


def test_sweep_sigint_keeps_finished_tasks_and_says_so(tmp_path):
    """An interrupted sweep keeps its finished task records and says so (not "nothing was
    written"); the rerun resumes from them."""
    sweep = tmp_path / "s.toml"
    sweep.write_text(SWEEP)
    out = tmp_path / "run"
    argv = ["sweep", sweep, "--out", out, "--workers", "1"]
    r = bw_signal(argv, marker="[sweep] done", sig=SIGINT)
    r.assert_clean_failure(130, "interrupted by SIGINT", "finished task record(s)", "resume")
    assert "nothing was written" not in r.err
    kept = len(list((out / "tasks").glob("*.json")))
    assert 1 <= kept < 6
    assert not (out / "results.csv").exists()
    again = bw("sweep", sweep, "--out", out, "--workers", "1")
    assert again.code == 0, again.err[-3000:]
    assert f"{kept} from earlier runs" in again.err
