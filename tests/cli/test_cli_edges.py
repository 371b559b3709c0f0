"""Small CLI edges: --version, `| head` without a traceback, progress lines in a log file,
the --require hint of import."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _helpers_cohort import daily_long, participants_frame, write

import bayes_walk as bw
from bayes_walk.cli.main import main
from bayes_walk.inference.progress import Heartbeat

ROOT = Path(__file__).resolve().parents[2]


def test_version(capsys):
    with pytest.raises(SystemExit) as ex:
        main(["--version"])
    assert ex.value.code == 0
    assert capsys.readouterr().out.strip() == f"bayes-walk {bw.__version__}"


def test_describe_into_a_closed_pipe_is_quiet(tmp_path):
    cohort = tmp_path / "c.nc"
    bw.save_cohort(bw.simulate(n=300, seed=0), cohort)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # `true` exits without reading: every write of describe hits a closed pipe (EPIPE)
    cmd = (
        f"{sys.executable} -m bayes_walk.cli.main describe {cohort} | true; echo ${{PIPESTATUS[0]}}"
    )
    res = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, env=env, timeout=120)
    assert res.stdout.strip() == "0"
    assert "Traceback" not in res.stderr and "BrokenPipe" not in res.stderr


def test_heartbeat_in_a_log_file():
    log = io.StringIO()  # not a tty
    with Heartbeat("sampling", every=0.05, stream=log):
        time.sleep(0.3)
    lines = log.getvalue().splitlines()
    assert len(lines) >= 2 and all("sampling: still running" in x for x in lines)
    tty = io.StringIO()
    tty.isatty = lambda: True  # a terminal: the sampler's bar does it
    with Heartbeat("sampling", every=0.05, stream=tty):
        time.sleep(0.2)
    assert tty.getvalue() == ""


def test_fit_progress_stages_on_a_non_terminal(tmp_path, capsys):
    from _helpers_model import toy_cohort

    bw.save_cohort(toy_cohort(n=300, seed=1), tmp_path / "c.nc")
    rc = main(
        ["fit", "linear", "--data", str(tmp_path / "c.nc"), "--out", str(tmp_path / "f.nc")]
        + ["--chains", "1", "--draws", "50", "--tune", "50"]
    )
    err = capsys.readouterr().err
    assert rc == 0
    for stage in ("building model", "sampling with", "sampled in", "done in", "wrote"):
        assert stage in err


def test_import_without_the_paper_covariates_names_require(tmp_path, capsys):
    p = participants_frame(10).drop(columns=["depression"])
    d = daily_long(list(p["participant_id"]))
    args = ["import", "--participants", str(write(p, tmp_path / "p.csv"))]
    args += ["--daily", str(write(d, tmp_path / "d.csv")), "--out", str(tmp_path / "c.nc")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "depression" in err and "--require chooses the covariates" in err
    assert "--require age,sex,education,income,employment,smoking without 'depression'" in err
    assert not (tmp_path / "c.nc").exists()
