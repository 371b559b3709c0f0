"""Outputs that cannot be written: read-only folders, full disks, folders in the way,
``--out`` equal to an input. Each ends with exit 2, a message naming the path and the
reason, no traceback, and the output path unchanged (absent, or byte-identical)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from _cli import bw, snapshot, tmpfs
from conftest import SHORT

import bayes_walk.atomic as atomic
from bayes_walk.errors import OutputError


@pytest.fixture(scope="module")
def read_only_dir(tmp_path_factory):
    with tmpfs(tmp_path_factory.mktemp("ro") / "mnt", "1m", read_only=True) as mnt:
        yield mnt


@pytest.fixture
def tiny_disk(tmp_path):
    """A 200 KB file system: smaller than any cohort, fit or report written here."""
    with tmpfs(tmp_path / "tiny", "200k") as mnt:
        yield mnt


@pytest.fixture(scope="module")
def participants_csv(tmp_path_factory) -> Path:
    """A participants-only table (n = 300) for ``import``."""
    from _helpers_faults import participants_only

    path = tmp_path_factory.mktemp("tables") / "participants.csv"
    participants_only(300).to_csv(path, index=False)
    return path


def _argv(cmd: str, out: Path, cohort_nc: Path, fit_nc: Path, csv: Path) -> list[object]:
    return {
        "simulate": ["simulate", "--n", "300", "--out", out],
        "import": ["import", "--participants", csv, "--require", "", "--out", out],
        "fit": ["fit", "linear", "--data", cohort_nc, "--out", out, *SHORT, "--sampler", "pymc"],
        "report": ["report", fit_nc, "--out", out],
        "ppc": ["ppc", fit_nc, "--figure", out],
        "demo": ["demo", "--n", "300", "--models", "linear", "--out", out],
    }[cmd]


@pytest.mark.parametrize("cmd", ["simulate", "import", "fit", "report", "ppc", "demo"])
def test_read_only_output_refused_before_work(
    cmd, read_only_dir, cohort_nc, fit_nc, participants_csv
):
    out = read_only_dir / ("out.png" if cmd == "ppc" else "out")
    t0 = time.perf_counter()
    r = bw(*_argv(cmd, out, cohort_nc, fit_nc, participants_csv))
    r.assert_clean_failure(2, "cannot write", str(out), "read-only file system")
    assert not out.exists()
    if cmd == "fit":  # refused before the model is built, not after sampling
        assert "building model" not in r.err and time.perf_counter() - t0 < 30


@pytest.mark.parametrize("cmd", ["simulate", "import", "fit"])
def test_out_is_a_directory(cmd, tmp_path, cohort_nc, fit_nc, participants_csv):
    (tmp_path / "keep.txt").write_text("x")
    before = snapshot(tmp_path)
    r = bw(*_argv(cmd, tmp_path, cohort_nc, fit_nc, participants_csv))
    r.assert_clean_failure(2, str(tmp_path), "is a directory")
    assert snapshot(tmp_path) == before


def test_report_out_is_a_file(tmp_path, fit_nc):
    out = tmp_path / "report"
    out.write_text("a file")
    r = bw("report", fit_nc, "--out", out)
    r.assert_clean_failure(2, str(out), "existing file, not a directory")
    assert out.read_text() == "a file"


def test_parent_is_a_file(tmp_path, cohort_nc):
    (tmp_path / "f").write_text("x")
    r = bw("simulate", "--n", "300", "--out", tmp_path / "f" / "c.nc")
    r.assert_clean_failure(2, "is a file, not a folder")


@pytest.mark.parametrize("case", ["fit", "import", "ppc", "report"])
def test_out_equal_to_an_input_is_refused(case, tmp_path, cohort_nc, fit_nc, participants_csv):
    if case == "fit":
        inp = tmp_path / "cohort.nc"
        shutil.copy(cohort_nc, inp)
        argv = ["fit", "linear", "--data", inp, "--out", inp, *SHORT]
    elif case == "import":
        inp = tmp_path / "p.csv"
        shutil.copy(participants_csv, inp)
        argv = ["import", "--participants", inp, "--require", "", "--out", inp]
    elif case == "ppc":
        inp = tmp_path / "fit.nc"
        shutil.copy(fit_nc, inp)
        argv = ["ppc", inp, "--figure", inp]
    else:  # the report folder would replace the folder holding its input
        inp = tmp_path / "fit.nc"
        shutil.copy(fit_nc, inp)
        argv = ["report", inp, "--out", tmp_path]
    before = snapshot(tmp_path)
    r = bw(*argv)
    r.assert_clean_failure(2, str(inp))
    assert "input file" in r.err
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("cmd", ["simulate", "import", "fit"])
def test_full_disk_is_exit_2_not_a_crash(cmd, tiny_disk, cohort_nc, fit_nc, tmp_path):
    from _helpers_faults import participants_only

    csv = tmp_path / "big.csv"  # a participants-only cohort larger than the disk
    participants_only(8000).to_csv(csv, index=False)
    out = tiny_disk / "out.nc"
    r = bw(*_argv(cmd, out, cohort_nc, fit_nc, csv))
    r.assert_clean_failure(2, f"cannot write {out}", "no space left on device")
    assert list(tiny_disk.iterdir()) == []  # no partial file, no temp file


def test_full_disk_report_leaves_nothing(tiny_disk, fit_nc):
    out = tiny_disk / "report"
    r = bw("report", fit_nc, "--out", out)
    r.assert_clean_failure(2, "no space left on device")
    assert list(tiny_disk.iterdir()) == []


def test_injected_enospc_without_mounting(tmp_path, monkeypatch):
    """Where no tmpfs can be mounted: ENOSPC from fsync is a clean OutputError."""
    target = tmp_path / "c.nc"
    target.write_bytes(b"old")

    def no_space(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", no_space)
    with pytest.raises(OutputError, match="no space left on device"):
        atomic.write_bytes_atomic(target, b"new" * 1000)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.nc"]


def _dead_pid() -> int:
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def test_orphans_of_killed_runs_are_removed_and_nothing_else(tmp_path):
    out = tmp_path / "c.nc"
    old = time.time() - 3600
    orphan_file = tmp_path / f".c.nc.{_dead_pid()}-abcd1234.tmp"
    orphan_file.write_bytes(b"partial")
    orphan_dir = tmp_path / f".c.nc.{_dead_pid()}-efgh5678.old"
    orphan_dir.mkdir()
    live = tmp_path / f".c.nc.{os.getpid()}-live0000.tmp"  # a writer still running
    live.write_bytes(b"in progress")
    other = tmp_path / ".c.nc.backup"  # not a name this program writes
    other.write_bytes(b"mine")
    legacy = tmp_path / ".c.nc.y1c1chwe.tmp"  # an earlier version's temp file (no pid)
    legacy.write_bytes(b"partial")
    for p in (orphan_file, orphan_dir, live, other, legacy):
        os.utime(p, (old, old))
    r = bw("simulate", "--n", "300", "--out", out)
    assert r.code == 0, r.err
    assert out.exists()
    assert not orphan_file.exists() and not orphan_dir.exists() and not legacy.exists()
    assert live.exists() and other.exists()
