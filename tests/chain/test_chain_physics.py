"""Unit tests of the chain's physics functions (closed forms, stated tolerances)."""

import math

import numpy as np
import pytest

from memcompact.chain.bipolar import (capture_fraction, cluster_polarization_V, finite_gap_overpotential_V,
                                      pole_field_enhancement)
from memcompact.chain.geometry import gaps_m, pole_edge_update, sphere_radius_m, sphere_volume_m3
from memcompact.chain.kinetics import (arrhenius_factor, butler_volmer_rate, hopping_drift_velocity,
                                       hopping_mobility, saturated_overpotential_V)
from memcompact.chain.nucleation import defect_strain_map, nucleation_free_energy, nucleation_rate
from memcompact.chain.reservoir import contact_recess_m, contact_supply_factor, surface_refill_rate_m3_per_s
from memcompact.chain.thermal import joule_temperature_K, relax_temperature_K, sintering_rate_per_s
from memcompact.chain.tunnelling import (circuit_solution, coulomb_blockade_exponent, field_division_V,
                                         sharvin_conductance_S, tunnelling_decay_per_m)

KT = 8.617333262e-5 * 300.0


def test_butler_volmer_zero_at_equilibrium_and_tafel_slope():
    assert butler_volmer_rate(0.0, 1e17, 0.3, 1, 300.0) == pytest.approx(0.0, abs=1e-3)
    r1 = butler_volmer_rate(0.3, 1e17, 0.3, 1, 300.0)
    r2 = butler_volmer_rate(0.4, 1e17, 0.3, 1, 300.0)
    # anodic Tafel branch: a 0.1 V step multiplies the rate by exp(alpha z 0.1 / kT) (rtol 1e-3)
    assert r2 / r1 == pytest.approx(math.exp(0.3 * 0.1 / KT), rel=1e-3)
    assert butler_volmer_rate(-0.2, 1e17, 0.3, 1, 300.0) < 0  # cathodic


def test_saturated_overpotential_is_odd_and_bounded():
    eta = np.array([-5.0, -0.01, 0.0, 0.01, 5.0])
    out = saturated_overpotential_V(eta, 1.0)
    assert np.all(np.abs(out) < 1.0)
    assert out[3] == pytest.approx(0.01, rel=1e-4)
    assert out[0] == pytest.approx(-out[-1])


def test_hopping_mobility_arrhenius_and_drift_limits():
    assert hopping_mobility(300.0, 1e-17, 0.8) == pytest.approx(1e-17, rel=1e-12)
    hot = hopping_mobility(600.0, 1e-17, 0.8)
    assert hot == pytest.approx(1e-17 * 0.5 * math.exp(0.8 / 8.617333262e-5 * (1 / 300 - 1 / 600)), rel=1e-9)
    assert arrhenius_factor(300.0, 1.0) == pytest.approx(1.0)
    # low field: v = mu E (rtol 1e-4); high field: faster than linear
    assert hopping_drift_velocity(1e5, 300.0, 1e-17, 0.25e-9, 1) == pytest.approx(1e-12, rel=1e-4)
    assert hopping_drift_velocity(1e9, 300.0, 1e-17, 0.25e-9, 1) > 10 * 1e-17 * 1e9


def test_polarization_eq_and_finite_gap():
    # P = E r (cos theta - cos lambda): 0.8 MV/cm on a 2.5 nm cluster -> 0.2 V at the pole
    assert cluster_polarization_V(8e7, 2.5e-9) == pytest.approx(0.2, rel=1e-12)
    assert cluster_polarization_V(8e7, 2.5e-9, math.pi) == pytest.approx(-0.2, rel=1e-12)
    assert cluster_polarization_V(8e7, 2.5e-9, math.pi / 2) == pytest.approx(0.0, abs=1e-15)
    # wide gap keeps P, narrow gap limits to half the gap voltage
    assert finite_gap_overpotential_V(0.2, 100.0) == pytest.approx(0.2, rel=1e-2)
    assert finite_gap_overpotential_V(10.0, 0.1) == pytest.approx(0.05, rel=1e-2)


def test_capture_fraction_and_pole_field():
    assert capture_fraction(2.5e-9, 2.5e-9) == 1.0
    assert capture_fraction(0.5e-9, 2.5e-9) == pytest.approx(3 * 0.04, rel=1e-12)
    assert capture_fraction(0.5e-9, 2.5e-9, 1e8) > capture_fraction(0.5e-9, 2.5e-9)
    # 3 E0 at the pole of a conducting sphere, -> 1 far away
    e = pole_field_enhancement(np.array([12.0e-9, 1e-6]), np.array([10e-9]), np.array([2e-9]))
    assert e[0] == pytest.approx(3.0, rel=1e-12)
    assert e[1] == pytest.approx(1.0, abs=1e-6)


def test_nucleation_free_energy_eq1_and_rate():
    # Delta G = -N z e dphi + Phi + N eps
    assert nucleation_free_energy(3, 1, 0.2, 0.9, 0.1) == pytest.approx(-0.6 + 0.9 + 0.3, rel=1e-12)
    assert nucleation_free_energy(3, 2, 0.2, 0.9, 0.1) == pytest.approx(-1.2 + 0.9 + 0.3, rel=1e-12)
    k = nucleation_rate(0.5, 0.5, 3, 5e7, 300.0)
    assert k == pytest.approx(5e7 * 0.125 * math.exp(-0.5 / KT), rel=1e-9)
    assert nucleation_rate(-1.0, 1.0, 3, 5e7, 300.0) == pytest.approx(5e7)  # barrier-free
    m = defect_strain_map(1000, 0.1, 0.5, np.random.default_rng(0))
    assert m.mean() == pytest.approx(0.1, rel=0.1) and np.all(m > 0)


def test_tunnelling_one_decade_per_nm_and_sharvin():
    decay = tunnelling_decay_per_m(2.0, 0.023)
    decades_per_nm = decay * 1e-9 / math.log(10)
    assert 0.8 < decades_per_nm < 1.2  # PARAMETERS.md: ~1 decade per nm
    assert sharvin_conductance_S(2e-9, 1.2e10) == pytest.approx(7.748091729e-5 * 144, rel=1e-9)
    assert sharvin_conductance_S(1e-11, 1.2e10) == pytest.approx(7.748091729e-5)


def test_coulomb_blockade_fades_out_at_column_size():
    b = coulomb_blockade_exponent(np.array([0.3e-9, 1.0e-9, 1.5e-9]), 1.44e-9, 3.9, 300.0)
    assert b[0] > 15 and b[0] > b[1] > b[2] == 0.0


def test_field_division_uniform_when_insulating_and_resistive_when_tunnelling():
    g = np.array([10e-9, 30e-9])
    v = field_division_V(4.0, g, np.zeros(2), 1e-15, 1e-10)
    assert v == pytest.approx([1.0, 3.0], rel=1e-12)  # same field in both gaps
    v2 = field_division_V(4.0, np.array([0.5e-9, 10e-9]), np.array([1e-3, 0.0]), 1e-15, 1e-10)
    assert v2[0] < 1e-3 * v2[1]  # a tunnelling gap is shorted (sigma_d/g = 2e-6 S vs 1e-3 S)


def test_circuit_compliance():
    v, i, ic = circuit_solution(3.0, 1e3, 0.0, 500.0, 1.0)
    assert i == pytest.approx(2e-3) and v == pytest.approx(2.0)
    v, i, ic = circuit_solution(3.0, 1e3, 0.0, 500.0, 1e-4)
    assert i == pytest.approx(1e-4) and v == pytest.approx(0.1)


def test_thermal_and_sintering():
    assert joule_temperature_K(1e-4, 300.0, 1e6, 900.0) == pytest.approx(300 + 900 * math.tanh(100 / 900))
    assert relax_temperature_K(300.0, 400.0, 1e-6, 1e-9) == pytest.approx(400.0)
    assert sintering_rate_per_s(300.0, 1e13, 1.5) < 1e-10 < sintering_rate_per_s(800.0, 1e13, 1.5)


def test_reservoir_recess_saturates_and_refill_needs_positive_field():
    assert contact_recess_m(1e-25, 2.5e-9, 2e-9) == 0.0
    assert contact_recess_m(-1e-20, 2.5e-9, 2e-9) == pytest.approx(2e-9, rel=1e-6)
    assert contact_supply_factor(0.0, 2e-9) == 1.0 and contact_supply_factor(2e-9, 2e-9) == 0.0
    assert surface_refill_rate_m3_per_s(-1e8, 300, 2.5e-9, 3e-12, 1e8, 0.4) == 0.0
    r1 = surface_refill_rate_m3_per_s(1e8, 300, 2.5e-9, 3e-12, 1e8, 0.4)
    assert surface_refill_rate_m3_per_s(2e8, 300, 2.5e-9, 3e-12, 1e8, 0.4) == pytest.approx(4 * r1)


def test_geometry_pole_rule_keeps_outer_edges():
    x, r = np.array([10e-9, 20e-9]), np.array([2e-9, 2e-9])
    dv = np.array([0.0, 5e-27])
    # sphere 2 gains on its upstream pole, sphere 1 loses on its downstream pole
    x2, r2, v2 = pole_edge_update(x, r, dv[::-1] * 0 + np.array([0.0, 5e-27]), np.array([5e-27, 0.0]), 1, 1.0)
    assert (x2 - r2)[0] == pytest.approx(8e-9, abs=1e-15)   # upstream edge of sphere 1 fixed
    assert (x2 + r2)[1] == pytest.approx(22e-9, abs=1e-15)  # downstream edge of sphere 2 fixed
    assert v2.sum() == pytest.approx(sphere_volume_m3(r).sum(), rel=1e-12)
    # isotropic growth keeps the centre
    x3, _, _ = pole_edge_update(x, r, np.array([5e-27, 0]), np.array([0, 5e-27]), 1, 0.0)
    assert x3 == pytest.approx(x)
    assert sphere_radius_m(sphere_volume_m3(1.7e-9)) == pytest.approx(1.7e-9)
    assert gaps_m(0.0, 40e-9, x, r) == pytest.approx([8e-9, 6e-9, 18e-9])
