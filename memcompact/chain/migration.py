"""The two-sphere splitting-merging simulation and the field that moves clusters.

:func:`two_sphere_params` sets up the paper's Methods simulation (Fig. 1m-p):
two spheres between inert electrodes, constant total volume (no supply, no
nucleation), fixed outer span (each pole process moves only its own edge),
and Gamma_ox = 0 for the downstream sphere. It is the same simulator as every
other run, with different parameters only.

:func:`migration_field_V_per_m` measures the observation of Fig. 2h: the
applied field (V / L) needed to move a cluster "within minutes", i.e. for the
upstream sphere to hand over half its volume to its downstream neighbour in
``time_s``.
"""

from __future__ import annotations

import math

from memcompact.chain.simulate import simulate_chain


def two_sphere_params(params, radius_m=2.5e-9, gap_m=5e-9, downstream_oxidation=0.0):
    """Parameters of the Methods two-sphere simulation, centred in the film.

    Parameters
    ----------
    params : ChainParams
        Base parameters (metal preset, thickness ...).
    radius_m : float
        Initial radius of both spheres [m] (the paper's Ag clusters: ~2.5 nm).
    gap_m : float
        Initial surface-to-surface gap [m].
    downstream_oxidation : float
        Oxidation multiplier of the downstream sphere (0: Gamma_ox = 0, as in
        the Methods).

    Returns
    -------
    ChainParams
        With ``initial_clusters`` set, the AE inert (``ae_oxidation_scale=0``),
        nucleation off and ``pole_growth_fraction=1`` (fixed outer span).
    """
    mid = 0.5 * params.thickness_m
    x1 = mid - 0.5 * gap_m - radius_m
    x2 = mid + 0.5 * gap_m + radius_m
    return params.replace(initial_clusters=((x1, radius_m, 1.0), (x2, radius_m, float(downstream_oxidation))),
                          ae_oxidation_scale=0.0, nucleation_scale=0.0, pole_growth_fraction=1.0)


def upstream_fraction_moved(params, field_V_per_m, time_s, radius_m=2.5e-9, gap_m=5e-9, seed=0):
    """Fraction of the upstream sphere's volume moved downstream after ``time_s``.

    Parameters
    ----------
    params : ChainParams
        Base parameters.
    field_V_per_m : float
        Applied field V / L [V/m].
    time_s : float
        Duration [s].
    radius_m, gap_m : float
        Geometry of :func:`two_sphere_params` [m].
    seed : int
        Seed (the two-sphere run has no random events).
    """
    p = two_sphere_params(params, radius_m, gap_m)
    result = simulate_chain(p, field_V_per_m * p.thickness_m, time_s, seed=seed, n_samples=20)
    start = (4.0 / 3.0) * math.pi * radius_m ** 3
    ids = result.clusters.ids[-1]
    radii = result.clusters.radius_m[-1]
    left = [(4.0 / 3.0) * math.pi * r ** 3 for i, r in zip(ids, radii) if i == 0]
    return 1.0 - (left[0] if left else 0.0) / start


def migration_field_V_per_m(params, time_s=300.0, fraction=0.5, low_V_per_m=1e6, high_V_per_m=2e9,
                            iterations=14, radius_m=2.5e-9, gap_m=5e-9):
    """Applied field at which a cluster moves within ``time_s`` (seed paper, Fig. 2h).

    Bisection (in log field) for the field at which the upstream sphere of
    the two-sphere simulation has handed ``fraction`` of its volume to the
    downstream one after ``time_s``.

    Parameters
    ----------
    params : ChainParams
        Metal preset and device.
    time_s : float
        Observation time [s] ("within minutes": 300 s).
    fraction : float
        Volume fraction that counts as moved [-].
    low_V_per_m, high_V_per_m : float
        Bracket of the search [V/m].
    iterations : int
        Bisection steps (each halves the bracket in log field).
    radius_m, gap_m : float
        Sphere radius and gap [m].

    Returns
    -------
    float
        The field [V/m] (1 MV/cm = 1e8 V/m), or ``inf`` when even
        ``high_V_per_m`` does not move the cluster.
    """
    if upstream_fraction_moved(params, high_V_per_m, time_s, radius_m, gap_m) < fraction:
        return math.inf
    if upstream_fraction_moved(params, low_V_per_m, time_s, radius_m, gap_m) >= fraction:
        return low_V_per_m
    lo, hi = math.log(low_V_per_m), math.log(high_V_per_m)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        if upstream_fraction_moved(params, math.exp(mid), time_s, radius_m, gap_m) >= fraction:
            hi = mid
        else:
            lo = mid
    return math.exp(hi)
