"""``memcompact study digits``: on-chip training of a digits classifier through the compact model.

Writes into the output folder: ``summary.json`` (test accuracies of the
device array and of the floating-point reference, settings, timings, and
the ngspice check of a few VMMs of the trained array),
``learning_curve.csv`` and ``learning_curve.png`` (accuracy vs epoch, both
networks) and ``weights.png`` (trained conductance maps, one per class).
Bad arguments end with exit status 2 before anything is written.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import replace
from pathlib import Path

from memcompact.errors import InputError

NAME = "study"
HELP = "neuromorphic studies on a crossbar of model devices: 'digits' trains a 64x10 classifier by pulses"
DESCRIPTION = (
    "digits: train a single-layer classifier (64 inputs x 10 classes, each weight a differential pair "
    "of devices G+ - G-) on scikit-learn's bundled 8x8 digits, changing the weights only by SET/RESET "
    "voltage pulses integrated through the compact model (nonlinear, asymmetric, state-dependent "
    "updates, seeded device-to-device and cycle-to-cycle spread), and compare its test accuracy with "
    "the same network trained in floating point. Inputs are read voltages (full-scale pixel = 0.2 V), "
    "outputs the column currents of the array [A]. Writes OUT/summary.json, OUT/learning_curve.csv, "
    "OUT/learning_curve.png and OUT/weights.png. Default run < 3 min on 2 cores, --quick < 30 s."
)

STUDIES = ("digits",)


def add_arguments(parser):
    parser.add_argument("study", choices=STUDIES, help="which study to run")
    parser.add_argument("-o", "--output", required=True, help="output folder (created if missing)")
    parser.add_argument("--epochs", type=int, default=None,
                        help="passes over the training set (default 30; 4 with --quick)")
    parser.add_argument("--seed", type=int, default=1,
                        help="seed of the train/test split, the device spread, shuffling and pulse rounding")
    parser.add_argument("--spread", default="default",
                        help="device-to-device and cycle-to-cycle spread: 'default' (the model's "
                             "DEFAULT_SPREAD), 'none' (identical devices) or a factor X >= 0 on its sigmas")
    parser.add_argument("--card", default="ag_sio2", help="model card JSON, or a preset name (ag_sio2, cu_sio2)")
    parser.add_argument("--tune-pulses", action="store_true",
                        help="choose the SET/RESET amplitudes [V] for the card so that one 25 us pulse moves the "
                             "nominal device by 0.24 %% of its largest conductance (as 3.3 V / -1.42 V do for "
                             "ag_sio2); use it with --card")
    parser.add_argument("--quick", action="store_true",
                        help="quick setting: 4 epochs, batches of 100 (about 10 s)")
    parser.add_argument("--spice-check", type=int, default=5, metavar="K",
                        help="run K test digits through the trained array in ngspice (Verilog-A cells), once "
                             "with ideal wires and once with 1 Ohm wire segments and 100 Ohm drivers, and "
                             "compare the column currents [A] with the Python VMM (0: skip)")
    parser.add_argument("--no-progress", action="store_true", help="do not show progress on stderr")


def parse_spread(text):
    """``default`` -> 1, ``none`` -> 0, a number X >= 0 -> X (factor on the default sigmas)."""
    word = str(text).strip().lower()
    if word == "default":
        return 1.0
    if word == "none":
        return 0.0
    try:
        value = float(word)
    except ValueError:
        raise InputError(f"--spread must be 'default', 'none' or a factor >= 0, got {text!r}") from None
    if not (math.isfinite(value) and value >= 0):
        raise InputError(f"--spread factor must be a finite number >= 0, got {text!r}")
    return value


def build_settings(args):
    """The :class:`~memcompact.crossbar.digits.DigitsSettings` the arguments ask for."""
    from memcompact.crossbar.digits import QUICK, DigitsSettings

    settings = DigitsSettings(seed=args.seed, spread_scale=parse_spread(args.spread), tune_pulses=args.tune_pulses)
    if args.quick:
        settings = replace(settings, **QUICK)
    if args.epochs is not None:
        if args.epochs < 1:
            raise InputError(f"--epochs must be a positive integer, got {args.epochs}")
        settings = replace(settings, epochs=args.epochs)
    return settings


def _curve_csv(result):
    c = result.curve
    lines = ["# memcompact study digits: test and training accuracy per epoch (epoch 0: before training)",
             "epoch,device_test_accuracy,float_test_accuracy,device_train_accuracy,float_train_accuracy"]
    for k, epoch in enumerate(c["epoch"]):
        lines.append(f"{epoch},{c['device_test'][k]:.6f},{c['float_test'][k]:.6f},"
                     f"{c['device_train'][k]:.6f},{c['float_train'][k]:.6f}")
    return "\n".join(lines) + "\n"


def run(args):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from memcompact.crossbar.digits import plot_learning_curve, plot_weights, run_digits_study
    from memcompact.io import atomic_savefig, atomic_write_text
    from memcompact.model import card_params, load_model_card
    from memcompact.progress import Progress

    settings = build_settings(args)
    params = card_params(load_model_card(args.card))
    out = Path(args.output)
    if out.exists() and not out.is_dir():
        raise InputError(f"output {out} exists and is not a folder")
    if not 0 <= args.spice_check <= 100:
        raise InputError(f"--spice-check must be between 0 and 100 test digits, got {args.spice_check}")

    result = run_digits_study(settings, params=params, progress=not args.no_progress)
    summary = result.summary()
    if result.pulse_step > 0.05 and not settings.tune_pulses:
        print(f"memcompact study: warning: one pulse pair moves a weight by {result.pulse_step:.2g} of its range "
              "with this card; try --tune-pulses", file=sys.stderr)
    summary["card"] = str(args.card)
    if args.spice_check:
        from memcompact.crossbar.digits import check_vmm_ngspice

        with Progress("digits: ngspice VMM check", total=2, unit=" runs", enabled=not args.no_progress) as bar:
            ideal = check_vmm_ngspice(result, args.spice_check)
            bar.update(1)
            wired = check_vmm_ngspice(result, args.spice_check, wire_resistance_ohm=1.0,
                                      driver_resistance_ohm=100.0)
        summary["ngspice_check"] = {"ideal_wires": ideal, "wired": wired}

    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / "learning_curve.csv", _curve_csv(result))
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    plot_learning_curve(result, ax=ax)
    fig.tight_layout()
    atomic_savefig(fig, out / "learning_curve.png", dpi=110)
    plt.close(fig)
    fig = plot_weights(result)
    atomic_savefig(fig, out / "weights.png", dpi=110)
    plt.close(fig)
    atomic_write_text(out / "summary.json", json.dumps(summary, indent=2, allow_nan=False) + "\n")
    print(f"{out}: test accuracy devices {100 * result.device_test_accuracy:.1f} %, floating point "
          f"{100 * result.float_test_accuracy:.1f} % ({summary['difference_percentage_points']:+.1f} points, "
          f"goal <= 3), {settings.epochs} epochs in {result.timings_s['total']:.1f} s")
    if args.spice_check:
        ideal, wired = summary["ngspice_check"]["ideal_wires"], summary["ngspice_check"]["wired"]
        print(f"ngspice VMM of {args.spice_check} test digits: column currents within "
              f"{ideal['max_relative_difference']:.2g} (relative) of the Python VMM with ideal wires, "
              f"{wired['max_relative_difference']:.2g} with 1 Ohm wires and 100 Ohm drivers")
    return 0
