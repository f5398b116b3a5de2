"""Mutable state of one chain simulation and its topology changes.

Holds the clusters (sorted centres, radii, ids), the ion counts of the grid
cells, the AE reservoir, the IE deposit, the temperature and the nucleation
bookkeeping, and applies the discrete events: nucleation, dissolution,
merging of touching clusters, attachment to the AE, absorption into the IE
deposit, and the voids clusters leave behind.
"""

from __future__ import annotations

import numpy as np

from memcompact.chain.geometry import sphere_radius_m, sphere_volume_m3
from memcompact.chain.nucleation import defect_strain_map
from memcompact.chain.reservoir import contact_recess_m


class ChainState:
    """State of the chain at one time (see module docstring).

    Parameters
    ----------
    params : ChainParams
        The parameters.
    rng : numpy.random.Generator
        Seeded generator (defect map, nucleation thresholds).
    """

    def __init__(self, params, rng):
        p = params
        self.p = p
        self.rng = rng
        self.t = 0.0
        self.L = p.thickness_m
        self.n_cells = max(4, int(round(p.thickness_m / p.cell_size_m)))
        self.dx = p.thickness_m / self.n_cells
        self.centres = (np.arange(self.n_cells) + 0.5) * self.dx
        self.omega = p.atomic_volume_m3
        self.n_max = p.ion_density_max_per_m3 * np.pi * p.column_radius_m ** 2 * self.dx
        init = np.array(p.initial_clusters, dtype=float).reshape(-1, 3)
        self.x = init[:, 0].copy()
        self.r = init[:, 1].copy()
        self.ox_scale = init[:, 2].copy()
        self.ids = np.arange(len(self.x))
        self.next_id = len(self.x)
        self.cap_rate = np.zeros(len(self.x))   # ions/s caught by each cluster (last step)
        self.ox_rate = np.zeros(len(self.x))    # ions/s emitted by each cluster (last step)
        self.ions = np.zeros(self.n_cells)
        self.void = np.zeros(self.n_cells, dtype=bool)
        self.strain = defect_strain_map(self.n_cells, p.strain_eV_per_atom, p.defect_strain_spread, rng)
        self.strain *= 1.0 - p.interface_strain_reduction * np.exp(-self.centres / p.interface_defect_depth_m)
        self.hazard = np.zeros(self.n_cells)
        self.threshold = rng.exponential(1.0, self.n_cells)
        self.reservoir_m3 = p.reservoir_m3
        self.ie_volume_m3 = 0.0
        self.ie_height_m = 0.0
        self.ie_moment_m4 = 0.0
        self.temperature_K = p.temperature_K
        self.sintering = 0.0        # how far the necks between touching metal have sintered (0..1)
        self.nucleations = []   # (t [s], x [m], id)
        self.sink_rate = 0.0    # ions/s reaching the downstream electrode (last step)
        self.source_rate = 0.0  # ions/s emitted by the upstream electrode (last step)
        self.supply_sum = 0.0   # time integral of (emitted / redox rate) at the source
        self.source_emitted_m3 = 0.0  # metal oxidised by the source before the film was bridged
        self.unbridged_s = 0.0        # time before the film was bridged
        self.supply_weight = 0.0
        self.film_reduced_m3 = 0.0  # volume reduced on clusters (cumulative)
        self.ie_reduced_m3 = 0.0    # volume reduced on the IE deposit (cumulative)
        self.ie_first_t = None      # first time the IE deposit held a critical nucleus
        self.ie_hazard = 0.0
        self.ie_threshold = rng.exponential(1.0)

    # --- derived geometry ---------------------------------------------------------
    @property
    def ae_surface_m(self):
        """Position of the AE surface [m] (negative when depletion opened the contact)."""
        return -contact_recess_m(self.reservoir_m3, self.p.contact_radius_m, self.p.contact_gap_max_m)

    @property
    def ie_tip_m(self):
        """Position of the IE, or of the tip of the IE deposit [m]."""
        return self.L - self.ie_height_m

    @property
    def ie_radius_m(self):
        """Mean radius of the IE deposit [m] (0 without a deposit)."""
        if self.ie_height_m <= 0:
            return 0.0
        return float(np.sqrt(self.ie_volume_m3 / (np.pi * self.ie_height_m)))

    def volumes(self):
        """Cluster volumes [m^3]."""
        return sphere_volume_m3(self.r)

    def cell_owner(self):
        """Index of the cluster occupying each cell, -1 where free (each cluster holds at least its own cell)."""
        owner = np.full(self.n_cells, -1)
        if self.x.size:
            lo, hi = self.x - self.r, self.x + self.r
            c = self.centres
            idx = np.searchsorted(lo, c, side="right") - 1
            ok = idx >= 0
            inside = ok & (c <= hi[np.maximum(idx, 0)])
            owner[inside] = idx[inside]
            own = np.minimum((self.x / self.dx).astype(int), self.n_cells - 1)
            owner[np.maximum(own, 0)] = np.arange(self.x.size)
        return owner

    def covered_cells(self):
        """Boolean mask of cells occupied by a cluster."""
        return self.cell_owner() >= 0

    def metal_moment_m4(self):
        """First moment of the metal in the film, sum of x dV [m^4] (clusters, ions, IE deposit)."""
        return float(np.sum(self.x * self.volumes()) + self.omega * np.dot(self.ions, self.centres)
                     + self.ie_moment_m4)

    def film_metal_m3(self):
        """Metal in the film [m^3]: clusters, ions in transit and the IE deposit."""
        return float(np.sum(self.volumes()) + self.omega * self.ions.sum() + self.ie_volume_m3)

    # --- topology ---------------------------------------------------------------
    def nucleate(self, cells):
        """Create a nucleus of N_c atoms in each of ``cells`` from the ions there."""
        p = self.p
        nc = p.critical_nucleus_atoms
        for k in cells:
            taken = 0.0
            for j in (k, k - 1, k + 1):
                if 0 <= j < self.n_cells and taken < nc:
                    d = min(self.ions[j], nc - taken)
                    self.ions[j] -= d
                    taken += d
            self.hazard[k] = 0.0
            self.threshold[k] = self.rng.exponential(1.0)
            if taken < 1.0:
                continue
            xk = self.centres[k]
            rk = float(sphere_radius_m(taken * self.omega))
            pos = int(np.searchsorted(self.x, xk))
            self.x = np.insert(self.x, pos, xk)
            self.r = np.insert(self.r, pos, rk)
            self.ox_scale = np.insert(self.ox_scale, pos, 1.0)
            self.ids = np.insert(self.ids, pos, self.next_id)
            self.cap_rate = np.insert(self.cap_rate, pos, 0.0)
            self.ox_rate = np.insert(self.ox_rate, pos, 0.0)
            self.nucleations.append((self.t, float(xk), int(self.next_id)))
            self.next_id += 1

    def nucleate_on_ie(self, cell):
        """First nucleus on the inert electrode, from the ions piled up in ``cell`` in front of it."""
        nc = self.p.critical_nucleus_atoms
        taken = min(self.ions[cell], nc)
        self.ions[cell] -= taken
        dv = taken * self.omega
        dh = dv / (np.pi * self.p.ecm_filament_radius_m ** 2)
        self.ie_volume_m3 += dv
        self.ie_reduced_m3 += dv
        self.ie_height_m += dh
        self.ie_moment_m4 += dv * (self.L - 0.5 * dh)
        if self.ie_first_t is None:
            self.ie_first_t = self.t

    def _delete(self, i):
        for name in ("x", "r", "ox_scale", "ids", "cap_rate", "ox_rate"):
            setattr(self, name, np.delete(getattr(self, name), i))

    def remove_dissolved(self, volumes, direction):
        """Remove clusters with less than one atom; their atoms become ions downstream."""
        gone = np.nonzero(volumes < self.omega)[0]
        for i in gone[::-1]:
            atoms = max(volumes[i], 0.0) / self.omega
            k = int(np.clip((self.x[i] + direction * self.r[i]) / self.dx, 0, self.n_cells - 1))
            self.ions[k] += atoms
            self._delete(i)

    def spanning(self, i):
        """True when cluster i spans the conduction column (a conductor of the chain)."""
        return self.r[i] * np.sqrt(3.0) >= self.p.column_radius_m

    def merge_and_attach(self):
        """Resolve contacts after a step.

        Overlapping clusters merge (the paper's "merging"). A small nucleus
        touching the AE joins it; a cluster spanning the column stays attached
        to it (an extension of the AE, connected through a neck). A cluster
        touching the IE or its deposit joins the deposit (the cathode grows
        back towards the AE).
        """
        for _ in range(4 * self.x.size + 8):
            if not self.x.size:
                return
            lo, hi = self.x - self.r, self.x + self.r
            over = np.nonzero(lo[1:] < hi[:-1])[0]
            if over.size:
                self._merge(int(over[0]))
                continue
            xa = self.ae_surface_m
            if lo[0] < xa:
                if not self.spanning(0):  # a nucleus on the AE is part of its roughness
                    self.reservoir_m3 += float(sphere_volume_m3(self.r[0]))
                    self._delete(0)
                else:
                    self.x[0] = xa + self.r[0]
                continue
            j = self.x.size - 1
            if hi[j] > self.ie_tip_m:
                self._absorb_into_ie(j)
                continue
            return

    def _merge(self, i):
        v = self.volumes()
        v1, v2 = v[i], v[i + 1]
        vt = v1 + v2
        xm = (self.x[i] * v1 + self.x[i + 1] * v2) / vt
        rm = float(sphere_radius_m(vt))
        span_lo, span_hi = self.x[i] - self.r[i], self.x[i + 1] + self.r[i + 1]
        xm = min(max(xm, span_lo + rm), span_hi - rm) if span_hi - span_lo >= 2 * rm else xm
        keep = i if v1 >= v2 else i + 1
        self.ids[i] = self.ids[keep]
        self.ox_scale[i] = (self.ox_scale[i] * v1 + self.ox_scale[i + 1] * v2) / vt
        self.cap_rate[i] += self.cap_rate[i + 1]
        self.ox_rate[i] += self.ox_rate[i + 1]
        self.x[i], self.r[i] = xm, rm
        self._delete(i + 1)

    def _absorb_into_ie(self, i):
        v = float(sphere_volume_m3(self.r[i]))
        self.ie_volume_m3 += v
        self.ie_moment_m4 += self.x[i] * v
        self.ie_height_m = max(self.ie_height_m, self.L - (self.x[i] - self.r[i]))
        self._delete(i)

    def absorb_covered_ions(self):
        """Ions left in cells that a cluster now covers are reduced onto that cluster."""
        if not self.x.size:
            return
        owner = self.cell_owner()
        hit = (owner >= 0) & (self.ions > 0)
        if hit.any():
            got = np.zeros(self.x.size)
            np.add.at(got, owner[hit], self.ions[hit])
            self.ions[hit] = 0.0
            self.r = sphere_radius_m(self.volumes() + got * self.omega)
            self.merge_and_attach()

    def attached_fraction(self, touch_m):
        """Fraction of cluster volume connected to the AE through gaps narrower than ``touch_m``."""
        if not self.x.size:
            return 0.0
        v = self.volumes()
        left = np.concatenate(([self.ae_surface_m], self.x[:-1] + self.r[:-1]))
        g = self.x - self.r - left
        open_ = np.nonzero(g > touch_m)[0]
        n_att = int(open_[0]) if open_.size else self.x.size
        return float(v[:n_att].sum() / v.sum())
