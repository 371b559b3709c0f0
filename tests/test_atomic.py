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


def test_atomic_folder_swaps_whole_and_keeps_old_on_failure(tmp_path):
    from bayes_walk.atomic import atomic_folder

    out = tmp_path / "report"
    with atomic_folder(out) as tmp:
        (tmp / "a.txt").write_text("first")
        assert not out.exists()  # nothing visible until the end
    assert sorted(p.name for p in out.iterdir()) == ["a.txt"]
    with pytest.raises(RuntimeError), atomic_folder(out) as tmp:
        (tmp / "b.txt").write_text("half")
        raise RuntimeError("killed half-way")
    assert sorted(p.name for p in out.iterdir()) == ["a.txt"]
    with atomic_folder(out) as tmp:
        (tmp / "b.txt").write_text("second")
    assert sorted(p.name for p in out.iterdir()) == ["b.txt"]  # no mix of old and new
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_atomic_folder_refuses_a_file(tmp_path):
    from bayes_walk.atomic import atomic_folder
    from bayes_walk.errors import OutputError

    (tmp_path / "x").write_text("file")
    with pytest.raises(OutputError, match="is a file"), atomic_folder(tmp_path / "x"):
        pass


def test_pending_interrupt_blocks_the_rename(tmp_path):
    import signal

    from bayes_walk.interrupts import WATCH, Interrupted

    target = tmp_path / "out.txt"
    target.write_text("old")
    WATCH.signum = signal.SIGINT  # as if pm.sample had swallowed a Ctrl-C
    try:
        with pytest.raises(Interrupted):
            write_text_atomic(target, "new")
    finally:
        WATCH.signum = None
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_check_output_rules(tmp_path):
    from bayes_walk.errors import OutputError
    from bayes_walk.outputs import check_output

    inp = tmp_path / "in.nc"
    inp.write_text("x")
    assert check_output(tmp_path / "new" / "deeper" / "out.nc") == tmp_path / "new/deeper/out.nc"
    with pytest.raises(OutputError, match="input file"):
        check_output(tmp_path / "sub" / ".." / "in.nc", inputs=[inp])
    with pytest.raises(OutputError, match="is a directory"):
        check_output(tmp_path)
    with pytest.raises(OutputError, match="existing file"):
        check_output(inp, kind="folder")
    with pytest.raises(OutputError, match="holds the input file"):
        check_output(tmp_path, inputs=[inp], kind="folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.nc"]  # the probe is gone


def test_netcdf_bytes_round_trip_of_inference_data(tmp_path):
    import arviz as az
    import numpy as np
    import xarray as xr

    from bayes_walk.netcdf_bytes import save_netcdf

    rng = np.random.default_rng(0)
    idata = az.from_dict(
        posterior={"b": rng.normal(size=(2, 20, 3))},
        observed_data={"y": np.arange(5)},
        constant_data={"ids": np.array(["a", "bb", "c"], dtype=object)},
    )
    idata.attrs["spec"] = '{"name": "x"}'
    save_netcdf(idata, tmp_path / "ours.nc")
    idata.to_netcdf(str(tmp_path / "arviz.nc"))
    ours, ref = az.from_netcdf(tmp_path / "ours.nc"), az.from_netcdf(tmp_path / "arviz.nc")
    assert ours.groups() == ref.groups() and ours.attrs == ref.attrs
    for g in ref.groups():
        xr.testing.assert_identical(getattr(ours, g), getattr(ref, g))
    ds = xr.Dataset({"v": ("x", rng.normal(size=4))}, attrs={"a": "1"})
    save_netcdf(ds, tmp_path / "ds.nc")
    with xr.open_dataset(tmp_path / "ds.nc", engine="h5netcdf") as back:
        xr.testing.assert_identical(back.load(), ds)


def test_netcdf_bytes_are_reproducible():
    """The same data gives the same bytes (no timestamps), so same-seed files are equal."""
    import time

    from bayes_walk.cohort.simulate import simulate_cohort
    from bayes_walk.netcdf_bytes import netcdf_bytes

    ds = simulate_cohort(200, seed=0)
    first = netcdf_bytes(ds)
    time.sleep(1.1)
    assert netcdf_bytes(ds) == first
    assert netcdf_bytes(simulate_cohort(200, seed=0)) == first


def test_signal_during_the_rename_completes_it_and_says_so(tmp_path, monkeypatch):
    import signal

    import bayes_walk.atomic as atomic
    from bayes_walk.interrupts import Interrupted, handle_signals, interrupted_line

    real_replace = os.replace

    def replace_then_signal(src, dst):
        real_replace(src, dst)
        signal.raise_signal(signal.SIGINT)  # arrives while the output is being committed

    monkeypatch.setattr(atomic.os, "replace", replace_then_signal)
    target = tmp_path / "out.txt"
    with handle_signals("test") as watch:
        with pytest.raises(Interrupted):
            write_text_atomic(target, "whole")
        line = interrupted_line("test", watch.signum)
    assert target.read_text() == "whole"
    assert f"after {target} was written whole" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_a_signal_does_not_outlive_its_command(tmp_path):
    import signal

    from bayes_walk.interrupts import Interrupted, handle_signals

    with handle_signals("test"), pytest.raises(Interrupted):
        signal.raise_signal(signal.SIGINT)
    # a later write in the same process (a notebook, the next test) is not refused
    write_text_atomic(tmp_path / "later.txt", "fine")
    assert (tmp_path / "later.txt").read_text() == "fine"
