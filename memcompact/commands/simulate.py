"""``memcompact simulate``: compact-model response to a voltage stimulus."""

from __future__ import annotations

import numpy as np

from memcompact.errors import InputError
from memcompact.io import ITCurve, atomic_savefig, read_it_csv, write_it_csv
from memcompact.model import card_params, integrate, load_model_card
from memcompact.model import stimulus as stim

NAME = "simulate"
HELP = "simulate the compact model: constant voltage [V], sweep, pulses or a waveform CSV -> I-t CSV"
DESCRIPTION = ("Run the compact model of a card (file or preset name) under one stimulus and write the "
               "I-t curve (time_s [s], current_A [A], voltage_V [V]: the applied source voltage). "
               "A resistor --series-ohm sits in the loop (the measurement's compliance resistor); by default the "
               "loop resistance a fitted card records (the one it was fitted with), else 1000 Ohm.")

#: Loop resistance [Ohm] when neither --series-ohm nor the card gives one (presets, older cards).
DEFAULT_SERIES_OHM = 1000.0


def _floats(text, n, what):
    try:
        values = [float(x) for x in text.split(",")]
    except ValueError:
        raise InputError(f"{what}: expected {n} comma-separated numbers, got {text!r}") from None
    if len(values) != n or not all(np.isfinite(values)):
        raise InputError(f"{what}: expected {n} finite comma-separated numbers, got {text!r}")
    return values


def add_arguments(parser):
    parser.add_argument("--card", default="ag_sio2", help="model card JSON, or a preset name (ag_sio2, cu_sio2)")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--voltage", type=float, metavar="V", help="constant voltage [V] (with --duration)")
    mode.add_argument("--sweep", metavar="VMAX,VMIN,PERIOD,CYCLES",
                      help="triangular sweep 0->VMAX [V] ->VMIN [V] ->0, period [s], number of cycles")
    mode.add_argument("--pulses", metavar="AMP,WIDTH,PERIOD,COUNT",
                      help="pulse train: amplitude [V], width [s], period [s], count (1 ns edges)")
    mode.add_argument("--waveform", metavar="W.csv",
                      help="piecewise-linear waveform: CSV with time_s,voltage_V columns")
    parser.add_argument("--duration", type=float, metavar="T", help="duration [s] for --voltage")
    parser.add_argument("--series-ohm", type=float, metavar="OHM",
                        help="series resistance in the loop [Ohm]; default: the card's 'series_resistance_ohm' "
                             f"(the loop resistance it was fitted with), else {DEFAULT_SERIES_OHM:g}")
    parser.add_argument("--points", type=int, default=2001, help="output samples")
    parser.add_argument("--rtol", type=float, default=1e-3, help="solver relative tolerance")
    parser.add_argument("-o", "--output", required=True, metavar="OUT.csv", help="I-t CSV to write")
    parser.add_argument("--plot", metavar="OUT.png", help="also plot current (log) and states vs time")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _read_waveform(path):
    import csv
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = [r for r in csv.reader(line for line in fh if not line.startswith("#")) if r]
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read waveform ({exc})") from None
    if not rows or "time_s" not in rows[0] or "voltage_V" not in rows[0]:
        raise InputError(f"{path}: waveform needs a header with time_s and voltage_V")
    it, iv = rows[0].index("time_s"), rows[0].index("voltage_V")
    try:
        t = np.array([float(r[it]) for r in rows[1:]])
        v = np.array([float(r[iv]) for r in rows[1:]])
    except (ValueError, IndexError):
        raise InputError(f"{path}: non-numeric or missing cell in waveform") from None
    if t.size < 2:
        raise InputError(f"{path}: waveform needs at least 2 rows")
    return stim.Stimulus(t, v, label=f"waveform {path}")


def resolve_series_ohm(card, explicit=None, default=DEFAULT_SERIES_OHM, option="--series-ohm"):
    """The loop resistance [Ohm] to simulate a card with, and where it came from.

    Parameters
    ----------
    card : dict
        A loaded model card.
    explicit : float, optional
        The command line's value; it always wins.
    default : float
        Used when neither ``explicit`` nor the card gives one [Ohm].
    option : str
        The command-line option's name (for the source and messages).

    Returns
    -------
    value : float
        Loop resistance [Ohm].
    source : str
        ``option``, ``"from the card's fit"`` (with a note when the fitted
        curves' loop resistances differ) or ``"default"``.

    Raises
    ------
    InputError
        ``explicit`` negative or not finite.
    """
    from memcompact.io.card import card_series_resistance_ohm

    if explicit is not None:
        if not (np.isfinite(explicit) and explicit >= 0):
            raise InputError(f"{option} must be a finite number >= 0 [Ohm], got {explicit}")
        return float(explicit), option
    recorded = card_series_resistance_ohm(card)
    if recorded is None:
        return float(default), "default"
    source = "from the card's fit"
    curves = card.get("curves")
    if isinstance(curves, list):
        values = [c.get("series_resistance_ohm") for c in curves if isinstance(c, dict)]
        if len(set(values)) > 1:
            source += (f"; its {len(values)} curves were fitted with different loop resistances, this is the "
                       f"first's, give {option} for the others")
    return recorded, source


def build_stimulus(args):
    """The stimulus described by the command-line arguments."""
    if args.voltage is not None:
        if args.duration is None:
            raise InputError("--voltage needs --duration [s]")
        return stim.constant(args.voltage, args.duration)
    if args.sweep:
        vmax, vmin, period, cycles = _floats(args.sweep, 4, "--sweep")
        if cycles < 1 or cycles != int(cycles):
            raise InputError("--sweep: CYCLES must be a positive integer")
        return stim.triangle(vmax, vmin, period, int(cycles))
    if args.pulses:
        amp, width, period, count = _floats(args.pulses, 4, "--pulses")
        if count < 1 or count != int(count):
            raise InputError("--pulses: COUNT must be a positive integer")
        return stim.pulse_train([amp] * int(count), width, period)
    return _read_waveform(args.waveform)


def plot_solution(sol, title, path):
    """Plot |I| (log) and the states vs time; write ``path`` atomically."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(sol.states)
    fig, axes = plt.subplots(2 + len(names), 1, figsize=(7, 2 + 1.3 * (2 + len(names))), sharex=True)
    axes[0].semilogy(sol.time_s, np.maximum(np.abs(sol.current_A[0]), 1e-16), color="C0")
    axes[0].set_ylabel("|I| [A]")
    axes[0].set_title(title)
    axes[1].plot(sol.time_s, sol.applied_V, color="C3", label="applied")
    axes[1].plot(sol.time_s, sol.voltage_V[0], color="C1", ls="--", label="device")
    axes[1].set_ylabel("V [V]")
    axes[1].legend(loc="best", fontsize=8)
    units = {"nucleation": "1", "gap_nm": "nm", "radius_nm": "nm", "reservoir": "1"}
    for ax, name in zip(axes[2:], names):
        ax.plot(sol.time_s, sol.states[name][0], color="C2")
        ax.set_ylabel(f"{name} [{units.get(name, '')}]", fontsize=8)
    axes[-1].set_xlabel("time [s]")
    fig.tight_layout()
    atomic_savefig(fig, path, dpi=110)
    plt.close(fig)


def run(args):
    card = load_model_card(args.card)
    params = card_params(card)
    series_ohm, series_source = resolve_series_ohm(card, args.series_ohm)
    if args.points < 2:
        raise InputError("--points must be >= 2")
    stimulus = build_stimulus(args)
    t = np.union1d(np.linspace(0.0, stimulus.duration_s, args.points), stimulus.breakpoints())
    print(f"series resistance: {series_ohm:g} Ohm ({series_source})")
    sol = integrate(params, stimulus, t_eval=t, series_resistance_ohm=series_ohm, rtol=args.rtol,
                    progress=not args.quiet)
    meta = {"model": card["model"], "card": str(args.card), "stimulus": stimulus.label,
            "series_resistance_ohm": series_ohm}
    curve = ITCurve(time_s=sol.time_s, current_A=sol.current_A[0], voltage_V=sol.applied_V, metadata=meta)
    write_it_csv(args.output, curve)
    if args.plot:
        plot_solution(sol, f"{card.get('preset', card['model'])}: {stimulus.label}", args.plot)
    i = np.abs(sol.current_A[0])
    print(f"wrote {args.output}: {t.size} samples, |I| {i.min():.3g} .. {i.max():.3g} A, "
          f"{int(sol.steps[0])} solver steps")
    return 0
