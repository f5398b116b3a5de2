"""Fits to the model-agnostic shapes of tests/fit/curve_shapes.py: events, RMS against the noiseless shape, time.

Run: ``.venv/bin/python benchmarks/bench_fit_shapes.py [--only SUBSTRING]``

Each catalogue curve (every behaviour alone and combined, 0.02/0.04/0.08
decade noise, 2e-13 A floor) is fitted with ``memcompact.fit.fit_it``
defaults; the fitted card is re-simulated at the curve's voltage and compared
with the NOISELESS shape. Columns: largest relative error of an event time of
the data (as detected) and of the model, over the shape's events [%]; RMS
against the noiseless shape [decades]; whether the global stage ran; wall
and CPU time [s]. tests/fit/test_fit_shapes.py asserts the same on every
curve (events 10 %, RMS 0.3 decade).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from memcompact.fit import fit_it, log_current  # noqa: E402
from memcompact.io import ITCurve  # noqa: E402
from memcompact.model import constant, integrate  # noqa: E402
from memcompact.model.cards import card_params  # noqa: E402
from tests.fit.curve_shapes import FLOOR_A, make_curve, shape_catalogue  # noqa: E402


def event_errors(shape, record):
    """Largest relative error [%] of the data's and the model's event times over the shape's events."""
    truth = shape.event_times_s
    worst = {"events": 0.0, "model_events": 0.0}
    for which in worst:
        for key, t_true in truth.items():
            t = record[which].get(key)
            err = np.inf if t is None else abs(t / t_true - 1) * 100
            worst[which] = max(worst[which], err)
    return worst["events"], worst["model_events"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="fit only curves whose name contains this")
    args = parser.parse_args(argv)
    head = (f"{'curve':34s} {'data ev %':>9s} {'model ev %':>10s} {'RMS dec':>7s} {'global':>6s} "
            f"{'wall s':>7s} {'cpu s':>6s}  note")
    print(head)
    print("-" * len(head))
    for shape, noise, seed in shape_catalogue():
        if args.only not in shape.name:
            continue
        t, measured, clean = make_curve(shape, noise, seed)
        curve = ITCurve(t, measured, shape.voltage_V, source=shape.name,
                        metadata={"compliance_A": f"{shape.compliance_A:g}"} if shape.compliance_A else {})
        wall0, cpu0 = time.perf_counter(), time.process_time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = fit_it([curve], global_method=None if shape.expressible else "differential_evolution")
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        card = result.card
        sol = integrate(card_params(card), constant(shape.voltage_V, float(t[-1])), t_eval=t,
                        series_resistance_ohm=card.get("series_resistance_ohm") or 0.0)
        rms = float(np.sqrt(np.mean((log_current(sol.current_A[0], FLOOR_A) - log_current(clean, FLOOR_A)) ** 2)))
        data_err, model_err = event_errors(shape, card["curves"][0])
        ran = "yes" if card["fit"].get("global", {}).get("ran") else "no"
        note = "outside the model" if shape.expressible else ""
        print(f"{shape.name:34s} {data_err:9.1f} {model_err:10.1f} {rms:7.3f} {ran:>6s} {wall:7.1f} {cpu:6.1f}  {note}",
              flush=True)


if __name__ == "__main__":
    main()
