"""Run a sweep's tasks on a ``dask.distributed`` cluster and keep one Parquet row per task.

The cluster is a :class:`distributed.LocalCluster` the run starts and stops
itself (one single-threaded worker process per core, no set-up), or an
existing one given by its scheduler address (dask-jobqueue on SLURM/PBS,
dask-kubernetes, ``dask scheduler`` by hand: docs/studies.md).
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from pathlib import Path

from memcompact.errors import InputError
from memcompact.sweep import store
from memcompact.sweep.tasks import execute_task, expand_tasks

#: How long to try reaching a given scheduler before giving up [s].
CONNECT_TIMEOUT_S = 5.0
#: A batch of finished rows goes to disk after this many rows ...
BATCH_ROWS = 500
#: ... or after this much wall time since the last batch [s].
BATCH_INTERVAL_S = 5.0


@contextlib.contextmanager
def connect(scheduler=None, workers=None, timeout_s=CONNECT_TIMEOUT_S):
    """A Dask client: on the cluster at ``scheduler``, else on a new local cluster.

    Parameters
    ----------
    scheduler : str, optional
        Address of a running scheduler (``tcp://host:8786``).
    workers : int, optional
        Worker processes of the local cluster (default: the CPU cores),
        one thread each. Ignored with ``scheduler``.
    timeout_s : float
        Give up reaching ``scheduler`` after this long [s].

    Raises
    ------
    InputError
        The scheduler cannot be reached within ``timeout_s`` (one line with
        the address), or ``workers`` is not a positive whole number.
    """
    if scheduler is not None:
        _check_reachable(scheduler, timeout_s)
    import dask
    from distributed import Client, LocalCluster

    if scheduler is not None:
        with dask.config.set({"distributed.comm.timeouts.connect": f"{timeout_s}s"}):
            try:
                client = Client(scheduler, timeout=timeout_s, set_as_default=False)
            except Exception as exc:  # noqa: BLE001 - OSError, TimeoutError, ValueError (bad address)
                reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                raise InputError(f"cannot reach the Dask scheduler at {scheduler!r} within {timeout_s:g} s "
                                 f"({reason[:160]})") from None
        try:
            yield client
        finally:
            client.close()
        return
    n = workers if workers is not None else (os.cpu_count() or 1)
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InputError(f"--workers must be a positive whole number, got {workers!r}")
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0",
                           silence_logs=logging.ERROR)
    client = Client(cluster, set_as_default=False)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def _check_reachable(address, timeout_s):
    """Open and close a TCP connection to a ``tcp://host:port`` scheduler address before Dask tries.

    A refused or silent port is reported at once (or after ``timeout_s``)
    rather than after Dask's retries; other protocols (tls, inproc, ucx) are
    left to Dask.
    """
    import socket
    from urllib.parse import urlsplit

    text = str(address)
    if "://" not in text:
        text = "tcp://" + text
    parts = urlsplit(text)
    if parts.scheme != "tcp":
        return
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        raise InputError(f"scheduler address {address!r} has no valid port (tcp://HOST:PORT)") from None
    if not host or port is None:
        raise InputError(f"scheduler address {address!r} is not tcp://HOST:PORT")
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise InputError(f"cannot reach the Dask scheduler at {address!r} within {timeout_s:g} s ({reason})") from None


def check_output(path):
    """The output file as a Path; :class:`InputError` when it cannot be one (checked before any work)."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"output {path} is a folder, not a file")
    if not path.parent.is_dir():
        raise InputError(f"output {path}: folder {path.parent} does not exist")
    if path.suffix.lower() != ".parquet":
        raise InputError(f"output {path}: the file name must end in .parquet")
    return path


def _failed_row(task, exc):
    """Result row of a task whose worker failed (died, lost, cancelled)."""
    return {"task_id": task.task_id, "study": task.study, **task.params, "seed": task.seed, "status": "error",
            "error": f"{type(exc).__name__}: {exc}".splitlines()[0][:500], "traceback": None,
            "wall_time_s": None, "worker": None}


def run_sweep(spec, output, workers=None, scheduler=None, client=None, progress=True,
              batch_rows=BATCH_ROWS, batch_interval_s=BATCH_INTERVAL_S):
    """Run every unfinished task of ``spec`` on Dask; write one row per task to ``output`` (Parquet).

    Parameters
    ----------
    spec : memcompact.sweep.spec.SweepSpec
    output : str or Path
        The Parquet file (``.parquet``). Its finished tasks are skipped.
    workers : int, optional
        Local-cluster worker processes (default: CPU cores).
    scheduler : str, optional
        Address of an existing Dask scheduler.
    client : distributed.Client, optional
        An open client to use (tests, notebooks); neither cluster is started.
    progress : bool
        Progress bar on stderr.
    batch_rows, batch_interval_s : int, float
        Write finished rows to disk after this many rows or seconds [s].

    Returns
    -------
    dict
        ``tasks`` (in the spec), ``skipped`` (finished before), ``ok`` and
        ``failed`` (this run), ``wall_time_s`` [s], ``output``.

    Raises
    ------
    InputError
        A bad output path, an output file of another study, an unreachable
        scheduler: before anything is written.
    """
    from memcompact.progress import Progress

    start = time.perf_counter()
    path = check_output(output)
    schema = store.result_schema(spec)
    tasks = expand_tasks(spec)
    done = store.finished_ids(store.read_existing(path, schema))
    todo = [t for t in tasks if t.task_id not in done]
    summary = {"study": spec.study, "tasks": len(tasks), "skipped": len(tasks) - len(todo), "ok": 0, "failed": 0,
               "output": str(path)}
    if todo:
        if client is not None:
            _run_tasks(client, todo, path, schema, summary, progress, batch_rows, batch_interval_s, Progress)
        else:
            with connect(scheduler=scheduler, workers=workers) as own:
                _run_tasks(own, todo, path, schema, summary, progress, batch_rows, batch_interval_s, Progress)
    store.consolidate(path, schema)
    summary["wall_time_s"] = time.perf_counter() - start
    return summary


def _run_tasks(client, todo, path, schema, summary, progress, batch_rows, batch_interval_s, progress_cls):
    from distributed import as_completed

    futures = client.map(execute_task, todo, pure=False)
    by_key = {f.key: t for f, t in zip(futures, todo)}
    rows, batch_index = [], _next_batch_index(path)
    last_flush = time.perf_counter()
    label = f"sweep {summary['study']}"
    with progress_cls(label, total=len(todo), unit=" tasks", enabled=progress) as bar, client.as_current():
        try:
            for count, future in enumerate(as_completed(futures), start=1):
                try:
                    row = future.result()
                except Exception as exc:  # noqa: BLE001 - a lost worker fails its task, not the sweep
                    row = _failed_row(by_key[future.key], exc)
                future.release()
                rows.append(row)
                summary["ok" if row["status"] == "ok" else "failed"] += 1
                bar.update(count, note=f"{summary['failed']} failed" if summary["failed"] else "")
                if len(rows) >= batch_rows or time.perf_counter() - last_flush >= batch_interval_s:
                    store.write_batch(rows, schema, path, batch_index)
                    rows, batch_index, last_flush = [], batch_index + 1, time.perf_counter()
        finally:
            if rows:  # also on Ctrl-C: what finished is kept for the rerun
                store.write_batch(rows, schema, path, batch_index)
            client.cancel([f for f in futures if not f.done()])


def _next_batch_index(path):
    folder = store.parts_dir(path)
    if not folder.is_dir():
        return 0
    indices = [int(f.stem.split("-")[1]) for f in folder.glob("part-*.parquet") if f.stem.split("-")[1].isdigit()]
    return max(indices, default=-1) + 1
