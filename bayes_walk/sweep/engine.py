"""Run a sweep on Dask distributed: a LocalCluster by default, or a running scheduler.

The client builds the task list, skips tasks already recorded in the sweep folder,
submits the rest (each under its hash as Dask key), and writes the results table when
all have finished. Dask reschedules a task whose worker died; a task that keeps killing
workers (``distributed.scheduler.allowed-failures``) is recorded as failed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from bayes_walk.atomic import pid_alive, write_text_atomic
from bayes_walk.sweep.averaged import averaged_table, write_averaged
from bayes_walk.sweep.store import (
    LOCK,
    read_record,
    read_records,
    remove_partial_files,
    write_record,
)
from bayes_walk.sweep.sweepfile import SweepError, SweepPlan, load_sweep
from bayes_walk.sweep.table import results_table, write_results
from bayes_walk.sweep.tasks import Task, build_tasks, simulated_cohort_id


@contextlib.contextmanager
def sweep_lock(out: Path) -> Iterator[None]:
    """One sweep at a time per folder (a second would race on the partial files)."""
    lock = out / LOCK
    me = f"{socket.gethostname()} {os.getpid()}"
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        host, _, pid = lock.read_text().partition(" ")
        alive = host == socket.gethostname() and pid.isdigit() and pid_alive(int(pid))
        if alive or host != socket.gethostname():
            raise SweepError(
                f"{out}: another sweep (host {host}, pid {pid}) is using this folder; "
                f"remove {lock} if it is gone"
            ) from None
        lock.unlink()
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    try:
        os.write(fd, me.encode())
        os.close(fd)
        yield
    finally:
        lock.unlink(missing_ok=True)


def _load_file_cohorts(plan: SweepPlan) -> dict[str, Any]:
    """File cohorts, per-participant variables only (what a fit uses), by label."""
    from bayes_walk.cohort.store import load_cohort

    out = {}
    for c in plan.cohorts:
        if c.kind == "file":
            ds = load_cohort(c.path)
            keep = [v for v in ds.data_vars if ds[v].dims == ("participant",)]
            out[c.label] = ds[keep]
    return out


def _cohort_ids(plan: SweepPlan, files: dict[str, Any], version: str) -> dict[str, str]:
    from bayes_walk.inference.groups import cohort_hash

    ids = {}
    for c in plan.cohorts:
        ids[c.label] = (
            cohort_hash(files[c.label]) if c.kind == "file" else simulated_cohort_id(c, version)
        )
    return ids


@contextlib.contextmanager
def dask_client(scheduler: str | None, workers: int | None) -> Iterator[Any]:
    """A Dask client with the sweep's worker plugin registered; cleaned up on exit.

    Parameters
    ----------
    scheduler
        Address of a running scheduler (``tcp://host:8786``); None: a LocalCluster of
        ``workers`` single-threaded process workers (default: one per core).
    """
    from distributed import Client, LocalCluster

    from bayes_walk.sweep.worker import PLUGIN_NAME, SweepWorkerPlugin, single_thread_env

    cluster = None
    scratch_root = None
    try:
        if scheduler:
            try:
                client = Client(scheduler, timeout="20s")
            except OSError as exc:
                raise SweepError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
        else:
            n = int(workers or os.cpu_count() or 1)
            if n < 1:
                raise SweepError(f"--workers must be >= 1, got {n}")
            scratch_root = tempfile.mkdtemp(prefix="bayes-walk-sweep-")
            cluster = LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                env=single_thread_env(),
                dashboard_address=None,
                silence_logs=logging.ERROR,
                local_directory=scratch_root,
            )
            client = Client(cluster)
        client.register_plugin(SweepWorkerPlugin(scratch_root=scratch_root), name=PLUGIN_NAME)
        try:
            yield client
        finally:
            with contextlib.suppress(Exception):
                client.unregister_worker_plugin(PLUGIN_NAME)  # removes the scratch folders
            client.close()
    finally:
        if cluster is not None:
            cluster.close()
        if scratch_root is not None:
            shutil.rmtree(scratch_root, ignore_errors=True)


def _failed_record(task: Task, error: str, where: str) -> dict[str, Any]:
    return {
        "key": task.key,
        "cohort": task.cohort.label,
        "variant": task.variant.name,
        "spec": task.spec_label,
        "replicate": task.replicate,
        "seed": task.seed,
        "worker": where,
        "status": "failed",
        "error": error,
        "diagnostics": {},
        "rows": [],
        "fit_path": None,
        "wall_s": 0.0,
    }


def _run_pending(client, tasks: list[Task], out: Path, files: dict[str, Any], progress) -> None:
    from distributed import as_completed

    from bayes_walk.sweep.worker import run_task

    sent = {label: client.scatter(ds, broadcast=False) for label, ds in files.items()}
    futures = {}
    for t in tasks:
        base = sent.get(t.cohort.label)
        design = sent.get(t.design_cohort.label) if t.design_cohort else None
        fut = client.submit(run_task, t, str(out), base, design, key=f"bw-task-{t.key}")
        futures[fut] = t
    for fut in as_completed(list(futures)):
        t = futures[fut]
        try:
            rec = fut.result()
        except Exception as exc:  # KilledWorker and other engine errors
            rec = read_record(out, t.key)
            if rec is None:
                rec = _failed_record(t, f"{type(exc).__name__}: {exc}", "scheduler")
                write_record(out, t.key, rec)
        try:  # processing includes tasks queued on a worker behind its running one
            busy = sum(min(len(v), 1) for v in client.processing().values())
            running = min(busy, sum(client.nthreads().values()))
        except Exception:  # the count is cosmetic
            running = 0
        progress.task_finished(rec, t.describe(), running)
        fut.release()


def run_sweep(
    path: str | os.PathLike[str],
    out: str | os.PathLike[str],
    scheduler: str | None = None,
    workers: int | None = None,
    *,
    retry_failed: bool = False,
    progress: bool = True,
) -> pd.DataFrame:
    """Run the sweep file ``path`` into folder ``out``; returns the results table.

    Parameters
    ----------
    path
        Sweep file (DESIGN "Sweep file").
    out
        Sweep folder: ``tasks/<hash>.json``, ``fits/<hash>.nc``, ``results.csv`` and
        ``results.parquet``. Tasks recorded there already are not run again.
    scheduler
        Address of a running Dask scheduler; None: a LocalCluster.
    workers
        LocalCluster workers (default: one per core).
    retry_failed
        Run tasks recorded as failed again.
    progress
        Progress lines on stderr.

    Returns
    -------
    pd.DataFrame
        One row per task and estimand (see :mod:`bayes_walk.sweep.table`); ``attrs["sweep"]``
        holds the counts (tasks, ran, skipped, done, failed) and wall time.
    """
    from bayes_walk import __version__
    from bayes_walk.sweep.progress import Progress

    t0 = time.perf_counter()
    plan = load_sweep(path)
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    with sweep_lock(out):
        remove_partial_files(out)
        files = _load_file_cohorts(plan)
        tasks = build_tasks(plan, _cohort_ids(plan, files, __version__), __version__)
        pending = []
        for t in tasks:
            rec = read_record(out, t.key)
            if rec is None or (retry_failed and rec.get("status") != "done"):
                pending.append(t)
        prog = Progress(len(tasks), len(tasks) - len(pending), sys.stderr if progress else None)
        prog.start(len(pending))
        unloadable = [t for t in pending if t.spec is None]
        for t in unloadable:
            rec = _failed_record(t, f"SpecError: {t.spec_error}", "client")
            write_record(out, t.key, rec)
            prog.task_finished(rec, t.describe(), 0)
        runnable = [t for t in pending if t.spec is not None]
        if runnable:
            with dask_client(scheduler, workers) as client:
                _run_pending(client, runnable, out, files, prog)
        prog.close()
        manifest = {
            "sweep": str(Path(path).resolve()),
            "name": plan.name,
            "tasks": [t.key for t in tasks],
        }
        write_text_atomic(out / "sweep.json", json.dumps(manifest, indent=1))
        records = read_records(out)
        df = results_table(records, order=[t.key for t in tasks])
        write_results(df, out)
        if plan.estimands.get("averaged"):
            keys = {t.key for t in tasks}
            mine = [r for r in records if r.get("key") in keys]
            write_averaged(averaged_table(mine, out), out)
    first = df.drop_duplicates("task")
    df.attrs["sweep"] = {
        "out": str(out),
        "tasks": len(tasks),
        "ran": len(pending),
        "skipped": len(tasks) - len(pending),
        "done": int((first["status"] == "done").sum()),
        "failed": int((first["status"] == "failed").sum()),
        "wall_s": round(time.perf_counter() - t0, 2),
    }
    return df
