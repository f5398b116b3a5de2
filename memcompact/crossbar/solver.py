"""Fast Python crossbar solver: sparse nodal analysis with the compact model in every cell.

The same network as :mod:`memcompact.crossbar.netlist` (same nodes, wires,
drivers, terminations, floating-line leak resistors and level-1 NMOS), solved
with :mod:`scipy.sparse`:

* **DC** (:func:`solve_dc`): the memristor current is ``G(state) * V`` with a
  conductance that depends on the states only (the model's series-resistor
  form), so a 1R array at fixed states is linear: one sparse LU solve. 1T1R
  adds the MOSFETs: Newton iterations on the same matrix.
* **Transient** (:func:`simulate_phases`): operator splitting. Each pulse is
  cut into sub-intervals; at the start of each the network is solved with the
  cells' present conductances, and every cell is replaced by what it sees:
  a Thevenin source ``V_th`` (scaled by the pulse's common trapezoid, exact
  for a linear network) behind ``R_th`` (its driving-point resistance with
  the cell removed, see below). The states
  then advance with the model's own stiff, vectorised ROS2 integrator
  (:func:`memcompact.model.integrate`: per-device ``voltage_scale`` and
  ``series_resistance_ohm``), which resolves the abrupt formation of each
  cell and its self-limitation by the series path inside the sub-interval.

Linear algebra (``method``): a 1R array with every line driven is solved by
conjugate gradients preconditioned by its own lines
(:class:`memcompact.crossbar.network.LineNetwork`, O(N) per iteration, a few
iterations, many right-hand sides together); 1T1R arrays, floating lines and
``method="direct"`` use SuperLU on the assembled nodal matrix. A 1R cell's
Thevenin resistance is the block-Jacobi value between two Rayleigh bounds,
for all cells in O(N)
(:meth:`~memcompact.crossbar.network.LineNetwork.thevenin_bounds`); a cell
the pulse selects gets an exact solve only where its bounds are further apart
than ``thevenin_rtol`` (default :data:`THEVENIN_RTOL`: never). 1T1R: exact
for the selected cells (one SuperLU solve each), 0 for the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from memcompact.crossbar.netlist import GMIN_1T1R_S, Phase, _bias_array, gate_default, phase_starts_s
from memcompact.crossbar.network import LineNetwork, NotConverged
from memcompact.errors import InputError
from memcompact.model import compiled
from memcompact.model.solver import integrate
from memcompact.model.stimulus import Stimulus
from memcompact.progress import Progress

#: Leak resistor of a floating line (as written in the netlist) [Ohm].
FLOAT_OHM = 1e15
#: Column ordering of the sparse LU: the nodal matrix is symmetric (1R), minimum degree on A^T + A.
ORDERING = "MMD_AT_PLUS_A"
#: First trial step of each piece's state integration, as a share of the piece, for the cells biased
#: above ``bias_fraction`` of the largest cell voltage (the ones that may switch) [1]
#: (benchmark cycle: 1.30 -> 1.00 s at 64x64, read currents within 0.001 decades of rtol 1e-5).
FIRST_STEP_SHARE = 1e-2
#: The same for the other cells (unselected and half-selected): the whole piece. Their error estimate
#: accepts it at once or cuts it; a whole-piece trial for a switching cell let it through
#: (0.008 decades off ngspice at 32x32), so those keep FIRST_STEP_SHARE.
QUIET_FIRST_STEP_SHARE = 1.0
#: Linear solvers: "auto" (conjugate gradients for a 1R array with every line driven, else SuperLU),
#: "iterative" (conjugate gradients on the lines, SuperLU if they do not converge), "direct" (SuperLU).
METHODS = ("auto", "direct", "iterative")
#: Default of ``simulate_phases(thevenin_rtol=...)``: a cell the pulse selects gets an exact Thevenin
#: resistance (one network solve each) where its Rayleigh bounds differ by more than this share; elsewhere
#: it takes the block-Jacobi value between them [1]. Default: never. The bounds stay ~1e-6 apart on the
#: benchmark cycle except in the pieces where the selected cells form (2.5e-5 S each for a moment: up to
#: 11 % apart at 64x64), and the exact solves there moved the read currents by at most 7e-7 / 4e-7 /
#: 4.5e-5 decades at 32x32 / 64x64 / 128x128 while costing 3 x N/2 solves of the whole array
#: (docs/crossbar.md, "Thevenin resistances").
THEVENIN_RTOL = float("inf")
#: Right-hand sides solved together by the conjugate gradients: as many as keep cells x right-hand
#: sides within this (block vectors of 2 MB stay in the cache; 512x512 reads: 0.055 s per right-hand
#: side one at a time, 0.09-0.16 s in blocks of 4-32).
RHS_BLOCK_CELLS = 2 ** 18


@dataclass
class DCSolution:
    """Operating point of an array.

    Attributes
    ----------
    column_currents_A : numpy.ndarray
        Current leaving each column into its sense amplifier [A], (cols,); NaN when floating.
    row_node_V, column_node_V : numpy.ndarray
        Row / column wire potential at each cell [V], (rows, cols).
    cell_voltage_V : numpy.ndarray
        Memristor voltage, active minus inert electrode [V], (rows, cols).
    cell_current_A : numpy.ndarray
        Memristor current [A], (rows, cols).
    conductance_S : numpy.ndarray
        Cell conductances used [S], (rows, cols).
    iterations : int
        Newton iterations (1 for a linear 1R array).
    """

    column_currents_A: np.ndarray
    row_node_V: np.ndarray
    column_node_V: np.ndarray
    cell_voltage_V: np.ndarray
    cell_current_A: np.ndarray
    conductance_S: np.ndarray
    iterations: int = 1
    info: dict = field(default_factory=dict)


class Network:
    """Nodal matrices of one array (wires, drivers, terminations) for given line biases.

    Parameters
    ----------
    spec : CrossbarSpec
    row_V, col_V : array_like
        Line voltages [V] (NaN: floating).
    """

    def __init__(self, spec, row_V, col_V=0.0):
        self.spec = spec
        n, m = spec.shape
        self.n, self.m = n, m
        nm = n * m
        self.nm = nm
        self.one_t = spec.cell == "1T1R"
        self.size = (3 if self.one_t else 2) * nm
        rows = _bias_array(row_V, n, "row_V")
        cols = _bias_array(col_V, m, "col_V")
        self.row_V, self.col_V = rows, cols
        rw = spec.wire_resistance_ohm
        gw = 1.0 / rw
        r_idx = np.arange(nm).reshape(n, m)
        c_idx = nm + r_idx
        self.r_idx, self.c_idx = r_idx, c_idx
        self.m_idx = 2 * nm + r_idx if self.one_t else None
        # wire segments along the rows and up the columns
        a = np.concatenate([r_idx[:, :-1].ravel(), c_idx[:-1, :].ravel()])
        b = np.concatenate([r_idx[:, 1:].ravel(), c_idx[1:, :].ravel()])
        g = np.full(a.size, gw)
        ii = np.concatenate([a, b, a, b])
        jj = np.concatenate([a, b, b, a])
        vv = np.concatenate([g, g, -g, -g])
        rhs = np.zeros(self.size)
        diag = np.zeros(self.size)
        # row terminations at r[i, 0]
        floating = np.isnan(rows)
        self.row_term_S = np.where(floating, 1.0 / (rw + FLOAT_OHM), 1.0 / (rw + spec.driver_resistance_ohm))
        self.row_term_V = np.where(floating, 0.0, rows)
        diag[r_idx[:, 0]] += self.row_term_S
        rhs[r_idx[:, 0]] += self.row_term_S * self.row_term_V
        # column terminations at c[n-1, j]
        floating_c = np.isnan(cols)
        sense_g = 1.0 / (rw + spec.load_resistance_ohm) if spec.sense == "load" else gw
        self.col_g = np.where(floating_c, 1.0 / (rw + FLOAT_OHM), sense_g)
        self.col_term_V = np.where(floating_c, 0.0, cols)
        diag[c_idx[n - 1, :]] += self.col_g
        rhs[c_idx[n - 1, :]] += self.col_g * self.col_term_V
        self.floating = bool(floating.any() or floating_c.any())
        if self.one_t:  # gmin from each transistor's drain and source to bulk, as ngspice
            diag[self.m_idx.ravel()] += GMIN_1T1R_S
            diag[c_idx.ravel()] += GMIN_1T1R_S
        base = sp.coo_matrix((vv, (ii, jj)), shape=(self.size, self.size)).tocsc()
        self.base = base + sp.diags(diag, format="csc")
        self.source = rhs
        self._lu_cache = None  # (conductances, SuperLU) of the last 1R factorisation (_factor_1r)
        # memristor terminals: row node -> (mid node | column node)
        self.ae = r_idx.ravel()
        self.ie = (self.m_idx if self.one_t else c_idx).ravel()

    def matrix(self, conductance_S, extra=None):
        """Nodal matrix with the memristors (and optional extra stamps) [S]."""
        g = np.asarray(conductance_S, dtype=float).ravel()
        a, b = self.ae, self.ie
        cells = sp.coo_matrix((np.concatenate([g, g, -g, -g]),
                               (np.concatenate([a, b, a, b]), np.concatenate([a, b, b, a]))),
                              shape=(self.size, self.size)).tocsc()
        out = self.base + cells
        if extra is not None:
            out = out + extra
        return out

    def column_currents(self, v, g=None):
        """Column currents [A] from the node voltages ``v`` (size,) or (size, k) -> (cols,) or (cols, k).

        1R with the cell conductances ``g``: the sum of each column's cell currents (KCL on
        the column wire; it keeps the small currents' precision, see
        :meth:`LineNetwork.column_currents`). Otherwise the termination's current.
        """
        if g is not None and not self.one_t:
            vr = v[self.r_idx.ravel()]
            vc = v[self.c_idx.ravel()]
            shape = (self.n, self.m) + vr.shape[1:]
            out = np.einsum("ij,ij...->j...", np.asarray(g, dtype=float).reshape(self.n, self.m),
                            (vr - vc).reshape(shape))
        else:
            last = self.c_idx[self.n - 1, :]
            col_V = np.nan_to_num(self.col_V).reshape((-1,) + (1,) * (v.ndim - 1))
            out = self.col_g.reshape(col_V.shape) * (v[last] - col_V)
        return np.where(np.isnan(self.col_V).reshape((-1,) + (1,) * (v.ndim - 1)), np.nan, out)

    def line_network(self):
        """The same 1R network for the line-preconditioned conjugate gradients."""
        return LineNetwork(self.n, self.m, 1.0 / self.spec.wire_resistance_ohm, self.row_term_S,
                           self.row_term_V, self.col_g, self.col_term_V)

    def uses_lines(self, method):
        """Whether ``method`` solves this network by conjugate gradients."""
        if method not in METHODS:
            raise InputError(f"method: {method!r} unknown; choose from {', '.join(METHODS)}")
        if self.one_t or method == "direct":
            return False
        return method == "iterative" or not self.floating


def _mosfet(vd, vg, vs, beta, vto):
    """Level-1 NMOS (gamma = lambda = 0): drain current [A] and its derivatives by vd, vg, vs."""
    swap = vd < vs
    d = np.where(swap, vs, vd)
    s = np.where(swap, vd, vs)
    vov = vg - s - vto
    vds = d - s
    on = vov > 0
    lin = on & (vds < vov)
    sat = on & ~lin
    ids = np.where(lin, beta * (vov - 0.5 * vds) * vds, np.where(sat, 0.5 * beta * vov ** 2, 0.0))
    gm = np.where(lin, beta * vds, np.where(sat, beta * vov, 0.0))        # d ids / d vgs
    gds = np.where(lin, beta * (vov - vds), 0.0)                           # d ids / d vds
    # in terms of the unswapped terminals
    sign = np.where(swap, -1.0, 1.0)
    current = sign * ids
    # d(current)/d vd, vg, vs
    dd = np.where(swap, gm + gds, gds)
    dg = sign * gm
    ds = np.where(swap, -gds, -(gm + gds))
    return current, dd, dg, ds


def solve_dc(spec, row_V, col_V=0.0, gate_V=None, conductance_S=None, tol_V=1e-13, max_iterations=100,
             method="auto"):
    """Operating point of the array at fixed cell states.

    Parameters
    ----------
    spec : CrossbarSpec
    row_V : array_like
        Row driver voltages [V] (rows,); NaN floats a row.
    col_V : float or array_like
        Column source voltages [V] (0: virtual ground); NaN floats a column.
    gate_V : array_like, optional
        1T1R gate-line voltages [V] (default all on).
    conductance_S : array_like, optional
        Cell conductances [S] (rows, cols); default from ``spec.states``.
    tol_V : float
        Newton stop: largest node-voltage update [V] (1T1R).
    max_iterations : int
    method : {"auto", "direct", "iterative"}
        Linear solver (:data:`METHODS`).

    Returns
    -------
    DCSolution
    """
    net = Network(spec, row_V, col_V)
    g = spec.conductance_S() if conductance_S is None else np.asarray(conductance_S, dtype=float)
    if net.uses_lines(method):
        lines = net.line_network()
        lines.set_conductances(g)
        try:
            xr, xc = lines.solve(*lines.source())
        except NotConverged:
            pass
        else:
            v = np.concatenate([xr[:, :, 0].ravel(), xc[:, :, 0].ravel()])
            return _dc_solution(net, v, g, lines.iterations)
    gates = gate_default(spec, gate_V)
    v, iterations = _solve_network(net, g, gates, tol_V, max_iterations)
    return _dc_solution(net, v, g, iterations)


def solve_dc_many(spec, row_V, col_V=0.0, gate_V=None, conductance_S=None, method="auto", chunk=None):
    """Column currents [A] for many input vectors at the same cell states (reads, VMM batches).

    Parameters
    ----------
    spec : CrossbarSpec
    row_V : array_like
        Row voltages [V], (k, rows): one operating point per line.
    col_V : float or array_like
        Column source voltages [V], shared.
    gate_V : array_like, optional
        1T1R gate voltages [V], (k, rows) or (rows,).
    conductance_S : array_like, optional
        Cell conductances [S] (rows, cols); default from ``spec.states``.
    method : {"auto", "direct", "iterative"}
    chunk : int, optional
        Right-hand sides per block (default: :data:`RHS_BLOCK_CELLS` over the cell count).

    Returns
    -------
    numpy.ndarray
        Column currents [A], (k, cols).

    Notes
    -----
    1R: one matrix for all inputs (the states are frozen), solved ``chunk`` right-hand sides
    at a time by the line-preconditioned conjugate gradients, or with one SuperLU factorisation.
    1T1R: the gates change the matrix, one :func:`solve_dc` per input.
    """
    row_V = np.atleast_2d(np.asarray(row_V, dtype=float))
    k = row_V.shape[0]
    g = spec.conductance_S() if conductance_S is None else np.asarray(conductance_S, dtype=float)
    if spec.cell == "1T1R":
        gates = None if gate_V is None else np.broadcast_to(np.asarray(gate_V, dtype=float), (k, spec.rows))
        return np.array([solve_dc(spec, row_V[a], col_V, None if gates is None else gates[a], g,
                                  method=method).column_currents_A for a in range(k)])
    net = Network(spec, np.where(np.isnan(row_V[0]), np.nan, 0.0), col_V)
    if np.any(np.isnan(row_V) != np.isnan(row_V[:1])):
        raise InputError("row_V: the floating rows must be the same in every input")
    rows = np.nan_to_num(row_V)
    out = np.empty((k, spec.cols))
    chunk = max(1, RHS_BLOCK_CELLS // spec.n_cells) if chunk is None else int(chunk)
    if net.uses_lines(method):
        lines = net.line_network()
        lines.set_conductances(g)
        try:
            for a in range(0, k, chunk):
                xr, xc = lines.solve(*lines.source(row_V=rows[a:a + chunk]))
                out[a:a + chunk] = lines.column_currents(xr, xc).T
            return np.where(np.isnan(net.col_V)[None, :], np.nan, out)
        except NotConverged:
            pass
    lu = _factor_1r(net, g.ravel())
    rhs = np.zeros((net.size, k))
    rhs[net.r_idx[:, 0], :] = (net.row_term_S[None, :] * rows).T
    rhs[net.c_idx[-1, :], :] = (net.col_g * net.col_term_V)[:, None]
    for a in range(0, k, chunk):
        v = lu.solve(np.ascontiguousarray(rhs[:, a:a + chunk]))
        out[a:a + chunk] = net.column_currents(v, g).T
    return out


def _factor_1r(net, g):
    """Sparse LU of a 1R array's nodal matrix for conductances ``g`` [S], kept on ``net`` for the next call.

    The network solve and the Thevenin resistances that follow it at the same
    conductances share one factorisation.
    """
    key = np.asarray(g, dtype=float).tobytes()
    cached = net._lu_cache
    if cached is None or cached[0] != key:
        net._lu_cache = (key, spla.splu(net.matrix(g).tocsc(), permc_spec=ORDERING))
    return net._lu_cache[1]


def _transistor_stamp(net, dd, ds):
    """Nodal-matrix stamp of the 1T1R access transistors linearised at an operating point.

    Parameters
    ----------
    net : Network
    dd, ds : numpy.ndarray
        Derivatives of each transistor's drain current by its drain and source voltages [S].
    """
    d_idx, s_idx = net.m_idx.ravel(), net.c_idx.ravel()
    return sp.coo_matrix((np.concatenate([dd, ds, -dd, -ds]),
                          (np.concatenate([d_idx, d_idx, s_idx, s_idx]),
                           np.concatenate([d_idx, s_idx, d_idx, s_idx]))), shape=(net.size, net.size)).tocsc()


def _solve_network(net, g, gates, tol_V=1e-13, max_iterations=100, v0=None):
    if not net.one_t:
        return _factor_1r(net, g).solve(net.source), 1
    a = net.matrix(g)
    t = net.spec.transistor
    beta, vto = t.beta_A_per_V2, t.threshold_V
    d_idx = net.m_idx.ravel()
    s_idx = net.c_idx.ravel()
    vg = np.repeat(gates, net.m)
    if v0 is None:
        # start: transistors as their on-resistance (or off)
        g_on = np.where(vg - vto > 0, beta * np.maximum(vg - vto, 0.0), 1e-12)
        lin = sp.coo_matrix((np.concatenate([g_on, g_on, -g_on, -g_on]),
                             (np.concatenate([d_idx, s_idx, d_idx, s_idx]),
                              np.concatenate([d_idx, s_idx, s_idx, d_idx]))), shape=a.shape).tocsc()
        v = spla.spsolve(a + lin, net.source)
    else:
        v = v0.copy()
    def residual(v):
        cur, dd, _, ds = _mosfet(v[d_idx], vg, v[s_idx], beta, vto)
        # KCL: a v - source + (current out of the drain node) - (into the source node)
        res = a @ v - net.source
        np.add.at(res, d_idx, cur)
        np.add.at(res, s_idx, -cur)
        return res, dd, ds

    res, dd, ds = residual(v)
    norm = np.max(np.abs(res))
    # KCL residual small against the injected currents: converged (floating islands
    # behind off transistors keep Newton's updates at round-off, not at zero)
    res_tol = 1e-13 * max(np.max(np.abs(net.source)), 1e-30)
    step = np.inf
    for iteration in range(1, max_iterations + 1):
        jac = a + _transistor_stamp(net, dd, ds)
        dv = spla.spsolve(jac, -res)
        step = np.max(np.abs(dv))
        if step > 0.5:  # damp large steps
            dv *= 0.5 / step
        if step < tol_V + 1e-12 * np.max(np.abs(v)):
            return v + dv, iteration
        # backtracking on the KCL residual (the level-1 MOSFET has kinks at cut-off and vds = 0)
        alpha = 1.0
        for _ in range(30):
            v_new = v + alpha * dv
            res_new, dd_new, ds_new = residual(v_new)
            norm_new = np.max(np.abs(res_new))
            if norm_new <= norm or alpha < 1e-6:
                break
            alpha *= 0.5
        v, res, dd, ds, norm = v_new, res_new, dd_new, ds_new, norm_new
        if norm <= res_tol:
            return v, iteration
    raise RuntimeError(f"crossbar DC Newton did not converge in {max_iterations} iterations "
                       f"(last update {step:.3g} V)")


def _dc_solution(net, v, g, iterations):
    n, m = net.n, net.m
    vr = v[net.r_idx]
    vc = v[net.c_idx]
    vcell = (v[net.ae] - v[net.ie]).reshape(n, m)
    return DCSolution(column_currents_A=net.column_currents(v, g), row_node_V=vr, column_node_V=vc,
                      cell_voltage_V=vcell, cell_current_A=g.reshape(n, m) * vcell,
                      conductance_S=g.reshape(n, m), iterations=iterations)


def ideal_vmm(conductance_S, row_V):
    """Ideal vector-matrix product ``I_j = sum_i G_ij V_i`` [A] (no wires, ideal drivers and sense)."""
    return np.asarray(row_V, dtype=float) @ np.asarray(conductance_S, dtype=float)


# ---- transient -----------------------------------------------------------------
@dataclass
class TransientResult:
    """Result of :func:`simulate_phases`.

    Attributes
    ----------
    sample_time_s : numpy.ndarray
        Time of each phase's sample point (end of its flat top) [s], (P,).
    column_currents_A : numpy.ndarray
        Column currents at each sample [A], (P, cols).
    states : numpy.ndarray
        States at the end, (4, rows, cols).
    phase_states : list of numpy.ndarray
        States at the end of each phase (4, rows, cols).
    cell_voltage_V : numpy.ndarray
        Largest |memristor voltage| each cell saw in each phase's flat top [V], (P, rows, cols).
    """

    sample_time_s: np.ndarray
    column_currents_A: np.ndarray
    states: np.ndarray
    phase_states: list
    cell_voltage_V: np.ndarray
    info: dict = field(default_factory=dict)


def _thevenin_resistance(net, g, v_cell, picks, gates, v_op):
    """Driving-point resistance [Ohm] seen by the picked cells with the cell removed."""
    if not net.one_t:
        return _thevenin_from_lu(net, _factor_1r(net, g), g, picks)
    # 1T1R: the transistors linearised at the operating point
    t = net.spec.transistor
    d_idx, s_idx = net.m_idx.ravel(), net.c_idx.ravel()
    _, dd, _, ds = _mosfet(v_op[d_idx], np.repeat(gates, net.m), v_op[s_idx], t.beta_A_per_V2, t.threshold_V)
    a = net.matrix(g) + _transistor_stamp(net, dd, ds)
    return _thevenin_from_lu(net, spla.splu(a.tocsc(), permc_spec=ORDERING), g, picks)


def _thevenin_from_lu(net, lu, g, picks):
    """Thevenin resistances [Ohm] of the picked cells from the factorised nodal matrix ``lu``."""
    r_th = np.zeros(net.nm)
    gc = g.ravel()
    rhs = np.zeros(net.size)
    for k in picks:  # one right-hand side at a time: faster than SuperLU's dense multi-RHS solve
        rhs[net.ae[k]], rhs[net.ie[k]] = 1.0, -1.0
        x = lu.solve(rhs)
        rhs[net.ae[k]] = rhs[net.ie[k]] = 0.0
        r_full = x[net.ae[k]] - x[net.ie[k]]
        r_th[k] = max(r_full / max(1.0 - gc[k] * r_full, 1e-12), 0.0)
    return r_th


def _phase_pieces(phase, substeps):
    """Sub-interval boundaries (relative times) of a phase.

    Program phases: the rising edge, the flat top in ``substeps`` geometric
    pieces (finer at its start), then fall and rest together (sources go to
    0). Read phases: edge and flat top in one piece (the cells barely move).
    """
    c = phase.corners_s()
    if phase.kind == "read":
        return np.array([c[0], c[2], c[4]])
    top = c[1] + (c[2] - c[1]) * (np.geomspace(1.0, 1.0 + substeps, substeps + 1) - 1.0) / substeps
    return np.unique(np.concatenate([[c[0]], top, [c[4]]]))


class _PhaseNetwork:
    """One phase's network at changing conductances: solves, column currents, Thevenin resistances."""

    def __init__(self, spec, phase, method, thevenin_rtol=THEVENIN_RTOL):
        self.spec = spec
        self.thevenin_rtol = thevenin_rtol
        self.net = Network(spec, phase.row_V, phase.col_V)
        self.gates = (phase.gate_V if phase.gate_V is not None else gate_default(spec)) \
            if spec.cell == "1T1R" else np.zeros(spec.rows)
        self.lines = self.net.line_network() if self.net.uses_lines(method) else None
        self.bounds = None if self.net.one_t else (self.lines or self.net.line_network())
        self.x = None          # last solution in line coordinates (warm start)
        self.v = None          # last solution as a node vector (SuperLU)
        self.exact = None      # (cells, values, conductances) of the last exact Thevenin resistances
        self.info = {"cg_iterations": 0, "exact_thevenin": 0, "fallback": False, "thevenin_gap": 0.0}

    def solve(self, g):
        """Cell voltages [V] (cells,) at the phase's full amplitude for conductances ``g`` (cells,)."""
        if self.lines is not None:
            self.lines.set_conductances(g)
            before = self.lines.iterations
            try:
                self.x = self.lines.solve(*self.lines.source(), x0=self.x)
            except NotConverged:
                self.lines, self.x = None, None
                self.info["fallback"] = True
            else:
                self.info["cg_iterations"] += self.lines.iterations - before
                return (self.x[0] - self.x[1])[:, :, 0].ravel()
        self.v, _ = _solve_network(self.net, g, self.gates)
        return self.v[self.net.ae] - self.v[self.net.ie]

    def column_currents(self, g):
        """Column currents [A] of the last solve."""
        if self.lines is not None:
            return np.where(np.isnan(self.net.col_V), np.nan, self.lines.column_currents(*self.x)[:, 0])
        return self.net.column_currents(self.v, g)

    def thevenin(self, g, picks):
        """Thevenin resistance [Ohm] of every cell at conductances ``g`` (after :meth:`solve`).

        1R: the block-Jacobi value of :meth:`LineNetwork.thevenin_bounds` for every cell; exact
        (one solve each) for the ``picks`` whose bounds differ by more than ``thevenin_rtol``, again
        only once some conductance moved by more than 0.1 decade or the set grew. 1T1R: exact
        for the picks (transistors linearised at the last operating point), 0 for the others.
        """
        if self.net.one_t:
            r_th = np.zeros(g.size)
            if picks.size:
                r_th = _thevenin_resistance(self.net, g, None, picks, self.gates, self.v)
            return r_th
        self.bounds.set_conductances(g)
        low, est, high = (b.ravel() for b in self.bounds.thevenin_bounds())
        r_th = est.copy()
        gap = (high[picks] - low[picks]) / low[picks]
        if gap.size:
            self.info["thevenin_gap"] = max(self.info["thevenin_gap"], float(gap.max()))
        loose = picks[gap > self.thevenin_rtol]
        if loose.size:
            stale = self.exact is None or not np.all(np.isin(loose, self.exact[0])) or \
                np.max(np.abs(np.log10(g / self.exact[2]))) > 0.1
            if stale:
                if self.lines is not None:
                    values = self.lines.thevenin_exact(loose)
                else:
                    values = _thevenin_from_lu(self.net, _factor_1r(self.net, g), g, loose)[loose]
                self.exact = (loose, values, g.copy())
                self.info["exact_thevenin"] += loose.size
            cells, values, _ = self.exact
            where = np.searchsorted(cells, loose)
            r_th[loose] = values[where]
        return r_th


def simulate_phases(spec, phases, substeps=8, rtol=1e-3, progress=False, bias_fraction=0.6, method="auto",
                    thevenin_rtol=THEVENIN_RTOL):
    """Run program/read phases with the Python solver (see the module notes).

    Parameters
    ----------
    spec : CrossbarSpec
        Initial states in ``spec.states``.
    phases : sequence of Phase
    substeps : int
        Pieces of each flat top (geometric, finer at its start) between network solves.
    rtol : float
        Relative tolerance of the state integrator.
    progress : bool
        Progress bar on stderr.
    bias_fraction : float
        Cells biased above this fraction of the largest cell voltage at the phase's start may switch: they
        start their integration with a short step and get an exact Thevenin resistance where
        its bounds are loose (1T1R: the only ones with a Thevenin resistance).
    method : {"auto", "direct", "iterative"}
        Linear solver (:data:`METHODS`).
    thevenin_rtol : float
        Exact Thevenin resistances for the selected cells whose Rayleigh bounds are further apart
        than this share (:data:`THEVENIN_RTOL`; ``info["thevenin_gap"]`` reports the largest gap seen).

    Returns
    -------
    TransientResult
    """
    n, m = spec.shape
    params = spec.cell_params()
    y = spec.cell_states()
    nphase = len(phases)
    currents = np.zeros((nphase, m))
    vmax = np.zeros((nphase, n, m))
    phase_states = []
    starts, total = phase_starts_s(phases)
    iterations = 0
    info = {"cg_iterations": 0, "exact_thevenin": 0, "fallback": False, "thevenin_gap": 0.0}
    with Progress("crossbar (python)", nphase, unit=" phases", enabled=progress) as bar:
        for k, phase in enumerate(phases):
            net = _PhaseNetwork(spec, phase, method, thevenin_rtol)
            pieces = _phase_pieces(phase, substeps)
            sample = phase.sample_time_s()
            corners = phase.corners_s()
            big = None
            for ta, tb in zip(pieces[:-1], pieces[1:]):
                g = np.broadcast_to(compiled.conductance(tuple(y), params), (spec.n_cells,)).copy()
                v_cell = net.solve(g)
                if big is None:
                    # the cells the pulse selects, from the phase's first solve: once they switch, their
                    # own voltage falls below the half-selected cells' (self-limitation by the series
                    # path), and a per-piece choice would then pick every half-selected cell
                    vbig = np.max(np.abs(v_cell))
                    big = np.abs(v_cell) > bias_fraction * vbig if vbig > 0 else np.zeros(spec.n_cells, dtype=bool)
                    picks = np.nonzero(big)[0]
                r_th = net.thevenin(g, picks)
                v_th = v_cell * (1.0 + g * r_th)
                if corners[1] <= ta < corners[2]:
                    vmax[k] = np.maximum(vmax[k], np.abs(v_cell).reshape(n, m))
                inner = corners[(corners > ta) & (corners < tb)]
                times = np.unique(np.concatenate([[ta, tb], inner]))
                stim = Stimulus(times - ta, phase.shape(times))
                # first trial step: 1/100 of the piece for the cells that may switch, the whole piece for
                # the quiet ones (the default 1e-9 s costs every cell ~8 steps per piece to grow)
                first_step = np.maximum(np.where(big, FIRST_STEP_SHARE, QUIET_FIRST_STEP_SHARE) * (tb - ta), 1e-9)
                sol = integrate(params, stim, t_eval=np.array([0.0, tb - ta]), n_devices=spec.n_cells, y0=y,
                                series_resistance_ohm=r_th, voltage_scale=v_th, rtol=rtol, first_step_s=first_step)
                iterations += sol.info["iterations"]
                y = sol.final_state()
                if abs(tb - sample) <= 1e-15 * max(1.0, sample):
                    g = np.broadcast_to(compiled.conductance(tuple(y), params), (spec.n_cells,)).copy()
                    net.solve(g)
                    currents[k] = net.column_currents(g)
            for key in ("cg_iterations", "exact_thevenin"):
                info[key] += net.info[key]
            info["fallback"] |= net.info["fallback"]
            info["thevenin_gap"] = max(info["thevenin_gap"], net.info["thevenin_gap"])
            phase_states.append(y.reshape(4, n, m).copy())
            bar.update(k + 1)
    return TransientResult(sample_time_s=starts + np.array([p.sample_time_s() for p in phases]),
                           column_currents_A=currents, states=y.reshape(4, n, m), phase_states=phase_states,
                           cell_voltage_V=vmax, info={"iterations": iterations, "substeps": substeps, **info})
