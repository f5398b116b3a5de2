"""Parameter sweeps on Dask: a spec expands into tasks (parameter point x seed), a
``dask.distributed`` cluster runs them, one Parquet row per task (issue 17).

Typical use::

    from memcompact.sweep import load_spec, run_sweep
    spec = load_spec("vt_map")                  # a bundled spec, or a JSON/TOML file
    summary = run_sweep(spec, "vt.parquet", workers=2)

The command line is ``memcompact sweep SPEC -o OUT.parquet``; see docs/studies.md.
"""

from memcompact.sweep.spec import Param, SweepSpec, load_spec, parse_spec
from memcompact.sweep.tasks import Task, expand_tasks
from memcompact.sweep.engine import connect, run_sweep
from memcompact.sweep.store import read_results

__all__ = ["Param", "SweepSpec", "Task", "connect", "expand_tasks", "load_spec", "parse_spec", "read_results",
           "run_sweep"]
