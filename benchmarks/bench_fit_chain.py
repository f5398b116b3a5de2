"""Fits to cluster-chain curves: a seeded sweep of voltages and seeds, with and without a measurement aperture.

Run: ``.venv/bin/python benchmarks/bench_fit_chain.py [--voltages 4 4.5 5] [--seeds 1 2 3]``

Each row: one Ag chain run (300 s, 300 samples) fitted alone from automatic
starting values (``fit_it([curve], max_nfev=40)``), sampled two ways:
instantaneously, and as an instrument reads it with a 1 s aperture (each
sample the mean current of its interval, ``aperture_s="interval"``).
Columns: the measured bridging share (None: the rise is not resolved), the
whole-curve log-current RMS of the fit [decades] (issue 5's goal: < 0.3), the
isotonic bound (``memcompact.fit.data.rising_bound_decades``: the smallest
RMS any rising curve can reach on the same data: above 0.3, the data fall
and rise again while the chain bridges the film and no model whose current
rises through formation can meet the goal), the
formation time of data and model, their difference, and the wall time of the
fit. A quality table more than a speed one; it lives here because it prints
a table from seeded runs, like the other benchmarks.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from memcompact.chain import preset, simulate_chain  # noqa: E402
from memcompact.fit import fit_it  # noqa: E402
from memcompact.fit.data import rising_bound_decades  # noqa: E402
from memcompact.fit.start import bridging_share  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voltages", type=float, nargs="+", default=[4.0, 4.5, 5.0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args(argv)
    header = (f"{'V':>4} {'seed':>4} {'sampling':>13} {'share':>6} {'RMS dec':>8} {'bound':>6} {'< 0.3':>5} "
              f"{'t_form data':>11} {'model':>7} {'diff':>7} {'fit s':>6}")
    print(header)
    print("-" * len(header))
    rms_by_mode = {}
    for voltage in args.voltages:
        for seed in args.seeds:
            for label, aperture in (("1 s aperture", "interval"), ("instantaneous", 0.0)):
                run = simulate_chain(preset("Ag"), voltage_V=voltage, duration_s=300.0, seed=seed,
                                     n_samples=300, aperture_s=aperture)
                start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    result = fit_it([run.curve], max_nfev=40)
                wall = time.perf_counter() - start
                d = result.data[0]
                share = bridging_share(result.data)
                c = result.card["curves"][0]
                t_data, t_model = c["events"]["t_form_s"], c["model_events"]["t_form_s"]
                diff = "-" if None in (t_data, t_model) else f"{100 * (t_model / t_data - 1):+.1f} %"
                rms = result.rms_decades[0]
                rms_by_mode.setdefault(label, []).append(rms)
                print(f"{voltage:4.1f} {seed:4d} {label:>13} {'-' if share is None else f'{share:.2f}':>6} "
                      f"{rms:8.3f} {rising_bound_decades(d):6.3f} {'yes' if rms < 0.3 else 'no':>5} "
                      f"{t_data or float('nan'):11.1f} {t_model or float('nan'):7.1f} {diff:>7} {wall:6.1f}",
                      flush=True)
    for label, values in rms_by_mode.items():
        values = np.array(values)
        print(f"{label}: {np.sum(values < 0.3)} of {values.size} below 0.3 decades, median {np.median(values):.3f}")


if __name__ == "__main__":
    main()
