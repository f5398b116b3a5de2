"""Sweep results on disk: one Parquet file, one row per task (pyarrow).

While a sweep runs, finished rows go in batches to ``OUT.parquet.parts/``
(each batch its own small Parquet file, written atomically), so a killed run
keeps what it finished. At the end the earlier file, the batches and nothing
else are merged into ``OUT.parquet`` (atomically) and the batches removed.
A rerun reads both and skips every task whose row says ``status == "ok"``;
failed tasks run again.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from memcompact.errors import InputError

#: Columns every sweep file has besides the parameters and the outputs.
BOOK_COLUMNS = {"task_id": pa.string(), "study": pa.string(), "seed": pa.int64(), "status": pa.string(),
                "error": pa.string(), "traceback": pa.string(), "wall_time_s": pa.float64(),
                "worker": pa.string()}
_KIND_TYPES = {"float": pa.float64(), "int": pa.int64(), "str": pa.string()}
#: Key of the sweep spec in the Parquet schema metadata.
SPEC_METADATA_KEY = b"memcompact.sweep.spec"


def parts_dir(path):
    """Folder of the batches of a running sweep writing to ``path``."""
    path = Path(path)
    return path.with_name(path.name + ".parts")


def result_schema(spec):
    """Arrow schema of a sweep's rows: book-keeping, parameters (typed by the study), outputs."""
    from memcompact.studies import study_module

    module = study_module(spec.study)
    fields = [pa.field("task_id", BOOK_COLUMNS["task_id"]), pa.field("study", BOOK_COLUMNS["study"])]
    fields += [pa.field(name, _KIND_TYPES[p.kind]) for name, p in module.PARAMETERS.items()]
    fields += [pa.field("seed", BOOK_COLUMNS["seed"])]
    fields += [pa.field(name, typ) for name, typ in module.OUTPUTS.items()]
    fields += [pa.field(k, BOOK_COLUMNS[k]) for k in ("status", "error", "traceback", "wall_time_s", "worker")]
    meta = {SPEC_METADATA_KEY: json.dumps({"study": spec.study, "spec": spec.source}, default=repr).encode()}
    return pa.schema(fields, metadata=meta)


def rows_table(rows, schema):
    """A table of result rows in ``schema`` (missing outputs of failed tasks are null)."""
    names = schema.names
    return pa.Table.from_pylist([{k: r.get(k) for k in names} for r in rows], schema=schema)


def _atomic_write_table(table, path):
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        pq.write_table(table, tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_batch(rows, schema, path, index):
    """Write one batch of finished rows to the parts folder of ``path`` (atomically)."""
    folder = parts_dir(path)
    folder.mkdir(exist_ok=True)
    _atomic_write_table(rows_table(rows, schema), folder / f"part-{index:06d}.parquet")


def _read_one(file, schema):
    try:
        table = pq.read_table(file)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"{file}: not a readable Parquet file ({str(exc).splitlines()[0]})") from None
    if schema is not None:
        if table.schema.metadata and SPEC_METADATA_KEY in table.schema.metadata:
            theirs = json.loads(table.schema.metadata[SPEC_METADATA_KEY])["study"]
            ours = json.loads(schema.metadata[SPEC_METADATA_KEY])["study"]
            if theirs != ours:
                raise InputError(f"{file} holds study {theirs!r}, not {ours!r}; choose another output file")
        missing = [n for n in schema.names if n not in table.schema.names]
        if missing:
            raise InputError(f"{file}: not a sweep file of this study (no column {missing[0]!r})")
        table = table.select(schema.names).cast(schema)
    return table


def read_existing(path, schema):
    """Rows already on disk for ``path`` (the file and any batches of an interrupted run), or None."""
    path = Path(path)
    tables = []
    if path.exists():
        tables.append(_read_one(path, schema))
    folder = parts_dir(path)
    if folder.is_dir():
        tables += [_read_one(f, schema) for f in sorted(folder.glob("part-*.parquet"))]
    if not tables:
        return None
    return pa.concat_tables(tables)


def finished_ids(table):
    """Ids of the tasks that finished without error in ``table``."""
    if table is None:
        return set()
    ids = table.column("task_id").to_pylist()
    status = table.column("status").to_pylist()
    return {i for i, s in zip(ids, status) if s == "ok"}


def consolidate(path, schema):
    """Merge the file and its batches into one Parquet file at ``path``; remove the batches.

    Each task keeps its latest row (a rerun's row replaces an earlier failed
    one); rows of tasks outside the present spec (an earlier, wider sweep)
    stay.
    """
    path = Path(path)
    table = read_existing(path, schema)
    if table is None:
        table = rows_table([], schema)
    ids = table.column("task_id").to_pylist()
    latest = {}
    for k, i in enumerate(ids):
        latest[i] = k
    keep = sorted(latest.values())
    table = table.take(pa.array(keep, type=pa.int64())) if keep else table.slice(0, 0)
    table = table.replace_schema_metadata(schema.metadata)
    _atomic_write_table(table, path)
    folder = parts_dir(path)
    if folder.is_dir():
        for f in folder.glob("part-*.parquet"):
            f.unlink()
        try:
            folder.rmdir()
        except OSError:
            pass
    return table


def read_results(path):
    """A sweep's Parquet file as an Arrow table, with its study name.

    Returns
    -------
    (str, pyarrow.Table)
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such sweep file")
    table = _read_one(path, None)
    meta = table.schema.metadata or {}
    if SPEC_METADATA_KEY not in meta:
        raise InputError(f"{path}: not a memcompact sweep file (no sweep spec in its metadata)")
    return json.loads(meta[SPEC_METADATA_KEY])["study"], table


def read_results_together(paths):
    """Several sweep files of one study as one Arrow table (rows of all, in file order), with the study name.

    Sweeps of one study over different ranges (``crossbar_margin`` for 8-128
    and ``crossbar_margin_large`` for 256-512) are drawn in one figure this way.

    Raises
    ------
    InputError
        No file, a file that is not a sweep file, or files of different studies.
    """
    import pyarrow as pa

    paths = list(paths)
    if not paths:
        raise InputError("no sweep file given")
    studies, tables = zip(*(read_results(p) for p in paths))
    if len(set(studies)) > 1:
        found = ", ".join(f"{p}: {s}" for p, s in zip(paths, studies))
        raise InputError(f"the files hold different studies ({found}); draw one study at a time")
    if len(tables) == 1:
        return studies[0], tables[0]
    return studies[0], pa.concat_tables([t.replace_schema_metadata(None) for t in tables],
                                        promote_options="default")
