"""Ion drift along the chain: implicit upwind transport with capture by clusters.

Ions live in the free (dielectric) cells of a 1-D grid along the field. Per
step dt each cell passes ``w n`` ions per second downstream (w = v/dx, v the
hopping drift velocity). A cluster between two free cells catches the
fraction f of the flux that reaches it (:func:`~memcompact.chain.bipolar.capture_fraction`);
its own oxidation products enter the next free cell. A cluster with no free
cell between it and its upstream neighbour catches everything that neighbour
emits: eq. 3 of the paper, Gamma_red^i = Gamma_ox^(i-1) for close clusters.
What leaves the last free cell reaches the downstream electrode.

Emission into a cell is blocked by its occupancy (``1 - n / n_max``), so the
flux out of an electrode or cluster is the smaller of its redox rate and what
transport can carry away: supply-limited or transport-limited growth.

Backward Euler in time, so any dt is stable; the steady profile is exact and
a front is resolved when dt is no longer than a cell's transit time.
"""

from __future__ import annotations

import numpy as np


def drift_ions(ions, cells, passed, outflow_rate, source_rate, capture, emission, dt, n_max, skip=0,
               reduction_rate=None, reduction_owner=None):
    """Advance the ion counts by one implicit step.

    Parameters
    ----------
    ions : numpy.ndarray
        Ions in each grid cell [-] (not modified).
    cells : sequence of int
        Free cells in drift order (upstream first).
    passed : sequence of int
        For each entry of ``cells``, the number of clusters upstream of it.
    outflow_rate : numpy.ndarray
        w = v / dx of every cell [1/s].
    source_rate : float
        Emission rate of the upstream electrode [1/s] (ions per second).
    capture : sequence of float
        Capture fraction of each cluster, in drift order [-].
    emission : sequence of float
        Oxidation rate of each cluster, in drift order [1/s].
    dt : float
        Step [s].
    n_max : float
        Largest ion count in a cell [-].
    skip : int
        The first ``skip`` clusters are part of the source electrode (touching
        it): transparent, neither catching nor emitting.
    reduction_rate : numpy.ndarray, optional
        Per cell, the rate [1/s] at which each ion in it is reduced on the
        upstream pole of the cluster just downstream (cathodic Butler-Volmer
        with the local ion concentration).
    reduction_owner : numpy.ndarray, optional
        Per cell, the index (in drift order) of that cluster, -1 for none.

    Returns
    -------
    new_ions : numpy.ndarray
        Ion counts after the step [-].
    captured : numpy.ndarray
        Ions reduced on each cluster during the step [-].
    emitted : numpy.ndarray
        Ions emitted by each cluster during the step (after blocking) [-].
    source_emitted : float
        Ions emitted by the upstream electrode [-].
    sink_captured : float
        Ions reaching the downstream electrode [-].
    """
    new = ions.copy()
    n_cl = len(capture)
    captured = [0.0] * n_cl
    emitted = [0.0] * n_cl
    cap = list(capture)
    emi = list(emission)
    flux = 0.0          # ions/s leaving the previous free cell, still drifting
    pending = source_rate  # emission waiting to enter the next free cell
    owner = -1          # who emitted `pending` (-1: the electrode)
    source_emitted = 0.0
    done = min(skip, n_cl)  # clusters passed so far (the attached ones count as passed)
    n_old = ions.tolist()
    w_all = outflow_rate.tolist()
    if reduction_rate is None:
        red = [0.0] * len(n_old)
        red_owner = [-1] * len(n_old)
    else:
        red = reduction_rate.tolist()
        red_owner = reduction_owner.tolist()
    for k, p in zip(cells, passed):
        while done < p:  # pass cluster `done`
            i = done
            got = cap[i] * flux + pending
            captured[i] += got * dt
            if owner == -1:
                source_emitted += pending * dt
            elif pending:
                emitted[owner] += pending * dt
            flux *= 1.0 - cap[i]
            pending = emi[i]
            owner = i
            done += 1
        w = w_all[k]
        lam = red[k]
        nk = (n_old[k] + dt * (flux + pending)) / (1.0 + dt * (w + lam) + dt * pending / n_max)
        if nk > n_max:  # the cell is full: no emission into it this step
            nk = (n_old[k] + dt * flux) / (1.0 + dt * (w + lam))
            eff = 0.0
        else:
            eff = pending * (1.0 - nk / n_max)
        if lam:
            captured[red_owner[k]] += lam * nk * dt
        if owner == -1:
            source_emitted += eff * dt
        else:
            emitted[owner] += eff * dt
        new[k] = nk
        flux = w * nk
        pending = 0.0
    while done < n_cl:
        i = done
        captured[i] += (cap[i] * flux + pending) * dt
        if owner == -1:
            source_emitted += pending * dt
        elif pending:
            emitted[owner] += pending * dt
        flux *= 1.0 - cap[i]
        pending = emi[i]
        owner = i
        done += 1
    sink = (flux + pending) * dt
    if owner == -1:
        source_emitted += pending * dt
    elif pending:
        emitted[owner] += pending * dt
    return new, np.array(captured), np.array(emitted), source_emitted, sink
