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
  the cell removed, from one extra solve per strongly biased cell). The states
  then advance with the model's own stiff, vectorised ROS2 integrator
  (:func:`memcompact.model.integrate`: per-device ``voltage_scale`` and
  ``series_resistance_ohm``), which resolves the abrupt formation of each
  cell and its self-limitation by the series path inside the sub-interval.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from memcompact.crossbar.netlist import GMIN_1T1R_S, Phase, _bias_array, gate_default, phase_starts_s
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
        ii, jj, vv = [], [], []

        def stamp(a, b, g):
            ii.extend([a, b, a, b])
            jj.extend([a, b, b, a])
            vv.extend([g, g, -g, -g])

        a = r_idx[:, :-1].ravel()
        b = r_idx[:, 1:].ravel()
        c1 = c_idx[:-1, :].ravel()
        c2 = c_idx[1:, :].ravel()
        for x, y in ((a, b), (c1, c2)):
            g = np.full(x.size, gw)
            ii.extend(np.concatenate([x, y, x, y]))
            jj.extend(np.concatenate([x, y, y, x]))
            vv.extend(np.concatenate([g, g, -g, -g]))
        rhs = np.zeros(self.size)
        diag = np.zeros(self.size)
        # row terminations at r[i, 0]
        for i in range(n):
            if np.isnan(rows[i]):
                g, v = 1.0 / (rw + FLOAT_OHM), 0.0
            else:
                g, v = 1.0 / (rw + spec.driver_resistance_ohm), rows[i]
            diag[r_idx[i, 0]] += g
            rhs[r_idx[i, 0]] += g * v
        # column terminations at c[n-1, j]
        self.col_g = np.zeros(m)
        for j in range(m):
            if np.isnan(cols[j]):
                g, v = 1.0 / (rw + FLOAT_OHM), 0.0
            elif spec.sense == "load":
                g, v = 1.0 / (rw + spec.load_resistance_ohm), cols[j]
            else:
                g, v = gw, cols[j]
            self.col_g[j] = g
            diag[c_idx[n - 1, j]] += g
            rhs[c_idx[n - 1, j]] += g * v
        if self.one_t:  # gmin from each transistor's drain and source to bulk, as ngspice
            diag[self.m_idx.ravel()] += GMIN_1T1R_S
            diag[c_idx.ravel()] += GMIN_1T1R_S
        base = sp.coo_matrix((np.asarray(vv, dtype=float), (np.asarray(ii), np.asarray(jj))),
                             shape=(self.size, self.size)).tocsc()
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

    def column_currents(self, v):
        """Column currents [A] from the node voltages."""
        last = self.c_idx[self.n - 1, :]
        out = self.col_g * (v[last] - np.nan_to_num(self.col_V))
        return np.where(np.isnan(self.col_V), np.nan, out)


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


def solve_dc(spec, row_V, col_V=0.0, gate_V=None, conductance_S=None, tol_V=1e-13, max_iterations=100):
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

    Returns
    -------
    DCSolution
    """
    net = Network(spec, row_V, col_V)
    g = spec.conductance_S() if conductance_S is None else np.asarray(conductance_S, dtype=float)
    gates = gate_default(spec, gate_V)
    v, iterations = _solve_network(net, g, gates, tol_V, max_iterations)
    return _dc_solution(net, v, g, iterations)


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
    return DCSolution(column_currents_A=net.column_currents(v), row_node_V=vr, column_node_V=vc,
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


def simulate_phases(spec, phases, substeps=8, rtol=1e-3, progress=False, bias_fraction=0.6):
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
        Cells biased above this fraction of the phase's largest cell voltage get
        their exact Thevenin resistance; the others see the ideal source (R_th = 0).

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
    with Progress("crossbar (python)", nphase, unit=" phases", enabled=progress) as bar:
        for k, phase in enumerate(phases):
            net = Network(spec, phase.row_V, phase.col_V)
            gates = (phase.gate_V if phase.gate_V is not None else gate_default(spec)) \
                if spec.cell == "1T1R" else np.zeros(n)
            pieces = _phase_pieces(phase, substeps)
            sample = phase.sample_time_s()
            r_th, g_rth = np.zeros(spec.n_cells), None
            for ta, tb in zip(pieces[:-1], pieces[1:]):
                g = np.broadcast_to(compiled.conductance(tuple(y), params), (spec.n_cells,)).copy()
                v, _ = _solve_network(net, g, gates)
                v_cell = v[net.ae] - v[net.ie]
                big = np.abs(v_cell) > bias_fraction * np.max(np.abs(v_cell)) if np.any(v_cell) else \
                    np.zeros(spec.n_cells, dtype=bool)
                picks = np.nonzero(big)[0]
                # Thevenin resistances: again only when some conductance moved by more than
                # 0.1 decade since they were computed (they depend on the network, not the source)
                if picks.size and (g_rth is None or np.max(np.abs(np.log10(g / g_rth))) > 0.1):
                    r_th = _thevenin_resistance(net, g, v_cell, picks, gates, v)
                    g_rth = g
                v_th = v_cell * (1.0 + g * r_th)
                if phase.corners_s()[1] <= ta < phase.corners_s()[2]:
                    vmax[k] = np.maximum(vmax[k], np.abs(v_cell).reshape(n, m))
                times = np.array([ta, tb])
                corners = phase.corners_s()
                inner = corners[(corners > ta) & (corners < tb)]
                times = np.unique(np.concatenate([times, inner]))
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
                    v, _ = _solve_network(net, g, gates)
                    currents[k] = net.column_currents(v)
            phase_states.append(y.reshape(4, n, m).copy())
            bar.update(k + 1)
    return TransientResult(sample_time_s=starts + np.array([p.sample_time_s() for p in phases]),
                           column_currents_A=currents, states=y.reshape(4, n, m), phase_states=phase_states,
                           cell_voltage_V=vmax, info={"iterations": iterations, "substeps": substeps})
