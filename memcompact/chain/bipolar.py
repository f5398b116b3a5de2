"""Metal clusters as bipolar electrodes (BPEs): polarization and ion capture.

A floating metal cluster in a field is an equipotential; the dielectric around
it is not, so its surface is polarized (seed paper, Fig. 1q and text):

    P = E r (cos theta - cos lambda)

with theta the angle from the field direction on the cluster surface and
lambda the angle at which the polarization changes sign (cos lambda = 0 for a
neutral sphere). Its downstream pole (facing the inert electrode) is the
anode, its upstream pole the cathode.
"""

from __future__ import annotations

import numpy as np

from memcompact.chain.constants import BOLTZMANN_EV_PER_K


def cluster_polarization_V(field_V_per_m, radius_m, theta_rad=0.0, cos_lambda=0.0):
    r"""Interfacial polarization of a spherical bipolar electrode.

    .. math:: P = E\,r\,(\cos\theta - \cos\lambda)

    Parameters
    ----------
    field_V_per_m : float or array_like
        Local field E [V/m].
    radius_m : float or array_like
        Cluster radius r [m].
    theta_rad : float or array_like
        Polar angle on the surface from the downstream pole [rad] (0:
        downstream pole, pi: upstream pole).
    cos_lambda : float
        cos of the angle where the polarization changes sign [-].

    Returns
    -------
    numpy.ndarray
        Polarization [V]; positive = anodic.
    """
    return np.asarray(field_V_per_m) * np.asarray(radius_m) * (np.cos(theta_rad) - cos_lambda)


def finite_gap_overpotential_V(polarization_V, gap_voltage_V):
    r"""Pole overpotential when the neighbour is close: P limited by half the gap voltage.

    .. math:: \eta = \frac{P\,V_g/2}{P + V_g/2}

    An isolated sphere (gap >> r) keeps eta = P = E r; when the gap to the
    next conductor is much narrower than r, the two facing poles share the
    gap's voltage V_g and eta -> V_g / 2.

    Parameters
    ----------
    polarization_V : float or array_like
        Polarization of the pole from :func:`cluster_polarization_V` [V], >= 0.
    gap_voltage_V : float or array_like
        Voltage across the adjacent gap [V], >= 0.
    """
    p = np.maximum(np.asarray(polarization_V, dtype=float), 0.0)
    v = 0.5 * np.maximum(np.asarray(gap_voltage_V, dtype=float), 0.0)
    s = p + v
    return np.where(s > 0, p * v / np.where(s > 0, s, 1.0), 0.0)


def capture_fraction(radius_m, column_radius_m, field_V_per_m=None, temperature_K=300.0, charge_number=1):
    r"""Fraction of the drifting ion flux of a conduction column caught by a cluster.

    Field lines ending on a conducting sphere in a uniform field come from a
    cross-section 3 pi r^2 (its surface field is 3 E cos theta), and ions
    follow field lines; a small sphere also collects by diffusion
    (Smoluchowski, 4 pi D r c with D = mu k_B T / (z e)). Relative to the
    column's drift flux c mu E pi r_col^2:

    .. math:: f = \min\left(1, \frac{3 r^2}{r_{col}^2}
              + \frac{4 k_B T\, r}{z e E\, r_{col}^2}\right)

    f = 1 is eq. 3 of the paper for large, close clusters
    (Gamma_red^i = Gamma_ox^(i-1)); small nuclei let most ions drift on.

    Parameters
    ----------
    radius_m : float or array_like
        Cluster radius r [m].
    column_radius_m : float
        Radius of the conduction column r_col [m].
    field_V_per_m : float or array_like, optional
        Local field E [V/m]; None leaves out the diffusion term.
    temperature_K : float
        Temperature [K].
    charge_number : int
        Ion charge z [-].
    """
    r = np.asarray(radius_m, dtype=float)
    f = 3.0 * (r / column_radius_m) ** 2
    if field_V_per_m is not None:
        kt = BOLTZMANN_EV_PER_K * temperature_K
        e = np.maximum(np.asarray(field_V_per_m, dtype=float), 1.0)
        f = f + 4.0 * kt * r / (charge_number * e * column_radius_m ** 2)
    return np.minimum(1.0, f)


def pole_area_m2(radius_m, cos_lambda=0.0):
    """Area of the anodic cap of a sphere (cos theta > cos lambda) [m^2].

    Parameters
    ----------
    radius_m : float or array_like
        Sphere radius [m].
    cos_lambda : float
        cos of the sign-change angle [-].
    """
    return 2.0 * np.pi * np.asarray(radius_m, dtype=float) ** 2 * (1.0 - cos_lambda)


def pole_field_enhancement(position_m, x_m, radius_m):
    r"""Field at points on the axis, relative to the uniform field, near conducting spheres.

    On the axis of a conducting sphere in a uniform field E_0, at a distance d
    from its centre, E = E_0 (1 + 2 r^3 / d^3): 3 E_0 at the poles. The
    contributions of all clusters are added (dilute-dipole approximation).
    Nucleation is most likely in this enhanced field next to a cluster (the
    new cluster emerging near a dissolving one, Fig. 1k-l).

    Parameters
    ----------
    position_m : array_like
        Points on the axis [m] (outside the clusters).
    x_m, radius_m : array_like
        Cluster centres and radii [m].

    Returns
    -------
    numpy.ndarray
        E / E_0 at each point [-].
    """
    pos = np.asarray(position_m, dtype=float)
    x = np.asarray(x_m, dtype=float)
    if x.size == 0:
        return np.ones_like(pos)
    r = np.asarray(radius_m, dtype=float)
    d = np.maximum(np.abs(pos[:, None] - x[None, :]), r[None, :])
    return 1.0 + 2.0 * np.sum((r[None, :] / d) ** 3, axis=1)
