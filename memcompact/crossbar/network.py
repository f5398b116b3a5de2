"""Linear algebra of a 1R crossbar's nodal network, in line coordinates, for arrays up to 1024 x 1024.

The network of :mod:`memcompact.crossbar.netlist` (1R cells) has two node
sets: the row-wire node ``r[i, j]`` and the column-wire node ``c[i, j]`` at
each cell. Its nodal matrix splits into

    A = [[T_r, -G], [-G, T_c]],

where ``T_r`` holds the row wires (a chain per row, the driver and its wire
segment at ``j = 0``), ``T_c`` the column wires (a chain per column, the sense
termination at ``i = N - 1``), both with every cell's conductance ``g_ij`` on
their diagonal, and ``G = diag(g)`` couples each row node to its column node
through its cell. ``A`` is symmetric positive definite, and every block
``T_r``, ``T_c`` is tridiagonal: one chain per line.

* **Solves** (:meth:`LineNetwork.solve`): the row nodes are eliminated
  through their tridiagonal blocks, and the column nodes' Schur complement
  ``S = T_c - G T_r^-1 G`` (SPD) is solved by conjugate gradients (Hestenes and
  Stiefel 1952) preconditioned by the column lines ``T_c``: block Jacobi with
  one block per line, in red-black (rows / columns) order. Each block is
  factorised once per set of conductances with LAPACK's SPD tridiagonal
  ``dpttrf`` and applied with ``dpttrs``: O(N), no fill. The preconditioned
  spectrum lies in ``[1 - rho^2, 1]``, with ``rho`` the spectral radius of block
  Jacobi on the whole network, about a line's summed cell conductance over its
  conductance to its source (~1e-5 for fresh ag_sio2 cells on 1 Ohm wires with
  100 Ohm drivers, ~0.5 for a checkerboard of formed ones): 1-6 iterations to
  round-off. Many right-hand sides can run together (block vectors). The
  matrix is never assembled: wires are differences of neighbouring nodes,
  cells a diagonal.
* **Thevenin resistances** (:meth:`LineNetwork.thevenin_bounds`): the
  resistance a cell sees with itself removed lies between two networks that
  are sums of two chains (Rayleigh's monotonicity law): removing every other
  cell gives an upper bound, splitting every other cell into two halves of
  ``2 g`` and grounding their midpoint (shorting nodes) a lower bound. Both,
  and the block-Jacobi value in between (other cells as shunts ``g`` to ground),
  come for all cells at once from two recursions along each line (admittance
  seen to either side), O(N).
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import lapack

#: Default stop of the conjugate gradients: largest KCL residual (current) below this share of the
#: largest injected current of each right-hand side [1].
CG_RTOL = 1e-12
#: Iteration limit of the conjugate gradients (reaching it raises :class:`NotConverged`).
CG_MAXITER = 500


class NotConverged(RuntimeError):
    """The conjugate gradients did not reach their tolerance (strongly coupled lines or floating lines)."""


def _series_S(wire_S, b):
    """A wire segment ``wire_S`` > 0 in series with a conductance ``b`` >= 0 [S]."""
    return wire_S * b / (wire_S + b)


def _line_admittance_S(shunt_S, wire_S):
    """Driving-point admittance [S] of every node of chains along the last axis.

    Each chain: nodes joined by wire segments of conductance ``wire_S``, node
    ``k`` shunted to ground by ``shunt_S[..., k]``. The admittance seen at a
    node is its own shunt plus the left and right parts of the chain behind
    one wire segment each, built by one recursion from either end (no
    differences, so a floating line keeps its precision).
    """
    length = shunt_S.shape[-1]
    left = np.empty_like(shunt_S)    # admittance of nodes 0..k seen at k
    right = np.empty_like(shunt_S)   # admittance of nodes k..end seen at k
    left[..., 0] = shunt_S[..., 0]
    for k in range(1, length):
        left[..., k] = shunt_S[..., k] + _series_S(wire_S, left[..., k - 1])
    right[..., -1] = shunt_S[..., -1]
    for k in range(length - 2, -1, -1):
        right[..., k] = shunt_S[..., k] + _series_S(wire_S, right[..., k + 1])
    return left + right - shunt_S


class LineNetwork:
    """A 1R array's nodal network with fixed line terminations (see the module notes).

    Parameters
    ----------
    rows, cols : int
    wire_S : float
        Conductance of one wire segment [S].
    row_term_S, row_term_V : numpy.ndarray
        Each row's termination at ``r[i, 0]``: conductance [S] and source voltage [V], (rows,).
    col_term_S, col_term_V : numpy.ndarray
        Each column's termination at ``c[N-1, j]``, (cols,).
    """

    def __init__(self, rows, cols, wire_S, row_term_S, row_term_V, col_term_S, col_term_V):
        self.n, self.m = int(rows), int(cols)
        self.wire_S = float(wire_S)
        self.row_term_S = np.asarray(row_term_S, dtype=float)
        self.col_term_S = np.asarray(col_term_S, dtype=float)
        self.row_term_V = np.asarray(row_term_V, dtype=float)
        self.col_term_V = np.asarray(col_term_V, dtype=float)
        self.g = None
        self.iterations = 0

    # ---- conductances and the line factorisation ------------------------------------
    def set_conductances(self, conductance_S):
        """Cell conductances [S] (rows, cols); factorises the line blocks ``T_r`` and ``T_c``."""
        g = np.asarray(conductance_S, dtype=float).reshape(self.n, self.m)
        if self.g is not None and np.array_equal(g, self.g):
            return
        self.g = g.copy()
        n, m, w = self.n, self.m, self.wire_S
        # row chains in (i, j) order, column chains in (j, i) order
        dr = g.copy()
        dr[:, 0] += self.row_term_S
        dr[:, 1:] += w
        dr[:, :-1] += w
        dc = g.T.copy()
        dc[:, -1] += self.col_term_S
        dc[:, 1:] += w
        dc[:, :-1] += w
        er = np.full((n, m), -w)
        er[:, -1] = 0.0
        ec = np.full((m, n), -w)
        ec[:, -1] = 0.0
        self._col_diag = dc                    # T_c's diagonal, (M, N): column chains along the last axis
        self._gT = np.ascontiguousarray(g.T)
        self._row_factors = self._factor(dr.ravel(), er.ravel()[:-1])
        self._col_factors = self._factor(dc.ravel(), ec.ravel()[:-1])

    @staticmethod
    def _factor(d, e):
        d, e, info = lapack.dpttrf(d, e)
        if info != 0:
            raise np.linalg.LinAlgError(f"line block not positive definite (dpttrf info {info})")
        return d, e

    # ---- operator -------------------------------------------------------------------
    def apply(self, xr, xc):
        """Nodal matrix times node voltages: KCL currents [A] at row and column nodes, (N, M, k) each."""
        w, g = self.wire_S, self.g[:, :, None]
        yr = g * (xr - xc)
        yc = -yr
        d = w * (xr[:, 1:] - xr[:, :-1])
        yr[:, 1:] += d
        yr[:, :-1] -= d
        d = w * (xc[1:] - xc[:-1])
        yc[1:] += d
        yc[:-1] -= d
        yr[:, 0] += self.row_term_S[:, None] * xr[:, 0]
        yc[-1] += self.col_term_S[:, None] * xc[-1]
        return yr, yc

    def source(self, row_V=None, col_V=None):
        """Injected currents [A] of the line terminations, (N, M, k) row and column parts.

        ``row_V`` (k, N) and ``col_V`` (k, M) replace the termination voltages (one right-hand side each).
        """
        row_V = self.row_term_V[None, :] if row_V is None else np.atleast_2d(row_V)
        col_V = self.col_term_V[None, :] if col_V is None else np.atleast_2d(col_V)
        k = max(row_V.shape[0], col_V.shape[0])
        br = np.zeros((self.n, self.m, k))
        bc = np.zeros((self.n, self.m, k))
        br[:, 0, :] = (self.row_term_S[None, :] * row_V).T
        bc[-1, :, :] = (self.col_term_S[None, :] * col_V).T
        return br, bc

    # ---- conjugate gradients on the column nodes --------------------------------------
    def _rows_inverse(self, v):
        """``T_r^-1 v`` for row-node vectors (k, N, M)."""
        k = v.shape[0]
        x, info = lapack.dpttrs(*self._row_factors, v.reshape(k, self.n * self.m).T)
        return x.T.reshape(k, self.n, self.m)

    def _cols_inverse(self, v):
        """``T_c^-1 v`` for column-node vectors in column order (k, M, N)."""
        k = v.shape[0]
        x, info = lapack.dpttrs(*self._col_factors, v.reshape(k, self.m * self.n).T)
        return x.T.reshape(k, self.m, self.n)

    def _schur(self, p):
        """The column nodes' Schur complement ``(T_c - G T_r^-1 G) p`` for p (k, M, N)."""
        w = self.wire_S
        y = self._col_diag * p
        y[..., :-1] -= w * p[..., 1:]
        y[..., 1:] -= w * p[..., :-1]
        u = self._rows_inverse(np.ascontiguousarray((self._gT * p).transpose(0, 2, 1)))
        y -= self._gT * u.transpose(0, 2, 1)
        return y

    def solve(self, br, bc, x0=None, rtol=CG_RTOL, maxiter=CG_MAXITER):
        """Node voltages [V] for injected currents ``br``, ``bc`` (N, M, k): k systems together.

        The row nodes are eliminated (``x_r = T_r^-1 (b_r + G x_c)``, tridiagonal), and the
        column nodes' Schur complement ``S = T_c - G T_r^-1 G`` (SPD) is solved by conjugate
        gradients preconditioned with ``T_c`` (block Jacobi on the reduced system: its
        spectrum lies in ``[1 - rho^2, 1]``, so about half the iterations of block Jacobi on
        the whole network, on half the unknowns). Stops when every right-hand side's largest
        KCL residual is below ``rtol`` times its largest injected current (checked on the
        whole network's true residual at the end).

        Raises
        ------
        NotConverged
        """
        brk = np.ascontiguousarray(br.transpose(2, 0, 1))            # (k, N, M)
        bck = np.ascontiguousarray(bc.transpose(2, 1, 0))            # (k, M, N)
        scale = np.maximum(np.abs(brk).max(axis=(1, 2)), np.abs(bck).max(axis=(1, 2)))
        limit = (rtol * np.where(scale > 0, scale, 1.0))[:, None, None]
        rows_b = self._rows_inverse(brk)
        rhs = bck + self._gT * rows_b.transpose(0, 2, 1)
        x = self._cols_inverse(rhs) if x0 is None else np.ascontiguousarray(x0[1].transpose(2, 1, 0))
        r = rhs - self._schur(x)

        def big(a):
            return np.abs(a).max(axis=(1, 2), keepdims=True) > limit

        def dot(a, b):
            return np.einsum("kij,kij->k", a, b)[:, None, None]

        active = big(r)
        z = self._cols_inverse(r)
        pdir = z
        rz = dot(r, z)
        iterations = 0
        while np.any(active):
            if iterations >= maxiter:
                raise NotConverged(f"conjugate gradients: {int(active.sum())} of {active.size} right-hand "
                                   f"sides above their tolerance after {maxiter} iterations")
            iterations += 1
            q = self._schur(pdir)
            pq = dot(pdir, q)
            alpha = np.where(active & (pq > 0), rz / np.where(pq > 0, pq, 1.0), 0.0)
            x += alpha * pdir
            r -= alpha * q
            active &= big(r)
            z = self._cols_inverse(r)
            rz_new = dot(r, z)
            beta = np.where(active & (rz > 0), rz_new / np.where(rz > 0, rz, 1.0), 0.0)
            rz = rz_new
            pdir = z + beta * pdir
        self.iterations += iterations
        xr = rows_b + self._rows_inverse(np.ascontiguousarray((self._gT * x).transpose(0, 2, 1)))
        xr, xc = xr.transpose(1, 2, 0), x.transpose(2, 1, 0)
        # the recursive residual drifts from the true one: check the whole network's
        ar, ac = self.apply(xr, xc)
        true = np.maximum(np.abs(br - ar).max(axis=(0, 1)), np.abs(bc - ac).max(axis=(0, 1)))
        if np.any(true > 10.0 * limit[:, 0, 0]):
            raise NotConverged(f"conjugate gradients: true KCL residual {true.max():.3g} A above "
                               f"{10 * limit.max():.3g} A after {iterations} iterations")
        return xr, xc

    # ---- outputs --------------------------------------------------------------------
    def column_currents(self, xr, xc):
        """Current of each column into its termination [A], (M, k): the sum of its cells' currents.

        Summing the cells (KCL on the column wire) keeps the precision of the small
        currents; the termination's own ``g (v - V)`` would carry the solve's
        round-off of the column node (~1e-13 V through a 1 S wire segment).
        """
        return np.einsum("ij,ijk->jk", self.g, xr - xc)

    # ---- Thevenin resistances -------------------------------------------------------
    def thevenin_bounds(self):
        """Resistance [Ohm] each cell sees with itself removed: lower bound, estimate, upper bound, (N, M) each.

        Lower: every other cell split into two ``2 g`` halves with their midpoint grounded;
        estimate: every other cell a shunt ``g`` at both ends (block Jacobi); upper: every
        other cell removed. The true value lies between the bounds (Rayleigh's monotonicity law).
        """
        out = []
        for weight in (2.0, 1.0, 0.0):
            shunt_r = weight * self.g
            shunt_r[:, 0] += self.row_term_S
            shunt_c = weight * self.g.T
            shunt_c[:, -1] += self.col_term_S
            yr = _line_admittance_S(shunt_r, self.wire_S) - weight * self.g
            yc = (_line_admittance_S(shunt_c, self.wire_S) - weight * self.g.T).T
            out.append(1.0 / np.maximum(yr, 1e-300) + 1.0 / np.maximum(yc, 1e-300))
        return out[0], out[1], out[2]

    def thevenin_exact(self, cells, chunk=None, rtol=1e-8):
        """Exact Thevenin resistances [Ohm] of the flat cell indices ``cells`` (i * M + j).

        One unit current between each cell's row and column node (the cell in place),
        solved ``chunk`` at a time (default: blocks of 2**18 cells x right-hand sides):
        ``R_dp = v_r - v_c``, then ``R_th = R_dp / (1 - g R_dp)``.
        """
        cells = np.asarray(cells, dtype=int)
        chunk = max(1, 2 ** 18 // (self.n * self.m)) if chunk is None else int(chunk)
        out = np.empty(cells.size)
        gflat = self.g.ravel()
        for a in range(0, cells.size, chunk):
            pick = cells[a:a + chunk]
            i, j = np.divmod(pick, self.m)
            k = np.arange(pick.size)
            br = np.zeros((self.n, self.m, pick.size))
            bc = np.zeros_like(br)
            br[i, j, k] = 1.0
            bc[i, j, k] = -1.0
            xr, xc = self.solve(br, bc, rtol=rtol)
            r_dp = xr[i, j, k] - xc[i, j, k]
            out[a:a + pick.size] = np.maximum(r_dp / np.maximum(1.0 - gflat[pick] * r_dp, 1e-12), 0.0)
        return out
