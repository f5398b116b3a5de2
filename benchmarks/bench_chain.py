"""Benchmark of the cluster-chain simulator: cost, and the voltage-time curve over seeds.

Run: ``.venv/bin/python benchmarks/bench_chain.py`` (add ``--quick`` for 3
seeds, ``--map`` to also draw the regime map: slow, its low-mobility /
high-redox points take minutes each, docs/chain.md "Regime map"). Prints

1. wall time [s] and steps of a 1e6 s stress at 2.5 V and of the default run
   (Ag, 40 nm, 3 V, 300 s), seeds 1-3 (issue 16 part 3: under 10 s and 2 s);
2. the voltage-time table: the chain's formation time t_form over 10 seeds at
   2.5-8 V (median, 10 % and 90 % quantiles; runs that did not form count as
   later than their duration) next to the compact model's (default card,
   1 kOhm loop, first time the current exceeds 100x its initial value, as in
   tests/model/test_behaviour.py);

and writes docs/figures/chain_voltage_time.png (and with ``--map``
docs/figures/chain_regime_map.png).
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from pathlib import Path

import numpy as np

from memcompact.chain import preset, simulate_chain
from memcompact.chain.voltage_time import decades_between, delay_statistics, formation_delays

VOLTAGES_V = (2.5, 3.0, 3.5, 4.0, 5.0, 6.0, 8.0)
FIGURES = Path(__file__).resolve().parents[1] / "docs" / "figures"


def timed(voltage_V, duration_s, seed):
    """Wall time [s], steps and t_form [s] of one default Ag run."""
    t0 = time.perf_counter()
    r = simulate_chain(preset("Ag"), voltage_V, duration_s, seed=seed)
    return time.perf_counter() - t0, r.n_steps, r.events["t_form_s"]


def compact_delays(voltages_V):
    """Formation time [s] of the compact model's default card at each voltage (1 kOhm loop)."""
    from memcompact.model import complete_params, constant, integrate

    params = complete_params()
    t = np.logspace(-9, 10, 3801)
    out = {}
    for v in voltages_V:
        sol = integrate(params, constant(v, t[-1]), t_eval=t, series_resistance_ohm=1000.0)
        i = np.abs(sol.current_A[0])
        above = np.nonzero(i > 100 * i[1])[0]
        out[v] = float(t[above[0]]) if above.size else math.inf
    return out


def plot_voltage_time(stats, compact, path):
    """Median and 10-90 % band of the chain's t_form vs V, with the compact model's curve."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from memcompact.io import atomic_savefig

    v = np.array(sorted(stats))
    med = np.array([stats[x]["median_s"] for x in v])
    lo = np.array([stats[x]["p10_s"] for x in v])
    hi = np.array([min(stats[x]["p90_s"], stats[x]["duration_s"]) for x in v])
    fig, ax = plt.subplots(figsize=(6.4, 4.4), constrained_layout=True)
    ax.fill_between(v, lo, hi, color="tab:blue", alpha=0.25, label="chain, 10-90 % of seeds")
    ok = np.isfinite(med)
    ax.semilogy(v[ok], med[ok], "o-", color="tab:blue", label=f"chain, median of {stats[v[0]]['n']} seeds")
    cv = np.array(sorted(compact))
    ax.semilogy(cv, [compact[x] for x in cv], "s--", color="tab:red", label="compact model (default card)")
    ax.set_xlabel("voltage on the AE [V]  (Ag, 40 nm SiO2)")
    ax.set_ylabel("formation time t_form [s]")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title("voltage-time: cluster chain vs compact model")
    atomic_savefig(fig, path, dpi=110)
    plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="3 seeds instead of 10")
    ap.add_argument("--map", action="store_true", help="also run the regime map (slow)")
    args = ap.parse_args()

    print("1. cost (wall time on this machine; seeds 1-3)")
    print(f"{'run':<34} {'wall [s]':>22} {'steps':>18} {'t_form [s]':>24}")
    for label, v, d in (("1e6 s stress at 2.5 V", 2.5, 1e6), ("default: 3 V, 300 s", 3.0, 300.0)):
        rows = [timed(v, d, s) for s in (1, 2, 3)]
        walls = " / ".join(f"{w:.2f}" for w, _, _ in rows)
        steps = " / ".join(f"{n}" for _, n, _ in rows)
        tf = " / ".join("-" if t is None else f"{t:.4g}" for _, _, t in rows)
        print(f"{label:<34} {walls:>22} {steps:>18} {tf:>24}")

    n_seeds = 3 if args.quick else 10
    print(f"\n2. voltage-time, Ag 40 nm, {n_seeds} seeds (t_form [s]; '>D': not formed within the run of D s)")
    data = formation_delays(VOLTAGES_V, seeds=n_seeds)
    stats = {v: delay_statistics(d["t_form_s"], d["duration_s"]) for v, d in data.items()}
    compact = compact_delays(VOLTAGES_V)

    def fmt(x, d):
        return f">{d:g}" if not math.isfinite(x) else f"{x:.3g}"

    print(f"{'V':>5} {'formed':>7} {'median':>9} {'p10':>9} {'p90':>9} {'compact':>10} {'wall/run [s]':>13}")
    for v in VOLTAGES_V:
        s = stats[v]
        wall = statistics.median(data[v]["wall_time_s"])
        print(f"{v:>5g} {s['formed']:>3d}/{s['n']:<3d} {fmt(s['median_s'], s['duration_s']):>9} "
              f"{fmt(s['p10_s'], s['duration_s']):>9} {fmt(s['p90_s'], s['duration_s']):>9} "
              f"{compact[v]:>10.3g} {wall:>13.2f}")
    dec, bound = decades_between(stats, 2.5, 5.0)
    cdec = math.log10(compact[2.5] / compact[5.0])
    print(f"decades of median t_form from 2.5 V to 5 V: chain {bound}{dec:.2f}, compact model {cdec:.2f}")
    FIGURES.mkdir(parents=True, exist_ok=True)
    plot_voltage_time(stats, compact, FIGURES / "chain_voltage_time.png")
    print(f"wrote {FIGURES / 'chain_voltage_time.png'}")

    if args.map:
        from memcompact.chain.regime_map import example_runs, plot_regime_map, regime_map
        import matplotlib.pyplot as plt

        scales = (1e-3, 1e-1, 1.0, 1e1, 1e3)
        t0 = time.perf_counter()
        rmap = regime_map(scales, scales, seeds=n_seeds)
        print(f"\n3. regime map, 3 V, 40 nm, 300 s, {n_seeds} seeds per point ({time.perf_counter() - t0:.0f} s)")
        print("redox \\ mu " + " ".join(f"{m:>8g}" for m in scales))
        for i, g in enumerate(scales):
            print(f"{g:>10g} " + " ".join(f"{rmap.labels[i, j]:>4}{rmap.agreement[i, j]:>4.0%}"
                                          for j in range(len(scales))))
        fig = plot_regime_map(rmap, example_runs(rmap), FIGURES / "chain_regime_map.png")
        plt.close(fig)
        print(f"wrote {FIGURES / 'chain_regime_map.png'}")


if __name__ == "__main__":
    main()
