"""Array operations: program a pattern (V/2 and V/3 write schemes), read it back, VMM.

Programming is row by row: one pulse per row that holds a cell to SET. The
selected row gets ``V``, the columns of the cells to SET get 0, and the other
lines are biased so that no cell sees more than a fraction of ``V``:

* **V/2**: unselected rows and columns at ``V/2``. Cells of the selected row
  (or column) that are not to be set are *half-selected* at ``V/2``; all other
  cells see 0 V.
* **V/3**: unselected rows at ``V/3``, unselected columns at ``2V/3``. Every
  unselected cell sees ``+-V/3``: less disturbance per cell, but on all cells.

Half-selected cells are not protected by a rule: they see their voltage for
the pulse and the compact model decides what it does to them (nucleation
progress, a partly grown filament: :attr:`ProgramReadResult.disturb`).
1T1R arrays switch the gate of the selected row on and the others off.

Reading is also row by row: ``V_read`` on one row, every other row and column
at 0 V, the column currents of that pulse are that row's cells.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from memcompact.crossbar.netlist import CrossbarSpec, Phase, run_transient_ngspice
from memcompact.errors import InputError

SCHEMES = ("V/2", "V/3")
ENGINES = ("ngspice", "python")

#: Default programming pulse: amplitude [V] and width [s] (formation of the
#: ag_sio2 card takes ~2 ms at 4.5 V through the wires; see docs/crossbar.md).
PROGRAM_V = 4.5
PROGRAM_WIDTH_S = 5e-3
READ_V = 0.2
READ_WIDTH_S = 1e-5
EDGE_S = 1e-6
REST_S = 1e-5


def _pattern(spec, pattern):
    arr = np.asarray(pattern)
    if arr.shape != spec.shape:
        raise InputError(f"pattern: expected shape {spec.shape}, got {arr.shape}")
    if arr.dtype != bool:
        if not np.all(np.isin(arr, (0, 1))):
            raise InputError("pattern: entries must be 0/1 or booleans")
        arr = arr.astype(bool)
    return arr


def program_phases(spec, pattern, scheme="V/2", program_V=PROGRAM_V, width_s=PROGRAM_WIDTH_S,
                   edge_s=EDGE_S, rest_s=REST_S):
    """Pulses that SET the cells where ``pattern`` is True, one pulse per row.

    Parameters
    ----------
    spec : CrossbarSpec
    pattern : array_like of bool
        Cells to SET, shape (rows, cols).
    scheme : {"V/2", "V/3"}
    program_V : float
        Write voltage V on the selected row [V] (> 0).
    width_s, edge_s, rest_s : float
        Pulse flat top, edges and rest after it [s].

    Returns
    -------
    list of Phase
    """
    pattern = _pattern(spec, pattern)
    if scheme not in SCHEMES:
        raise InputError(f"scheme: {scheme!r} unknown; choose from {', '.join(SCHEMES)}")
    if not (np.isfinite(program_V) and program_V > 0):
        raise InputError(f"program_V: must be > 0 V, got {program_V!r}")
    for name, value in (("width_s", width_s), ("edge_s", edge_s), ("rest_s", rest_s)):
        if not (np.isfinite(value) and value > 0):
            raise InputError(f"{name}: must be > 0 s, got {value!r}")
    row_other, col_other = (0.5, 0.5) if scheme == "V/2" else (1.0 / 3.0, 2.0 / 3.0)
    phases = []
    for i in range(spec.rows):
        if not pattern[i].any():
            continue
        rows = np.full(spec.rows, row_other * program_V)
        rows[i] = program_V
        cols = np.where(pattern[i], 0.0, col_other * program_V)
        gates = None
        if spec.cell == "1T1R":
            gates = np.full(spec.rows, spec.transistor.gate_off_V)
            gates[i] = spec.transistor.gate_on_V
        phases.append(Phase(rows, cols, gates, width_s, edge_s, rest_s, kind="program", label=f"program row {i}"))
    return phases


def read_phases(spec, read_V=READ_V, width_s=READ_WIDTH_S, edge_s=EDGE_S, rest_s=REST_S):
    """One read pulse per row: ``read_V`` on the row, every other line at 0 V."""
    if not (np.isfinite(read_V) and read_V != 0):
        raise InputError(f"read_V: must be a non-zero voltage, got {read_V!r}")
    phases = []
    for i in range(spec.rows):
        rows = np.zeros(spec.rows)
        rows[i] = read_V
        gates = None
        if spec.cell == "1T1R":
            gates = np.full(spec.rows, spec.transistor.gate_off_V)
            gates[i] = spec.transistor.gate_on_V
        phases.append(Phase(rows, np.zeros(spec.cols), gates, width_s, edge_s, rest_s, kind="read",
                            label=f"read row {i}"))
    return phases


@dataclass
class ProgramReadResult:
    """Outcome of :func:`program_and_read`.

    Attributes
    ----------
    read_currents_A : numpy.ndarray
        Current of each cell at ``read_V`` after programming [A], (rows, cols).
    pattern : numpy.ndarray
        The pattern asked for.
    read_V : float
        Read voltage [V].
    engine : str
    scheme : str
    wall_time_s : float
        Wall time of the simulation [s].
    states : numpy.ndarray or None
        States after the cycle (4, rows, cols) (Python engine; None from ngspice).
    disturb : numpy.ndarray or None
        Nucleation progress of each cell after programming (Python engine): the
        half-select disturbance of cells not meant to switch.
    time_s, column_currents_A : numpy.ndarray or None
        ngspice waveforms: time [s] (T,), column currents [A] (cols, T).
    """

    read_currents_A: np.ndarray
    pattern: np.ndarray
    read_V: float
    engine: str
    scheme: str
    wall_time_s: float
    states: np.ndarray | None = None
    disturb: np.ndarray | None = None
    time_s: np.ndarray | None = None
    column_currents_A: np.ndarray | None = None
    info: dict = field(default_factory=dict)

    @property
    def read_conductance_S(self):
        """Read current over read voltage [S], (rows, cols)."""
        return self.read_currents_A / self.read_V

    def margin_decades(self):
        """log10(smallest ON read current / largest OFF read current) (NaN if one class is empty)."""
        on = self.read_currents_A[self.pattern]
        off = self.read_currents_A[~self.pattern]
        if on.size == 0 or off.size == 0:
            return float("nan")
        return float(np.log10(np.min(np.abs(on)) / np.max(np.abs(off))))


def _sample(time_s, currents, t):
    return np.array([np.interp(t, time_s, row) for row in currents])


def program_and_read(spec, pattern, scheme="V/2", engine="ngspice", program_V=PROGRAM_V,
                     width_s=PROGRAM_WIDTH_S, read_V=READ_V, read_width_s=READ_WIDTH_S, edge_s=EDGE_S,
                     rest_s=REST_S, progress=False, reltol=1e-4, substeps=8, batch=False, keep_dir=None,
                     uic=True):
    """Program a pattern into an array and read every cell back, in one transient.

    Parameters
    ----------
    spec : CrossbarSpec
        The array (its states are the starting point: fresh by default).
    pattern : array_like of bool
        Cells to SET, (rows, cols).
    scheme : {"V/2", "V/3"}
    engine : {"ngspice", "python"}
        ngspice (the spec's backend, Verilog-A by default) or the Python solver.
    program_V, width_s : float
        Write pulse amplitude [V] and width [s].
    read_V, read_width_s : float
        Read voltage [V] and read pulse width [s].
    edge_s, rest_s : float
        Pulse edges and the rest after each pulse [s].
    progress : bool
        Progress on stderr (Python engine).
    reltol : float
        ngspice's relative tolerance.
    substeps : int
        Python engine: network solves per pulse flat top.
    batch : bool
        ngspice: run ``ngspice -b`` instead of the shared library.
    keep_dir : path, optional
        ngspice batch: keep the netlist, raw file and log there.
    uic : bool
        ngspice: ``uic`` on the ``.tran`` line; False starts from the operating point
        (every cell held at its given state, the same start).

    Returns
    -------
    ProgramReadResult

    Examples
    --------
    >>> spec = CrossbarSpec(16, 16)                                  # doctest: +SKIP
    >>> res = program_and_read(spec, np.eye(16, dtype=bool))         # doctest: +SKIP
    >>> res.read_currents_A.shape                                    # doctest: +SKIP
    (16, 16)
    """
    if engine not in ENGINES:
        raise InputError(f"engine: {engine!r} unknown; choose from {', '.join(ENGINES)}")
    pattern = _pattern(spec, pattern)
    prog = program_phases(spec, pattern, scheme, program_V, width_s, edge_s, rest_s)
    reads = read_phases(spec, read_V, read_width_s, edge_s, rest_s)
    phases = prog + reads
    start = time.perf_counter()
    if engine == "python":
        from memcompact.crossbar.solver import simulate_phases

        res = simulate_phases(spec, phases, substeps=substeps, progress=progress)
        read = res.column_currents_A[len(prog):]
        wall = time.perf_counter() - start
        after_program = res.phase_states[len(prog) - 1] if prog else spec.states
        return ProgramReadResult(read_currents_A=read, pattern=pattern, read_V=read_V, engine=engine,
                                 scheme=scheme, wall_time_s=wall, states=res.states,
                                 disturb=after_program[0], info={"phases": len(phases), **res.info})
    time_s, currents, result = run_transient_ngspice(spec, phases, batch=batch, keep_dir=keep_dir, reltol=reltol,
                                                     uic=uic)
    wall = time.perf_counter() - start
    from memcompact.crossbar.netlist import phase_starts_s

    starts, _ = phase_starts_s(phases)
    samples = starts[len(prog):] + np.array([p.sample_time_s() for p in reads])
    read = _sample(time_s, currents, samples).T
    return ProgramReadResult(read_currents_A=read, pattern=pattern, read_V=read_V, engine=engine, scheme=scheme,
                             wall_time_s=wall, time_s=time_s, column_currents_A=currents,
                             info={"phases": len(phases), "points": int(time_s.size)})


def vmm(spec, row_V, engine="python", gate_V=None):
    """Vector-matrix multiply: row voltages in [V], column currents out [A] (virtual-ground sense).

    Parameters
    ----------
    spec : CrossbarSpec
    row_V : array_like
        Input voltages [V], (rows,).
    engine : {"python", "ngspice"}
    gate_V : array_like, optional
        1T1R gates [V] (default all on).
    """
    if engine == "python":
        from memcompact.crossbar.solver import solve_dc
        return solve_dc(spec, row_V, 0.0, gate_V).column_currents_A
    if engine == "ngspice":
        from memcompact.crossbar.netlist import run_vmm_ngspice
        return run_vmm_ngspice(spec, row_V, 0.0, gate_V)
    raise InputError(f"engine: {engine!r} unknown; choose from {', '.join(ENGINES)}")
