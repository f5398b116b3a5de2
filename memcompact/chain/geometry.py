"""Geometry of the 1-D chain: spheres on the axis between the AE (x = 0) and the IE (x = L).

Clusters are spheres centred on the axis. A pole process moves one edge:
oxidation on the downstream pole removes metal there (the upstream edge stays),
reduction on the upstream pole adds metal there (the downstream edge stays).
This is the rule of the paper's Methods simulation (two spheres whose outer
span stays fixed while they exchange volume); ``pole_fraction`` < 1 lets
surface diffusion keep part of the deposit centred.
"""

from __future__ import annotations

import numpy as np

FOUR_THIRDS_PI = 4.0 * np.pi / 3.0


def sphere_volume_m3(radius_m):
    """Volume of a sphere [m^3] from its radius [m]."""
    return FOUR_THIRDS_PI * np.asarray(radius_m, dtype=float) ** 3


def sphere_radius_m(volume_m3):
    """Radius of a sphere [m] from its volume [m^3] (negative volumes give 0)."""
    return np.cbrt(np.maximum(np.asarray(volume_m3, dtype=float), 0.0) / FOUR_THIRDS_PI)


def pole_edge_update(x_m, r_m, reduced_m3, oxidised_m3, direction=1, pole_fraction=1.0):
    """New centres and radii after reduction on the upstream and oxidation on the downstream pole.

    Parameters
    ----------
    x_m, r_m : numpy.ndarray
        Centres and radii [m].
    reduced_m3 : numpy.ndarray
        Volume deposited on the upstream pole [m^3] (>= 0).
    oxidised_m3 : numpy.ndarray
        Volume removed from the downstream pole [m^3] (>= 0).
    direction : int
        +1 when ions drift towards +x (positive bias), -1 otherwise.
    pole_fraction : float
        1: each process moves only its own pole's edge (the Methods rule:
        fixed outer span); 0: the cluster stays a sphere about a fixed centre
        (surface diffusion redistributes the deposit); in between, a mix.

    Returns
    -------
    tuple of numpy.ndarray
        (centres [m], radii [m], volumes [m^3]); a volume <= 0 means the
        cluster dissolved.
    """
    v_old = sphere_volume_m3(r_m)
    r_red = sphere_radius_m(v_old + reduced_m3)
    v_new = v_old + reduced_m3 - oxidised_m3
    r_new = sphere_radius_m(v_new)
    grow_up = 2.0 * (r_red - r_m)             # upstream edge moves upstream by this
    shrink_down = grow_up - 2.0 * (r_new - r_m)  # downstream edge moves upstream by this
    x_new = x_m - direction * pole_fraction * 0.5 * (grow_up + shrink_down)
    return x_new, r_new, v_new


def gaps_m(ae_surface_m, ie_tip_m, x_m, r_m):
    """Widths of the dielectric gaps along the chain [m] (n clusters -> n + 1 gaps).

    Parameters
    ----------
    ae_surface_m : float
        Position of the AE surface [m] (0, or negative when the contact is recessed).
    ie_tip_m : float
        Position of the IE or of the tip of its deposit [m].
    x_m, r_m : numpy.ndarray
        Sorted cluster centres and radii [m].
    """
    left = np.concatenate(([ae_surface_m], x_m + r_m))
    right = np.concatenate((x_m - r_m, [ie_tip_m]))
    return np.maximum(right - left, 0.0)
