"""Tasks of a sweep: every parameter point times every seed, each with a stable id."""

from __future__ import annotations

import hashlib
import itertools
import json
import time
import traceback
from dataclasses import dataclass


@dataclass(frozen=True)
class Task:
    """One unit of work: a study evaluated at one parameter point with one seed.

    Attributes
    ----------
    task_id : str
        Stable id (hash of study, parameters and seed): a rerun recognises
        the finished tasks by it.
    study : str
    params : dict
        Every parameter of the study at this point (name -> value).
    seed : int
    """

    task_id: str
    study: str
    params: dict
    seed: int


def task_id(study, params, seed):
    """Stable 16-hex-digit id of (study, parameters, seed), independent of dictionary order."""
    key = json.dumps({"study": study, "params": params, "seed": int(seed)}, sort_keys=True, default=repr)
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def expand_tasks(spec):
    """All tasks of a :class:`~memcompact.sweep.spec.SweepSpec`, point by point, seeds innermost."""
    names = list(spec.axes)
    tasks = []
    for values in itertools.product(*(spec.axes[n] for n in names)):
        params = dict(zip(names, values))
        for seed in spec.seeds:
            tasks.append(Task(task_id(spec.study, params, seed), spec.study, params, int(seed)))
    return tasks


def execute_task(task):
    """Run one task where it lands (a Dask worker); never raises.

    Returns
    -------
    dict
        One result row: ``task_id``, ``study``, the parameters, ``seed``,
        the study's outputs, ``status`` ("ok" or "error"), ``error`` (the
        exception's type and message, else None), ``traceback`` (its last
        lines, else None) and ``wall_time_s`` [s].
    """
    from memcompact.studies import study_module

    start = time.perf_counter()
    row = {"task_id": task.task_id, "study": task.study, **task.params, "seed": task.seed}
    try:
        outputs = study_module(task.study).run_task(dict(task.params), task.seed)
        row.update(outputs)
        row.update(status="ok", error=None, traceback=None)
    except Exception as exc:  # noqa: BLE001 - a failed task is recorded, the sweep goes on
        row.update(status="error", error=f"{type(exc).__name__}: {exc}".splitlines()[0][:500],
                   traceback="".join(traceback.format_exc().splitlines(keepends=True)[-6:]))
    row["wall_time_s"] = time.perf_counter() - start
    row["worker"] = _worker_name()
    return row


def _worker_name():
    """Address of the Dask worker running this task ("local" outside a worker)."""
    try:
        from distributed import get_worker
        return str(get_worker().address)
    except (ImportError, ValueError):
        return "local"
