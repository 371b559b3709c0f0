"""What runs on a Dask worker: its clean scratch folder, its caches, and one task.

Each worker gets a :class:`SweepWorkerPlugin` (registered by the engine). It owns
- a scratch folder of the worker's own (``TMPDIR``, :data:`tempfile.tempdir` and the
  numba cache point there), removed when the plugin is torn down, so the source files
  PyTensor's numba backend writes for every compiled function do not pile up in the
  machine's temporary directory;
- a :class:`ModelCache` of built and compiled models keyed by model structure, so
  replicates of one recipe compile once per worker;
- a small cache of base cohorts (simulated or sent by the client).

The PyTensor compile directory stays shared: it is a locked, keyed cache designed to be
shared between processes, and an empty one would make every worker recompile PyTensor's
C code on its first task.
"""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections import OrderedDict
from pathlib import Path
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from bayes_walk.sweep.averaged import write_piece
from bayes_walk.sweep.store import fit_relpath, piece_relpath, read_record, write_record
from bayes_walk.sweep.tasks import Task

PLUGIN_NAME = "bayes-walk-sweep"
THREAD_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMBA_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


def single_thread_env() -> dict[str, str]:
    """Environment for a worker process: BLAS, OpenMP, numba and XLA on one thread."""
    env = {v: "1" for v in THREAD_VARS}
    env["XLA_FLAGS"] = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    return env


class LRU:
    """A bounded mapping that forgets the least recently used entry."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._d: OrderedDict[str, Any] = OrderedDict()

    def get(self, key: str) -> Any:
        if key in self._d:
            self._d.move_to_end(key)
            return self._d[key]
        return None

    def put(self, key: str, value: Any) -> None:
        self._d[key] = value
        self._d.move_to_end(key)
        while len(self._d) > self.size:
            self._d.popitem(last=False)

    def clear(self) -> None:
        self._d.clear()

    def __len__(self) -> int:
        return len(self._d)


class SweepWorkerPlugin(WorkerPlugin):
    """Per-worker state of a sweep: scratch folder, model cache, cohort cache."""

    name = PLUGIN_NAME

    def __init__(self, scratch_root: str | None = None, max_models: int = 4) -> None:
        self.scratch_root = scratch_root
        self.max_models = max_models
        self.scratch: str | None = None
        self.models = LRU(max_models)
        self.cohorts = LRU(4)
        self.tasks_run = 0
        self._saved_env: dict[str, str | None] = {}
        self._saved_tempdir: str | None = None
        self._limits = None

    def setup(self, worker) -> None:
        root = self.scratch_root
        if root:
            Path(root).mkdir(parents=True, exist_ok=True)
        safe = "".join(c if c.isalnum() else "-" for c in str(worker.name))
        self.scratch = tempfile.mkdtemp(prefix=f"bw-worker-{safe}-", dir=root)
        new = {"TMPDIR": self.scratch, "NUMBA_CACHE_DIR": os.path.join(self.scratch, "numba")}
        new.update({k: v for k, v in single_thread_env().items() if k not in os.environ})
        for k, v in new.items():
            self._saved_env[k] = os.environ.get(k)
            os.environ[k] = v
        self._saved_tempdir = tempfile.tempdir
        tempfile.tempdir = self.scratch
        # workers started by hand may have loaded BLAS already: limit it now as well
        from threadpoolctl import threadpool_limits

        self._limits = threadpool_limits(limits=1)

    def teardown(self, worker) -> None:
        self.models.clear()
        self.cohorts.clear()
        if self._limits is not None:
            self._limits.restore_original_limits()
        tempfile.tempdir = self._saved_tempdir
        for k, v in self._saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        if self.scratch:
            shutil.rmtree(self.scratch, ignore_errors=True)
        gc.collect()


def _plugin() -> SweepWorkerPlugin:
    from distributed import get_worker

    return get_worker().plugins[PLUGIN_NAME]


def _base_cohort(state: SweepWorkerPlugin, source, sent):
    """The cohort before the variant: sent by the client, or simulated here."""
    if sent is not None:
        return sent
    cached = state.cohorts.get(source.label)
    if cached is None:
        from bayes_walk.cohort.simulate import simulate_cohort

        cached = simulate_cohort(
            n=source.n,
            seed=source.seed,
            truth=source.truth,
            exposure_on=source.exposure_on,
            keep_daily=source.daily,
        )
        state.cohorts.put(source.label, cached)
    return cached


def _rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def _compute(task: Task, state: SweepWorkerPlugin, out: Path, base, design_base):
    from bayes_walk.spec.model_spec import validate_spec
    from bayes_walk.sweep import fitting
    from bayes_walk.sweep.variants import apply_variant, spec_for_variant

    if task.spec is None:
        raise RuntimeError(task.spec_error or "the spec could not be loaded")
    t0 = time.perf_counter()
    cohort = apply_variant(_base_cohort(state, task.cohort, base), task.variant)
    spec = spec_for_variant(task.spec, task.variant)
    validate_spec(spec, cohort)
    built, prepared = None, 0.0
    if task.reuse:
        built = state.models.get(task.structure)
        if built is None:
            d = task.design_cohort
            design = apply_variant(_base_cohort(state, d, design_base), task.variant)
            built = fitting.prepare_reusable(spec, design)
            state.models.put(task.structure, built)
            prepared = time.perf_counter() - t0
    idata, diag = fitting.run_fit(spec, cohort, task.fit, task.seed, built=built)
    rows = fitting.task_estimands(idata, task.estimands)
    rel = fit_relpath(task.key) if task.keep_fit else None
    if rel is not None:
        fitting.save_fit_file(idata, out / rel)
    piece = None
    if task.estimands.get("averaged"):
        arrays = fitting.plateau_piece(idata, task.estimands)
        if arrays is not None:
            piece = piece_relpath(task.key)
            write_piece(out / piece, arrays)
    del idata
    return diag, rows, rel, piece, prepared, int(cohort.sizes["participant"])


def run_task(task: Task, out_dir: str, base=None, design_base=None) -> dict[str, Any]:
    """Run one task on this worker and write its record; returns the record.

    A task already recorded as done (an earlier attempt finished before its worker died)
    is not run again; one recorded as failed is (the client sends it only to retry it). An exception becomes a ``failed`` record with its message.
    """
    out = Path(out_dir)
    done = read_record(out, task.key)
    if done is not None and done.get("status") == "done":
        return done
    state = _plugin()
    t0 = time.perf_counter()
    record: dict[str, Any] = {
        "key": task.key,
        "cohort": task.cohort.label,
        "variant": task.variant.name,
        "spec": task.spec_label,
        "replicate": task.replicate,
        "seed": task.seed,
        "worker": _worker_name(),
        "reused_model": False,
    }
    try:
        with contextlib.redirect_stdout(sys.stderr):
            hit = task.reuse and state.models.get(task.structure) is not None
            diag, rows, rel, piece, prepared, n = _compute(task, state, out, base, design_base)
        record.update(
            status="done",
            error=None,
            diagnostics=diag,
            rows=rows,
            fit_path=rel,
            piece_path=piece,
            n_participants=n,
            reused_model=bool(hit),
            seconds_prepare=round(prepared, 3),
        )
    except Exception as exc:  # a failed task is recorded and the sweep goes on
        msg = f"{type(exc).__name__}: {exc}"
        record.update(status="failed", error=msg, diagnostics={}, rows=[], fit_path=None)
        record["traceback"] = traceback.format_exc(limit=6)
    state.tasks_run += 1
    # the young generations only: a full collection of a heap that holds compiled
    # models takes longer than a small fit (docs/scaling.md)
    gc.collect(1)
    record["wall_s"] = round(time.perf_counter() - t0, 3)
    record["rss_mb"] = round(_rss_mb(), 1)
    record["tasks_on_worker"] = state.tasks_run
    write_record(out, task.key, record)
    return record


def _worker_name() -> str:
    from distributed import get_worker

    w = get_worker()
    return f"{w.name}@{w.address}"
