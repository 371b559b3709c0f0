"""Atomic writes: all or nothing, with ordinary file permissions."""

import os
import stat

import pytest

from bayes_walk.atomic import atomic_path, write_text_atomic


def test_write_lands_whole_with_umask_mode(tmp_path):
    target = tmp_path / "out.txt"
    write_text_atomic(target, "hello")
    assert target.read_text() == "hello"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


def test_failed_write_leaves_target_untouched_and_no_temp(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("partial")
        raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]
