"""The seed paper's observations, reproduced by the chain simulator (issue 3).

Same code everywhere, different parameters only. Each test names the figure
it reproduces and states its tolerance. Runs are seeded, so the numbers are
exact for a given code version. The Ag/SiO2 observations (Fig. 4-6) are
asserted over ten seeds (0-9), by majority or by a stated count, never at one
chosen seed; docs/chain.md gives the measured counts and where each
observation stops holding.
"""

import numpy as np
import pytest

from memcompact.chain import preset, simulate_chain
from memcompact.chain.geometry import sphere_volume_m3
from memcompact.chain.migration import migration_field_V_per_m, two_sphere_params

MV_PER_CM = 1e8  # [V/m]


# 1. Two-sphere splitting-merging (Fig. 1m-p, Methods) -------------------------------------
def test_two_sphere_splitting_merging():
    p = two_sphere_params(preset("Ag"), radius_m=2.5e-9, gap_m=5e-9)
    r = simulate_chain(p, 3.0, 120.0, seed=0, n_samples=121)  # 0.75 MV/cm
    h = r.clusters
    up, down = h.track(0), h.track(1)
    v_up, v_down = sphere_volume_m3(up["radius_m"]), sphere_volume_m3(down["radius_m"])
    n = min(v_up.size, v_down.size)
    # the upstream sphere dissolves, the downstream one grows, monotonically
    assert np.all(np.diff(v_up[:n]) <= 1e-33) and np.all(np.diff(v_down[:n]) >= -1e-33)
    assert v_up[n - 1] < 0.8 * v_up[0]
    # constant total volume: spheres + ions in transit (rtol 1e-9)
    total = r.traces["film_metal_m3"]
    assert np.allclose(total, total[0], rtol=1e-9)
    # fixed outer span (abs 1 pm: ions met inside a sphere's cells are added about its centre)
    span = (down["x_m"][:n] + down["radius_m"][:n]) - (up["x_m"][:n] - up["radius_m"][:n])
    assert np.allclose(span, span[0], atol=1e-12, rtol=0)
    # the centre of mass moves along the field (towards the IE)
    com = (up["x_m"][:n] * v_up[:n] + down["x_m"][:n] * v_down[:n]) / (v_up[:n] + v_down[:n])
    assert com[-1] - com[0] > 0.2e-9 and np.all(np.diff(com) >= -1e-15)


# 2. Along the field, always ------------------------------------------------------------------
@pytest.mark.parametrize("metal, voltage", [("Ag", 3.0), ("Cu", 6.0), ("Ni", 12.0), ("Pt", 16.0)])
def test_net_metal_displacement_is_towards_the_ie(metal, voltage):
    r = simulate_chain(preset(metal), voltage, 200.0, seed=1)
    moment = r.traces["metal_moment_m4"]  # sum of x dV over the metal in the film
    assert moment[-1] > moment[0]
    # never decreases by more than 0.1 % of its final value between samples
    assert np.all(np.diff(moment) >= -1e-3 * moment[-1])


# 3. Cu two-stage: grow, then dissolve past a radius (Fig. 2a-f), in most of seeds 0-9 ---------
def cu_grows_then_dissolves(result):
    """True when some cluster first grows (Gamma_red > Gamma_ox) and then, past its largest radius, dissolves."""
    for cid in result.clusters.all_ids():
        tr = result.clusters.track(cid)
        rad = tr["radius_m"]
        if rad.size < 5:
            continue
        k = int(np.argmax(rad))
        if 0 < k < rad.size - 1 and rad[k] - rad[-1] > 0.2 * rad[k] and rad[k] > 1e-9:
            red, ox = tr["reduction_per_s"], tr["oxidation_per_s"]
            first = np.mean(red[:k] > ox[:k])          # stage 1: Gamma_red > Gamma_ox
            second = np.mean(ox[k + 1:] > red[k + 1:])  # stage 2: Gamma_ox > Gamma_red
            if first >= 0.8 and second >= 0.5:
                return True
    return False


def test_cu_clusters_grow_then_dissolve():
    found = [cu_grows_then_dissolves(simulate_chain(preset("Cu"), 6.0, 300.0, seed=s))  # 1.5 MV/cm
             for s in range(10)]
    assert 2 * sum(found) > len(found), found  # measured: 9 of 10


# 4. Metal ordering (Fig. 2h), Pt never re-dissolves (Fig. 2g), Ni grows backwards (Fig. 2i-l) ---
@pytest.mark.slow
def test_field_needed_to_move_clusters_within_minutes():
    e = {m: migration_field_V_per_m(preset(m), time_s=300.0, iterations=8, high_V_per_m=1e9)
         for m in ("Ag", "Cu", "Ni", "Pt")}
    assert e["Ag"] < 1 * MV_PER_CM
    assert e["Ag"] < e["Cu"] < 2 * MV_PER_CM  # slightly higher, same level
    for m in ("Ni", "Pt"):
        assert 3 * MV_PER_CM <= e[m] <= 5 * MV_PER_CM, (m, e[m])


@pytest.mark.slow
def test_pt_clusters_do_not_redissolve():
    # 3.5 MV/cm, within the 3-5 MV/cm of Fig. 2h; ten seeds. Measured (2026-12-03): 64 clusters grew
    # past 1 nm over the ten runs, 60 kept at least 90 % of their largest radius to the end of the run
    # (or to their merge), the worst kept 64 %; 8 of 10 runs grew at least 3 clusters. The seed-1 run
    # alone once grew 3 clusters and now grows 2 (another CPU: the stochastic run follows the
    # floating-point path), which is why nothing here rests on one seed.
    kept, grown_per_run = [], []
    for seed in range(10):
        r = simulate_chain(preset("Pt"), 14.0, 300.0, seed=seed)
        grown = 0
        for cid in r.clusters.all_ids():
            rad = r.clusters.track(cid)["radius_m"]
            if rad.max() >= 1e-9:
                grown += 1
                kept.append(rad[-1] / rad.max())
        grown_per_run.append(grown)
    kept = np.array(kept)
    assert len(kept) >= 20, grown_per_run
    assert np.mean(kept >= 0.9) >= 0.8, kept  # nearly every grown cluster keeps its metal
    assert kept.min() >= 0.5, kept  # none re-dissolves (Cu: grown clusters dissolve, test above)
    assert 2 * sum(g >= 3 for g in grown_per_run) > len(grown_per_run), grown_per_run


def test_ni_cluster_grows_back_towards_a_large_source():
    # an existing Ni cluster in front of a large Ni source (Fig. 2i-l)
    p = preset("Ni", initial_clusters=((10e-9, 2.0e-9, 1.0),), nucleation_scale=0.0)
    r = simulate_chain(p, 12.0, 300.0, seed=0)  # 3 MV/cm
    tr = r.clusters.track(0)
    lo, hi = tr["x_m"] - tr["radius_m"], tr["x_m"] + tr["radius_m"]
    assert lo[0] - lo[-1] > 1.5e-9                  # its upstream face moved towards the source
    assert hi[-1] <= hi[0] + 1e-12                  # it did not advance towards the IE
    assert sphere_volume_m3(tr["radius_m"][-1]) > 1.5 * sphere_volume_m3(tr["radius_m"][0])  # it grew


# 5. Growth regimes at the four corners of (mu, Gamma) (Fig. 3, DESIGN 2.1) -----------------
CORNERS = {  # (mobility_scale, redox_scale): expected case
    (0.3, 0.1): "b",    # low mu, low Gamma
    (0.3, 100.0): "c",  # low mu, high Gamma
    (1e4, 100.0): "a",  # high mu, high Gamma
    (1e4, 0.1): "d",    # high mu, low Gamma
}


@pytest.mark.slow
@pytest.mark.parametrize("corner, case", sorted(CORNERS.items()))
def test_four_corners_give_four_regimes(corner, case):
    mu, gamma = corner
    labels = [simulate_chain(preset("Ag", mobility_scale=mu, redox_scale=gamma), 3.0, 300.0, seed=s).regime
              for s in (0, 1, 2)]
    assert max(set(labels), key=labels.count) == case, labels


# 6. Ag/SiO2, 40 nm, 3 V (Fig. 4, 5, 6), over ten seeds ------------------------------------
SEEDS = range(10)


def majority(flags):
    """True when more than half of ``flags`` are true."""
    flags = list(flags)
    return 2 * sum(bool(f) for f in flags) > len(flags)


def first_visible_cluster(result, radius_m=2e-9):
    """(time [s], position [m]) of the first cluster with radius >= ``radius_m`` (TEM-visible), or None."""
    for k, rad in enumerate(result.clusters.radius_m):
        if rad.size and rad.max() >= radius_m:
            return result.time_s[k], result.clusters.x_m[k][int(np.argmax(rad))]
    return None


def metal_below_mid_share(result):
    """Share of the cluster volume in the AE half of the film at the end [-] (cone base at the AE)."""
    x, r = result.clusters.x_m[-1], result.clusters.radius_m[-1]
    v = sphere_volume_m3(r)
    return float(v[x < 0.5 * result.params.thickness_m].sum() / v.sum()) if v.sum() > 0 else 0.0


@pytest.fixture(scope="module")
def default_runs():
    """The default Ag/SiO2 device (40 nm, large reservoir, little heating) at 3 V for 300 s, seeds 0-9."""
    return [simulate_chain(preset("Ag"), 3.0, 300.0, seed=s) for s in SEEDS]


def test_ag_defaults_are_case_b_with_nuclei_near_the_ag_electrode(default_runs):
    # regime b: discrete clusters stepping away from the AE (Fig. 3b, Fig. 4)
    assert majority(r.regime == "b" for r in default_runs), [r.regime for r in default_runs]
    # the first nucleus forms within 10 nm of the Ag electrode
    assert majority(r.nucleations and r.nucleations[0][1] <= 10e-9 for r in default_runs)
    # the first TEM-visible cluster (diameter >= 4 nm) appears near the AE after a delay (Fig. 4b: ~3 min)
    visible = [first_visible_cluster(r) for r in default_runs]
    assert majority(v is not None and v[0] >= 20.0 and v[1] <= 10e-9 for v in visible), visible
    # the cone's base is at the AE: most of the cluster metal lies in the AE half of the film
    assert majority(metal_below_mid_share(r) > 0.5 for r in default_runs)


def test_ag_formation_delay_is_on_the_100_s_scale_at_3_v(default_runs):
    from memcompact.chain.voltage_time import delay_statistics

    stats = delay_statistics([r.events["t_form_s"] for r in default_runs], 300.0)
    assert stats["formed"] > len(default_runs) // 2
    assert 60.0 <= stats["median_s"] <= 300.0, stats  # Fig. 5a: abrupt formation at ~100 s


def test_large_reservoir_and_little_heating_give_neither_depletion_nor_ecm(default_runs):
    for r in default_runs:
        # the AE contact never opens: no depletion drop (a current dip from clusters touching and
        # parting may still be flagged as t_drop by the event detector; docs/chain.md, aperture)
        assert r.traces["contact_gap_m"].max() == 0.0
        assert r.events["t_ecm_s"] is None
        assert r.current_A.max() <= 1e-4 * (1 + 1e-9)  # the default compliance holds
        assert r.traces["temperature_K"].max() < 400.0


def test_small_reservoir_depletes_and_refills():
    p = preset("Ag", reservoir_m3=300e-27, contact_radius_m=2.5e-9)
    runs = [simulate_chain(p, 3.0, 500.0, seed=s) for s in SEEDS]
    # depletion opens the AE contact (Fig. 5e-f) in most runs
    assert majority(r.traces["contact_gap_m"].max() > 1e-9 for r in runs)
    # a spontaneous drop of >= 1 decade after formation, then the contact closes again and
    # the current comes back under continued bias (Fig. 5a, h-i): measured in 4 of 10 seeds
    # (docs/chain.md); asserted for at least 3 of 10
    full = 0
    for r in runs:
        ev, t, gap = r.events, r.time_s, r.traces["contact_gap_m"]
        if ev["t_form_s"] is None or ev["t_drop_s"] is None or ev["t_drop_s"] <= ev["t_form_s"]:
            continue
        k_drop = np.searchsorted(t, ev["t_drop_s"])
        closed = np.nonzero((t > ev["t_drop_s"]) & (gap < 0.1e-9))[0]
        if (gap[k_drop] > 1e-9 and ev["i_after_drop_A"] < 0.1 * ev["i_after_form_A"] and closed.size
                and r.current_A[closed[0]:].max() >= 0.1 * ev["i_after_form_A"]):
            full += 1
    assert full >= 3, full


def test_strong_heating_gives_the_ecm_transition():
    p = preset("Ag", thermal_resistance_K_per_W=1.5e6, compliance_A=0.01)
    runs = [simulate_chain(p, 3.0, 300.0, seed=s) for s in SEEDS]

    def ecm(r):
        ev = r.events
        return (ev["t_form_s"] is not None and ev["t_ecm_s"] is not None and ev["t_ecm_s"] > ev["t_form_s"]
                and ev["i_after_ecm_A"] - ev["i_after_form_A"] > 1e-3   # > 1 mA more (Fig. 6a)
                and r.traces["temperature_K"].max() > 600.0
                and r.traces["ie_radius_m"][-1] > 0.0)                   # a solid filament from the IE
    assert majority(ecm(r) for r in runs), [r.events["t_ecm_s"] for r in runs]
