"""Crossbar arrays as plain ngspice netlists, and their runs in ngspice.

Topology of an N x M array (rows i = 0..N-1 driven from the left, columns
j = 0..M-1 sensed at the bottom)::

    VR<i> dr<i> 0            row driver (DC or PWL) [V]
    RDR<i> dr<i> ra<i>       driver source resistance (omitted when 0)
    RR<i>_<j>                row wire segment left of cell (i, j): ra<i> -> r<i>_0 -> ... r<i>_<M-1>
    cell (i, j)              r<i>_<j> (active electrode) -> c<i>_<j> (inert electrode);
                             1T1R: memristor r -> m<i>_<j>, NMOS drain m, gate g<i>, source c
    RC<i>_<j>                column wire segment below cell (i, j): c<i>_<j> -> c<i+1>_<j> ... -> cb<j>
    VC<j> cb<j> 0            sense amplifier as a virtual ground (a 0 V source), or
    RL<j> cb<j> cs<j>        a load resistor to VC<j> cs<j> 0 (sense = "load")
    VG<i> g<i> 0             gate line of row i (1T1R)

Every cell has one row segment (to its left) and one column segment (below
it), so the far corner (row 0, last column) sees M row and N column segments.
The column current ``i(VC<j>)`` [A] is the current leaving the array through
column j; positive row voltages SET the cells (active electrode on the row).

Per-cell parameters and initial states are written on each cell (cells with
equal values share one ``.model``), through the crossbar cell variant of the
model (:mod:`memcompact.crossbar.cellmodel`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from memcompact.crossbar import cellmodel
from memcompact.errors import InputError, ParameterError
from memcompact.export.testbench import continuation_lines
from memcompact.model import STATE_NAMES, compiled, default_params, validate_params
from memcompact.model.parameters import PARAMETERS

CELLS = ("1R", "1T1R")
SENSES = ("virtual_ground", "load")
BACKENDS = ("verilog-a", "native", "resistor")
#: Model name of the NMOS access transistors.
NMOS_MODEL = "nmos_xb"


@dataclass(frozen=True)
class Transistor:
    """NMOS access transistor of 1T1R cells (ngspice's built-in level-1 MOSFET).

    Attributes
    ----------
    threshold_V : float
        Threshold voltage VTO [V].
    transconductance_A_per_V2 : float
        Process transconductance KP [A/V^2].
    width_m, length_m : float
        Channel width and length [m].
    gate_on_V, gate_off_V : float
        Gate-line voltage of a selected / unselected row [V].
    """

    threshold_V: float = 0.5
    transconductance_A_per_V2: float = 2e-4
    width_m: float = 1e-6
    length_m: float = 1e-7
    gate_on_V: float = 5.0
    gate_off_V: float = 0.0

    @property
    def beta_A_per_V2(self):
        """KP W / L [A/V^2]."""
        return self.transconductance_A_per_V2 * self.width_m / self.length_m

    def model_line(self):
        """``.model`` line: level 1, no junction leakage, no channel-length modulation."""
        return (f".model {NMOS_MODEL} nmos level=1 vto={_num(self.threshold_V)} "
                f"kp={_num(self.transconductance_A_per_V2)} lambda=0 gamma=0 is=0 js=0 "
                f"cbd=0 cbs=0 cgso=0 cgdo=0 cgbo=0")


def _num(value):
    return f"{float(value):.12g}"


@dataclass
class CrossbarSpec:
    """An N x M crossbar array.

    Parameters
    ----------
    rows, cols : int
        Array size N x M.
    cell : {"1R", "1T1R"}
        Bare memristor, or memristor plus NMOS access transistor.
    wire_resistance_ohm : float
        Resistance of one wire segment (one cell pitch) on rows and columns [Ohm], > 0.
    driver_resistance_ohm : float
        Source resistance of each row driver [Ohm], >= 0.
    sense : {"virtual_ground", "load"}
        Column termination: a 0 V source (transimpedance amplifier input), or a
        load resistor to the column source.
    load_resistance_ohm : float
        Load resistor of ``sense="load"`` [Ohm].
    params : dict, optional
        Model parameters: scalars or arrays of shape (rows, cols) (per cell,
        e.g. from :func:`memcompact.model.variability.sample_devices` reshaped).
        Missing names take the defaults.
    states : array_like, optional
        Initial states, shape (4, rows, cols), in :data:`memcompact.model.STATE_NAMES`
        order and units; default: fresh devices.
    backend : {"verilog-a", "native", "resistor"}
        Cell device in ngspice: the Verilog-A model (OSDI), the ngspice-native
        subcircuit, or a plain resistor of the cell's conductance (DC only;
        the speed floor).
    transistor : Transistor
        Access transistor of 1T1R cells.
    """

    rows: int
    cols: int
    cell: str = "1R"
    wire_resistance_ohm: float = 1.0
    driver_resistance_ohm: float = 100.0
    sense: str = "virtual_ground"
    load_resistance_ohm: float = 1000.0
    params: dict | None = None
    states: np.ndarray | None = None
    backend: str = "verilog-a"
    transistor: Transistor = field(default_factory=Transistor)

    def __post_init__(self):
        for name in ("rows", "cols"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise InputError(f"{name}: must be a positive integer, got {value!r}")
            setattr(self, name, int(value))
        if self.cell not in CELLS:
            raise InputError(f"cell: {self.cell!r} unknown; choose from {', '.join(CELLS)}")
        if self.sense not in SENSES:
            raise InputError(f"sense: {self.sense!r} unknown; choose from {', '.join(SENSES)}")
        if self.backend not in BACKENDS:
            raise InputError(f"backend: {self.backend!r} unknown; choose from {', '.join(BACKENDS)}")
        for name, low, strict in (("wire_resistance_ohm", 0.0, True), ("driver_resistance_ohm", 0.0, False),
                                  ("load_resistance_ohm", 0.0, True)):
            value = float(getattr(self, name))
            if not np.isfinite(value) or value < low or (strict and value == low):
                raise InputError(f"{name}: must be {'>' if strict else '>='} {low:g} Ohm, got {value!r}")
            setattr(self, name, value)
        shape = (self.rows, self.cols)
        params = dict(default_params())
        for name, value in (self.params or {}).items():
            arr = np.asarray(value, dtype=float)
            if arr.ndim == 0:
                params[name] = float(arr)
            elif arr.shape == shape:
                params[name] = arr
            elif arr.size == self.rows * self.cols and arr.ndim == 1:
                params[name] = arr.reshape(shape)
            else:
                raise ParameterError(name, f"must be a scalar or an array of shape {shape}, got {arr.shape}")
        validate_params(params)
        self.params = params
        fresh = np.array([np.broadcast_to(s, shape) for s in
                          compiled.initial_state({k: np.asarray(v) for k, v in params.items()})], dtype=float)
        if self.states is None:
            self.states = fresh
        else:
            states = np.asarray(self.states, dtype=float)
            if states.shape != (4,) + shape:
                raise InputError(f"states: expected shape {(4,) + shape}, got {states.shape}")
            if not np.all(np.isfinite(states)):
                raise InputError("states: must be finite")
            self.states = states.copy()

    # ---- per-cell views ------------------------------------------------
    @property
    def shape(self):
        """(rows, cols)."""
        return (self.rows, self.cols)

    @property
    def n_cells(self):
        return self.rows * self.cols

    def cell_params(self):
        """Parameters with every value an array of shape (rows*cols,), row-major."""
        return {k: np.broadcast_to(np.asarray(v, dtype=float), self.shape).reshape(-1).copy()
                for k, v in self.params.items()}

    def cell_states(self):
        """States, shape (4, rows*cols), row-major."""
        return self.states.reshape(4, -1).copy()

    def state_offsets(self):
        """States minus the fresh values, shape (4, rows, cols)."""
        fresh = np.array([np.broadcast_to(s, self.shape) for s in
                          compiled.initial_state({k: np.asarray(v) for k, v in self.params.items()})])
        return self.states - fresh

    def conductance_S(self):
        """Cell conductances [S], shape (rows, cols)."""
        g = compiled.conductance(tuple(self.states.reshape(4, -1)), self.cell_params())
        return np.broadcast_to(g, (self.n_cells,)).reshape(self.shape).copy()

    def with_states(self, states):
        """A copy of this spec with other initial states (4, rows, cols)."""
        from dataclasses import replace
        return replace(self, states=np.asarray(states, dtype=float))

    def with_backend(self, backend):
        """A copy of this spec with another ngspice cell backend."""
        from dataclasses import replace
        return replace(self, backend=backend)


# ---- bias ---------------------------------------------------------------
def _bias_array(values, n, what, allow_nan=True):
    if values is None:
        return np.zeros(n)
    arr = np.asarray(values, dtype=float)
    if arr.ndim == 0:
        arr = np.full(n, float(arr))
    if arr.shape != (n,):
        raise InputError(f"{what}: expected {n} values, got shape {arr.shape}")
    if np.any(np.isinf(arr)) or (not allow_nan and np.any(np.isnan(arr))):
        raise InputError(f"{what}: values must be finite" + ("" if allow_nan else " (no floating lines here)"))
    return arr.copy()


def gate_default(spec, gate_V=None):
    """Gate-line voltages [V] (rows,): all on by default."""
    if spec.cell != "1T1R":
        return np.zeros(spec.rows)
    if gate_V is None:
        return np.full(spec.rows, spec.transistor.gate_on_V)
    return _bias_array(gate_V, spec.rows, "gate_V", allow_nan=False)


# ---- netlist text -------------------------------------------------------



def _cell_values(spec):
    """Per cell: tuple of (name, value) for every parameter and state offset (row-major)."""
    params = spec.cell_params()
    offsets = spec.state_offsets().reshape(4, -1)
    names = [p.name for p in PARAMETERS]
    table = np.array([params[n] for n in names] + list(offsets))
    return names + list(cellmodel.OFFSET_NAMES), table.T


def array_lines(spec):
    """Lines of the array proper: wires, cells, models (no sources).

    Parameters
    ----------
    spec : CrossbarSpec
    """
    n, m = spec.shape
    lines = [f"* {n} x {m} {spec.cell} array, {spec.wire_resistance_ohm:g} Ohm per wire segment, "
             f"cells: {spec.backend}"]
    rw = _num(spec.wire_resistance_ohm)
    for i in range(n):
        lines.append(f"RR{i}_0 ra{i} r{i}_0 {rw}")
        lines += [f"RR{i}_{j} r{i}_{j - 1} r{i}_{j} {rw}" for j in range(1, m)]
    for j in range(m):
        lines += [f"RC{i}_{j} c{i}_{j} c{i + 1}_{j} {rw}" for i in range(n - 1)]
        lines.append(f"RC{n - 1}_{j} c{n - 1}_{j} cb{j} {rw}")
    lines += cell_lines(spec)
    return lines


def cell_lines(spec):
    """The N*M cell instances (and their ``.model`` lines)."""
    n, m = spec.shape
    one_t = spec.cell == "1T1R"
    lines = []
    if spec.backend == "resistor":
        g = spec.conductance_S()
        for i in range(n):
            for j in range(m):
                end = f"m{i}_{j}" if one_t else f"c{i}_{j}"
                lines.append(f"RM{i}_{j} r{i}_{j} {end} {_num(1.0 / g[i, j])}")
    else:
        names, table = _cell_values(spec)
        if spec.backend == "verilog-a":
            models = {}
            for k, row in enumerate(table):
                key = tuple(row)
                if key not in models:
                    models[key] = f"xbcell{len(models)}"
                i, j = divmod(k, m)
                end = f"m{i}_{j}" if one_t else f"c{i}_{j}"
                lines.append(f"N{i}_{j} r{i}_{j} {end} {models[key]}")
            for key, model in models.items():
                lines += continuation_lines(f".model {model} {cellmodel.CELL_NAME}",
                                    [f"{name}={_num(v)}" for name, v in zip(names, key)])
        else:  # native subcircuit: only values that differ from its defaults
            defaults = dict(default_params())
            defaults.update({name: 0.0 for name in cellmodel.OFFSET_NAMES})
            for k, row in enumerate(table):
                i, j = divmod(k, m)
                end = f"m{i}_{j}" if one_t else f"c{i}_{j}"
                items = [f"{name}={_num(v)}" for name, v in zip(names, row) if float(v) != float(defaults[name])]
                lines += continuation_lines(f"X{i}_{j} r{i}_{j} {end} {cellmodel.CELL_NAME}", items)
    if one_t:
        t = spec.transistor
        lines += [f"M{i}_{j} m{i}_{j} g{i} c{i}_{j} 0 {NMOS_MODEL} W={_num(t.width_m)} L={_num(t.length_m)}"
                  for i in range(n) for j in range(m)]
        lines.append(t.model_line())
    return lines


def _source_value(value):
    return f"DC {_num(value)}"


def source_lines(spec, row_values, col_values, gate_values=None, pwl=False):
    """Driver, sense and gate sources.

    Parameters
    ----------
    spec : CrossbarSpec
    row_values, col_values : sequence
        Per row / column: a voltage [V] (NaN = floating line, DC only), or,
        with ``pwl=True``, a (times_s, voltages_V) pair.
    gate_values : sequence, optional
        Per row gate voltage (1T1R), same form.
    """
    def src(value):
        if pwl:
            t, v = value
            return " ".join(["PWL("] + [f"{_num(a)} {_num(b)}" for a, b in zip(t, v)] + [")"])
        return _source_value(value)

    lines = []
    for i, value in enumerate(row_values):
        if not pwl and np.isnan(value):
            lines.append(f"* row {i} floating")
            lines.append(f"RFL{i} ra{i} 0 1e15")
            continue
        if spec.driver_resistance_ohm > 0:
            lines += continuation_lines(f"VR{i} dr{i} 0", src(value).split(" "))
            lines.append(f"RDR{i} dr{i} ra{i} {_num(spec.driver_resistance_ohm)}")
        else:
            lines += continuation_lines(f"VR{i} ra{i} 0", src(value).split(" "))
    for j, value in enumerate(col_values):
        if not pwl and np.isnan(value):
            lines.append(f"* column {j} floating")
            lines.append(f"RFC{j} cb{j} 0 1e15")
            continue
        if spec.sense == "load":
            lines.append(f"RL{j} cb{j} cs{j} {_num(spec.load_resistance_ohm)}")
            lines += continuation_lines(f"VC{j} cs{j} 0", src(value).split(" "))
        else:
            lines += continuation_lines(f"VC{j} cb{j} 0", src(value).split(" "))
    if spec.cell == "1T1R":
        for i, value in enumerate(gate_values):
            lines += continuation_lines(f"VG{i} g{i} 0", src(value).split(" "))
    return lines


def _osdi_control(osdi):
    return [".control", f"pre_osdi {osdi}", ".endc"] if osdi else []


def _include(spec, include):
    if spec.backend == "native":
        return [f".include {include or cellmodel.cell_library()}"]
    return []


#: ngspice's charge floor ``chgtol`` in transients, in state units (nm or 1): the
#: cells' state nodes are their "charges" (``ddt(V(s_state))``, the state minus
#: its value at t = 0), so the truncation-error test allows
#: ``reltol * max(|state change|, chgtol)`` per step. With the default 1e-14 a
#: state that has barely moved (nucleation progress during the first pulse edge,
#: gap and reservoir before formation) is held to 1e-4 of its own tiny change and
#: the steps crawl; 0.1 makes the floor ~1e-5 nm / 1e-5 (times trtol 7: still 30x
#: below the model's own absolute tolerance, 2e-3). Nothing else in the
#: netlists stores charge (resistors; 1T1R MOSFETs without capacitances), so it
#: changes nothing for the resistor floor.
STATE_CHGTOL = 0.1

#: Tight DC options so that ngspice and the Python solver agree to 1e-6.
DC_OPTIONS = {"reltol": 1e-9, "abstol": 1e-18, "vntol": 1e-12, "gmin": 1e-18}
#: gmin of 1T1R arrays [S]: ngspice's MOSFET puts it from drain and source to
#: bulk (ground); it keeps the nodes behind off transistors defined (the Python
#: solver adds the same conductances).
GMIN_1T1R_S = 1e-12
#: Largest internal step of a transient netlist [s], whatever the pulse widths. ngspice's smallest
#: step is delmin = 1e-11 x the largest (traninit.c). A cell that forms during a long write drains
#: its AE reservoir within microseconds, and Newton needs steps of ~1e-14 s there: a 2x2 V/2 write
#: of 6 V for 5 s stops at 1.046 ms ("timestep too small") with 0.1 s or 10 ms largest steps, and
#: runs with 1 ms (read 2.1459e-09 A, Python engine 2.1480e-09 A; docs/crossbar.md).
MAX_STEP_S = 1e-3


def dc_options(spec):
    """``.options`` of DC runs for this array."""
    options = dict(DC_OPTIONS)
    if spec.cell == "1T1R":
        options["gmin"] = GMIN_1T1R_S
    return options


def vmm_netlist(spec, row_V, col_V=0.0, gate_V=None, title=None, osdi=None, include=None,
                options=None):
    """An operating-point netlist: rows at ``row_V``, columns at ``col_V``.

    Parameters
    ----------
    spec : CrossbarSpec
    row_V : array_like
        Row driver voltages [V], shape (rows,); NaN leaves a row floating.
    col_V : float or array_like
        Column source voltages [V] (0: virtual ground), shape (cols,); NaN floats.
    gate_V : array_like, optional
        Gate-line voltages [V] of 1T1R rows (default: all on).
    title : str, optional
    osdi : str, optional
        OSDI path for a ``pre_osdi`` line (``ngspice -b`` runs); None when the
        caller loads it (shared ngspice).
    include : str, optional
        Path of the native cell library (native backend).
    options : dict, optional
        ``.options`` (default :func:`dc_options`).

    Returns
    -------
    str
    """
    rows = _bias_array(row_V, spec.rows, "row_V")
    cols = _bias_array(col_V, spec.cols, "col_V")
    gates = gate_default(spec, gate_V)
    options = dc_options(spec) if options is None else options
    lines = [f"* {title or 'crossbar VMM'}: {spec.rows} x {spec.cols} {spec.cell}, operating point"]
    lines += _include(spec, include)
    lines += source_lines(spec, rows, cols, gates)
    lines += array_lines(spec)
    if options:
        lines.append(".options " + " ".join(f"{k}={v}" for k, v in options.items()))
    lines.append(".op")
    lines += _osdi_control(osdi)
    lines.append(".end")
    return "\n".join(lines) + "\n"


# ---- schedules (transient program / read) -----------------------------------
@dataclass(frozen=True)
class Phase:
    """One pulse applied to every line at once, scaled by a common trapezoid.

    Every source follows ``amplitude * shape(t)`` with the shape rising from 0
    to 1 in ``edge_s``, flat for ``width_s``, falling in ``edge_s``, then 0 for
    ``rest_s``. Gates (1T1R) switch with the same timing.

    Attributes
    ----------
    row_V, col_V : numpy.ndarray
        Amplitudes on rows (rows,) and columns (cols,) [V].
    gate_V : numpy.ndarray or None
        Gate-line voltages while the pulse is on [V] (rows,).
    width_s, edge_s, rest_s : float
        Flat-top duration, edge duration and rest after the pulse [s].
    kind : str
        ``"program"`` or ``"read"``.
    label : str
    """

    row_V: np.ndarray
    col_V: np.ndarray
    gate_V: np.ndarray | None
    width_s: float
    edge_s: float = 1e-7
    rest_s: float = 1e-6
    kind: str = "program"
    label: str = ""

    @property
    def duration_s(self):
        return 2.0 * self.edge_s + self.width_s + self.rest_s

    def corners_s(self):
        """Corner times of the shape relative to the phase start [s]."""
        return np.array([0.0, self.edge_s, self.edge_s + self.width_s, 2 * self.edge_s + self.width_s,
                         self.duration_s])

    def shape(self, t_s):
        """The trapezoid (0..1) at times relative to the phase start."""
        return np.interp(t_s, self.corners_s(), [0.0, 1.0, 1.0, 0.0, 0.0])

    def sample_time_s(self):
        """Where read currents are taken: the end of the flat top (relative) [s]."""
        return self.edge_s + self.width_s


def phase_starts_s(phases):
    """Start time of each phase [s] and the total duration."""
    durations = np.array([p.duration_s for p in phases])
    starts = np.concatenate([[0.0], np.cumsum(durations)])
    return starts[:-1], float(starts[-1])


def _pwl(phases, values, base=0.0):
    """(times, voltages) of one source over all phases; values[k] = amplitude in phase k."""
    starts, _ = phase_starts_s(phases)
    t, v = [0.0], [base]
    for start, phase, amp in zip(starts, phases, values):
        c = start + phase.corners_s()
        for tc, vc in zip(c[1:], (amp, amp, base, base)):
            t.append(tc)
            v.append(vc)
    return np.array(t), np.array(v)


def read_measure_lines(spec, phases):
    """``.meas`` lines printing each read phase's column currents ``i_read_r<k>_c<j>`` [A] (for ``ngspice -b``).

    ``k`` counts the read phases in order (row k when reading row by row).
    """
    starts, _ = phase_starts_s(phases)
    lines, k = [], 0
    for start, phase in zip(starts, phases):
        if phase.kind != "read":
            continue
        t = start + phase.sample_time_s()
        lines += [f".meas tran i_read_r{k}_c{j} find i(VC{j}) at={t:.12g}" for j in range(spec.cols)]
        k += 1
    return lines


def transient_netlist(spec, phases, title=None, osdi=None, include=None, reltol=1e-4,
                      max_step_fraction=0.02, save_all=False, measures=True, uic=True):
    """A transient netlist running the phases one after the other.

    Parameters
    ----------
    spec : CrossbarSpec
        Its ``states`` are the states at t = 0 (``backend="resistor"``: fixed
        resistors of the cells' conductances, which do not switch: the speed floor).
    phases : sequence of Phase
    title : str, optional
    osdi : str, optional
        OSDI path for ``pre_osdi`` (``ngspice -b``).
    include : str, optional
        Native cell library path (native backend).
    reltol : float
        ngspice's relative tolerance.
    max_step_fraction : float
        Largest internal step as a fraction of the longest pulse width (the
        pulse corners are breakpoints, so short read pulses are hit exactly),
        at most :data:`MAX_STEP_S`.
    save_all : bool
        Save every node (default: only the source currents).
    measures : bool
        Add :func:`read_measure_lines` (``ngspice -b`` needs an output request to run).
    uic : bool
        ``uic`` on the ``.tran`` line (skip the operating point); False starts from
        ngspice's transient operating point, where every cell holds its given state
        (the same start: docs/export.md).

    Returns
    -------
    str
    """
    if not phases:
        raise InputError("phases: give at least one phase")
    rows = [_pwl(phases, [p.row_V[i] for p in phases]) for i in range(spec.rows)]
    cols = [_pwl(phases, [p.col_V[j] for p in phases]) for j in range(spec.cols)]
    gates = None
    if spec.cell == "1T1R":
        off = spec.transistor.gate_off_V
        gates = [_pwl(phases, [(p.gate_V[i] if p.gate_V is not None else spec.transistor.gate_on_V)
                               for p in phases], base=off) for i in range(spec.rows)]
        # gates hold their level between phases only at gate_off_V
    _, total = phase_starts_s(phases)
    max_width = max(p.width_s for p in phases)
    min_edge = min(p.edge_s for p in phases)
    lines = [f"* {title or 'crossbar program/read'}: {spec.rows} x {spec.cols} {spec.cell}, "
             f"{len(phases)} phases, {total:g} s"]
    lines += _include(spec, include)
    lines += source_lines(spec, rows, cols, gates, pwl=True)
    lines += array_lines(spec)
    gmin = f" gmin={GMIN_1T1R_S:g}" if spec.cell == "1T1R" else ""
    # KLU: ngspice's sparse solver for large circuits (2.5x faster than the default at 32x32)
    lines.append(f".options klu reltol={reltol:g} abstol=1e-15 chgtol={STATE_CHGTOL:g} method=gear{gmin}")
    if not save_all:
        saves = [f"i(VC{j})" for j in range(spec.cols)] + [f"i(VR{i})" for i in range(spec.rows)]
        lines += continuation_lines(".save", saves)
    tmax = min(max_step_fraction * max_width, MAX_STEP_S)
    lines.append(f".tran {_num(min_edge)} {_num(total)} 0 {_num(tmax)}" + (" uic" if uic else ""))
    if measures:
        lines += read_measure_lines(spec, phases)
    lines += _osdi_control(osdi)
    lines.append(".end")
    return "\n".join(lines) + "\n"


# ---- running in ngspice ------------------------------------------------------
def _osdi_for(spec):
    return [cellmodel.cell_osdi()] if spec.backend == "verilog-a" else []


def run_vmm_ngspice(spec, row_V, col_V=0.0, gate_V=None, batch=False, keep_dir=None):
    """Run a DC VMM in ngspice; return the column currents [A].

    Parameters
    ----------
    spec : CrossbarSpec
    row_V : array_like
        Row driver voltages [V] (rows,); NaN floats a row.
    col_V : float or array_like
        Column voltages [V] (0: virtual ground).
    gate_V : array_like, optional
        1T1R gate lines [V] (default: all on).
    batch : bool
        Run ``ngspice -b`` (the binary, as users do) instead of the shared library.
    keep_dir : path, optional
        With ``batch``: keep netlist, raw file and log there.

    Returns
    -------
    numpy.ndarray
        Column currents [A], shape (cols,); NaN for floating columns.
    """
    result = run_dc_ngspice(spec, row_V, col_V, gate_V, batch=batch, keep_dir=keep_dir)
    return column_currents(result, spec, col_V)


def run_dc_ngspice(spec, row_V, col_V=0.0, gate_V=None, batch=False, keep_dir=None):
    """Run the operating point; return the :class:`memcompact.spice.SpiceResult`."""
    from memcompact.spice import run_batch, run_netlist

    text = vmm_netlist(spec, row_V, col_V, gate_V)
    osdi = _osdi_for(spec)
    if batch:
        return run_batch(text, osdi=osdi, keep_dir=keep_dir)
    return run_netlist(text, osdi=osdi)


def column_currents(result, spec, col_V=0.0):
    """Column currents [A] (cols,) from an operating-point result (NaN where floating)."""
    cols = _bias_array(col_V, spec.cols, "col_V")
    out = np.full(spec.cols, np.nan)
    for j in range(spec.cols):
        if not np.isnan(cols[j]):
            out[j] = float(np.asarray(result.i(f"VC{j}"))[-1])
    return out


def node_voltages(result, spec):
    """Row and column node voltages [V] at every cell, each shape (rows, cols)."""
    n, m = spec.shape
    vr = np.array([[float(np.asarray(result.v(f"r{i}_{j}"))[-1]) for j in range(m)] for i in range(n)])
    vc = np.array([[float(np.asarray(result.v(f"c{i}_{j}"))[-1]) for j in range(m)] for i in range(n)])
    return vr, vc


def run_transient_ngspice(spec, phases, batch=False, keep_dir=None, reltol=1e-4, max_step_fraction=0.02, uic=True):
    """Run the phases in ngspice; return (time_s, column currents (cols, T) [A], result).

    Parameters
    ----------
    spec : CrossbarSpec
    phases : sequence of Phase
    batch : bool
        ``ngspice -b`` instead of the shared library.
    keep_dir : path, optional
        With ``batch``: keep the files there.
    reltol, max_step_fraction : float
        See :func:`transient_netlist`.
    uic : bool
        See :func:`transient_netlist`.
    """
    from memcompact.spice import run_batch, run_netlist

    text = transient_netlist(spec, phases, reltol=reltol, max_step_fraction=max_step_fraction, uic=uic)
    osdi = _osdi_for(spec)
    result = run_batch(text, osdi=osdi, keep_dir=keep_dir) if batch else run_netlist(text, osdi=osdi)
    time_s = np.asarray(result.scale, dtype=float)
    currents = np.array([np.asarray(result.i(f"VC{j}"), dtype=float) for j in range(spec.cols)])
    return time_s, currents, result
