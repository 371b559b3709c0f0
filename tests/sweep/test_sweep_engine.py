"""The sweep engine on a real LocalCluster: worker death, resume, failures, cleanup.

Small and slowish (a minute or two each on two cores): n = 300, one chain, 50 + 50 draws.
"""

import json
import logging
import os
import signal
import tempfile
import threading
import time
from pathlib import Path

import pytest
from _sweep_files import write_sweep  # noqa: I001

from bayes_walk.cli.main import main
from bayes_walk.sweep import run_sweep
from bayes_walk.sweep.worker import single_thread_env


@pytest.fixture
def cluster():
    from distributed import Client, LocalCluster

    cl = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        env=single_thread_env(),
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    client = Client(cl)
    try:
        yield cl, client
    finally:
        client.close()
        cl.close()


def _kill_a_busy_worker(client, out: Path, killed: dict, total: int) -> None:
    deadline = time.time() + 600
    while time.time() < deadline:
        n = len(list((out / "tasks").glob("*.json"))) if (out / "tasks").is_dir() else 0
        if n >= total:
            return
        busy = [w for w, keys in client.processing().items() if keys] if n >= 1 else []
        if busy:
            pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
            os.kill(pid, signal.SIGKILL)
            killed.update(pid=pid, finished_before=n)
            return
        time.sleep(0.1)


def test_kill_a_worker_mid_sweep_then_rerun_does_nothing(tmp_path, cluster):
    cl, client = cluster
    sweep = write_sweep(tmp_path, specs='["linear", "rcs"]')  # 2 specs x 2 variants x 2 seeds
    out = tmp_path / "out"
    killed: dict = {}
    th = threading.Thread(target=_kill_a_busy_worker, args=(client, out, killed, 8))
    th.start()
    try:
        df = run_sweep(sweep, out, scheduler=cl.scheduler_address, progress=False)
    finally:
        th.join()
    assert killed and killed["finished_before"] < 8, killed
    tasks = df.drop_duplicates("task")
    assert len(tasks) == 8 and (tasks["status"] == "done").all(), tasks[["status", "error"]]
    # every task once: one record, one fit, one row per estimand
    assert len(list((out / "tasks").glob("*.json"))) == 8
    assert len(list((out / "fits").glob("*.nc"))) == 8
    assert not list(out.rglob("*.tmp"))
    assert df.groupby(["task", "estimand", "x"], dropna=False).size().max() == 1
    assert set(df["estimand"].dropna()) == {"rr", "plateau"}
    assert df["rr_125"].notna().all() and (df["divergences"] >= 0).all()
    assert set(tasks["variant"]) == {"main", "4+ valid days"}
    assert set(tasks["spec"]) == {"linear", "rcs"}
    # the 4+ days variant fits fewer participants
    n = tasks.groupby("variant")["n_participants"].max()
    assert n["4+ valid days"] < n["main"] == 300

    kept = [*(out / "tasks").iterdir(), *(out / "fits").iterdir()]
    stamps = {p: p.stat().st_mtime_ns for p in kept}
    again = run_sweep(sweep, out, scheduler=cl.scheduler_address, progress=False)
    assert again.attrs["sweep"]["ran"] == 0 and again.attrs["sweep"]["skipped"] == 8
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps
    assert again.equals(df)


def test_bad_spec_fails_alone_and_workers_clean_up(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'name = "bad"\nadjust = ["no_such_var"]\n'
        '[exposures.walking_min]\nform = "linear"\nreference = 78\n'
    )
    # a cohort file this time: the client reads it and sends it to the workers
    from bayes_walk.cohort.simulate import simulate_cohort
    from bayes_walk.cohort.store import save_cohort

    save_cohort(simulate_cohort(n=300, seed=1), tmp_path / "c.nc")
    sweep = write_sweep(
        tmp_path, specs='["linear", "bad.toml", "linaer"]', seeds="[1]", variants=False
    )
    sweep.write_text(
        sweep.read_text().replace(
            'simulate = { n = 300, truth = "paper", seeds = [1] }', 'files = ["c.nc"]'
        )
    )
    assert 'files = ["c.nc"]' in sweep.read_text()
    before = {p.name for p in Path(tempfile.gettempdir()).glob("bayes-walk-sweep-*")}
    out = tmp_path / "out"
    rc = main(["sweep", str(sweep), "--out", str(out), "--workers", "2", "--json"])
    info = json.loads(capsys.readouterr().out)
    assert rc == 1
    assert (info["tasks"], info["done"], info["failed"]) == (3, 1, 2)
    errors = {f["spec"]: f["error"] for f in info["failures"]}
    assert "no_such_var" in errors["bad"] and "SpecError" in errors["bad"]
    assert "no shipped model 'linaer'" in errors["linaer"]
    import pandas as pd

    df = pd.read_parquet(out / "results.parquet")
    assert df.drop_duplicates("task").set_index("spec")["status"].to_dict() == {
        "linear": "done",
        "bad": "failed",
        "linaer": "failed",
    }
    assert pd.read_csv(out / "results.csv").shape[0] == df.shape[0]
    assert set(df["cohort"]) == {"c"} and (df["n_participants"].dropna() == 300).all()
    after = {p.name for p in Path(tempfile.gettempdir()).glob("bayes-walk-sweep-*")}
    assert after == before  # the workers' scratch folders are gone
    # a rerun leaves the failures alone; --retry-failed runs them (and only them) again
    assert run_sweep(sweep, out, workers=1, progress=False).attrs["sweep"]["ran"] == 0
    done = next((out / "tasks").glob("*.json"))
    stamp = {p: p.stat().st_mtime_ns for p in (out / "tasks").glob("*.json")}
    again = run_sweep(sweep, out, workers=1, retry_failed=True, progress=False)
    assert (again.attrs["sweep"]["ran"], again.attrs["sweep"]["failed"]) == (2, 2)
    changed = [p for p in stamp if p.stat().st_mtime_ns != stamp[p]]
    assert len(changed) == 2 and done.exists()


def test_cli_bad_sweep_file_exits_2_and_writes_nothing(tmp_path, capsys):
    p = tmp_path / "s.toml"
    p.write_text("[cohorts]\nsimulate = { n = 0 }\n[models]\nspecs = ['linear']\n")
    out = tmp_path / "out"
    assert main(["sweep", str(p), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "[cohorts.simulate.n]" in err and str(p) in err and "Traceback" not in err
    assert not out.exists()
