"""A sweep through ``--scheduler`` on a real ``dask scheduler`` and two ``dask worker``s."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _sweep_files import write_sweep  # noqa: I001

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dask_cluster(tmp_path):
    wtmp = tmp_path / "worker_tmp"
    wtmp.mkdir()
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    env["TMPDIR"] = str(wtmp)
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = [open(tmp_path / f"dask{i}.log", "w") for i in range(3)]  # noqa: SIM115
    procs = []
    try:
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "distributed.cli.dask_scheduler",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--no-dashboard",
                ],
                env=env,
                stdout=logs[0],
                stderr=subprocess.STDOUT,
            )
        )
        for i in (1, 2):
            procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "distributed.cli.dask_worker",
                        address,
                        "--host",
                        "127.0.0.1",
                        "--nthreads",
                        "1",
                        "--no-dashboard",
                        "--name",
                        f"w{i}",
                        "--local-directory",
                        str(tmp_path / f"w{i}"),
                    ],
                    env=env,
                    stdout=logs[i],
                    stderr=subprocess.STDOUT,
                )
            )
        from distributed import Client

        deadline = time.time() + 120
        while True:
            try:
                with Client(address, timeout="5s") as c:
                    c.wait_for_workers(2, timeout=max(1, deadline - time.time()))
                break
            except (OSError, TimeoutError):
                if time.time() > deadline:
                    raise
                time.sleep(1)
        yield address, env
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for f in logs:
            f.close()


def test_sweep_through_a_running_scheduler(tmp_path, dask_cluster):
    address, env = dask_cluster
    sweep = write_sweep(tmp_path, specs='["linear"]', seeds="[1, 2]", variants=False)
    out = tmp_path / "out"
    cmd = [
        sys.executable,
        "-m",
        "bayes_walk.cli.main",
        "sweep",
        str(sweep),
        "--out",
        str(out),
        "--scheduler",
        address,
        "--json",
    ]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    info = json.loads(r.stdout)
    assert (info["tasks"], info["done"], info["failed"]) == (2, 2, 0)
    assert "[sweep]" in r.stderr  # a progress line per task when stderr is not a terminal
    import pandas as pd

    df = pd.read_csv(out / "results.csv")
    assert set(df["worker"].str.split("@").str[0]) <= {"w1", "w2"}
    # the workers stay up, and their scratch folders are gone after the sweep
    assert not list((tmp_path / "worker_tmp").glob("bw-worker-*"))
