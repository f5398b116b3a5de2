"""``memcompact sweep``: run a study's parameter sweep on Dask; one Parquet row per task.

``memcompact sweep SPEC -o OUT.parquet`` expands SPEC (a JSON/TOML file or a
bundled spec's name: crossbar_margin, crossbar_margin_large, vt_map,
chain_regime) into tasks (parameter point x seed), runs them on a local
Dask cluster it starts itself (``--workers``) or on an existing one
(``--scheduler``), writes OUT.parquet and draws the study's figure
(OUT.png). A rerun skips the finished tasks. ``memcompact sweep plot
OUT.parquet`` redraws the figure from the file. Exit status 0, or 1 when
some task failed (its row holds the error); bad input exits with 2 before
anything is written.
"""

from __future__ import annotations

from pathlib import Path

from memcompact.errors import InputError

NAME = "sweep"
HELP = "run a study's parameter sweep (point x seed tasks) on a Dask cluster; results in one Parquet file"
DESCRIPTION = (
    "SPEC is a JSON or TOML sweep spec (docs/studies.md) or the name of a bundled one "
    "(crossbar_margin, crossbar_margin_large, vt_map, chain_regime). Every parameter point times every seed "
    "is one task; the tasks run on a local Dask cluster started for the run (--workers, default one per core) "
    "or on a running cluster (--scheduler tcp://HOST:8786, e.g. from dask-jobqueue or Kubernetes). "
    "OUT.parquet gets one row per task: the parameters, the seed, the outputs, the status and error, the wall "
    "time. Rerunning skips finished tasks; failed tasks run again. 'memcompact sweep plot OUT.parquet "
    "[MORE.parquet ...]' redraws the study's figure, from several sweep files of one study together (e.g. "
    "crossbar_margin and crossbar_margin_large: 8 to 512 in one figure). Exit 1 when a task failed (the "
    "others still run)."
)


def add_arguments(parser):
    parser.add_argument("spec", metavar="SPEC", help="sweep spec (.json/.toml) or bundled spec name; or 'plot'")
    parser.add_argument("results", nargs="*", metavar="OUT.parquet",
                        help="with SPEC = plot: the sweep file(s) to draw, one study")
    parser.add_argument("-o", "--output", default=None,
                        help="Parquet file of the results (default: the spec's 'output')")
    parser.add_argument("--workers", type=int, default=None,
                        help="worker processes of the local cluster, one thread each (default: CPU cores)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="address of a running Dask scheduler (tcp://host:8786) instead of a local cluster")
    parser.add_argument("--quick", action="store_true", help="use the spec's 'quick' block (a small sweep)")
    parser.add_argument("--figure", default=None, metavar="PNG",
                        help="figure file (default: the Parquet file's name with .png)")
    parser.add_argument("--no-plot", action="store_true", help="do not draw the figure after the run")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


def _figure_path(args, parquet):
    path = Path(args.figure) if args.figure else Path(parquet).with_suffix(".png")
    if path.suffix.lower() not in (".png", ".pdf", ".svg"):
        raise InputError(f"--figure {path}: the file name must end in .png, .pdf or .svg")
    if not path.parent.is_dir():
        raise InputError(f"--figure {path}: folder {path.parent} does not exist")
    return path


def draw(parquets, figure):
    """Draw the study's figure of the sweep files ``parquets`` (a list of paths) into ``figure``.

    Several files must hold the same study; their rows are drawn together.
    Returns the study name.
    """
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from memcompact.studies import study_module
    from memcompact.sweep.store import read_results_together

    study, table = read_results_together(parquets)
    fig = study_module(study).plot_results(table, path=figure)
    plt.close(fig)
    return study


def _run_stoppable(function, *args, **kwargs):
    """Call ``function`` with SIGTERM (a batch system's time limit, ``kill``) turned into KeyboardInterrupt,
    so the finished rows are written before the command stops (exit status 130)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return function(*args, **kwargs)

    def stop(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        return function(*args, **kwargs)
    finally:
        signal.signal(signal.SIGTERM, previous)


def run(args):
    if args.spec == "plot":
        if not args.results:
            raise InputError("sweep plot needs the Parquet file: memcompact sweep plot OUT.parquet [MORE.parquet ...]")
        figure = _figure_path(args, args.results[0])
        study = draw(args.results, figure)
        print(f"sweep plot: {study} figure of {', '.join(args.results)} -> {figure}")
        return 0
    if args.results:
        raise InputError(f"unexpected argument {args.results[0]!r} (the output file goes after -o)")
    from memcompact.sweep.engine import check_output, run_sweep
    from memcompact.sweep.spec import load_spec

    if args.workers is not None and args.workers < 1:
        raise InputError(f"--workers must be a positive whole number, got {args.workers}")
    spec = load_spec(args.spec, quick=args.quick)
    output = args.output or spec.output
    if output is None:
        raise InputError("no output file: give -o OUT.parquet (the spec has no 'output')")
    check_output(output)
    figure = None if args.no_plot else _figure_path(args, output)
    summary = _run_stoppable(run_sweep, spec, output, workers=args.workers, scheduler=args.scheduler,
                             progress=not args.no_progress)
    drawn = ""
    if figure is not None and summary["ok"] + summary["skipped"] > 0:
        draw([output], figure)
        drawn = f", figure {figure}"
    print(f"sweep {spec.study}: {summary['tasks']} tasks, {summary['skipped']} finished before, "
          f"{summary['ok']} ok, {summary['failed']} failed in {summary['wall_time_s']:.1f} s; "
          f"results {output}{drawn}")
    if summary["failed"]:
        import sys
        print(f"memcompact sweep: {summary['failed']} task(s) failed; their rows in {output} hold the error "
              f"(status == 'error'); rerun to retry them", file=sys.stderr)
        return 1
    return 0
