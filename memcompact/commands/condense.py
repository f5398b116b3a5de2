"""``memcompact condense``: chain simulations at several voltages -> fitted compact-model card."""

from __future__ import annotations

from pathlib import Path

from memcompact.errors import InputError
from memcompact.io import atomic_write_text, write_it_csv

NAME = "condense"
HELP = "run the cluster chain at several voltages [V] and fit a compact-model card to its I-t curves"
DESCRIPTION = ("Condensation, microscopic -> circuit level: the cluster-chain simulator runs under constant "
               "voltage stress at each voltage (at least 4 recommended) with the same --seeds-per-voltage seeds "
               "(at least 5); higher voltages run shorter, following their delay. The card's nucleation barrier "
               "and voltage sensitivity are calibrated so its formation time meets the chain's median at every "
               "voltage (and so the slope in decades per volt); where most seeds show a drop, refill or ECM "
               "jump, the reservoir, refill rate or thermal resistance are calibrated to its delay; then the "
               "card is fitted (memcompact.fit) to the median-delay run of each voltage and re-timed. Writes "
               "card.json (with the chain parameters, voltages, seeds, each seed's formation time, the medians "
               "and slopes of chain and card), report.txt, condense.png and the median chain curves "
               "chain_<V>V.csv.")


def add_arguments(parser):
    parser.add_argument("--metal", default="Ag", help="chain preset: Ag, Cu, Ni or Pt")
    parser.add_argument("--voltages", default="2.5,3.0,3.5,4.0", help="comma-separated stress voltages [V]")
    parser.add_argument("--thickness", type=float, default=40e-9, help="film thickness [m]")
    parser.add_argument("--duration", type=float, default=1000.0,
                        help="length of the runs at the lowest voltage [s] (higher voltages follow their delay)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the first chain run (then seed+1, ...)")
    parser.add_argument("--seeds-per-voltage", type=int, default=5,
                        help="chain runs per voltage (same seeds at every voltage); the median-delay run is fitted")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="chain parameter changed from the preset, SI units (repeatable), e.g. reservoir_m3=3e-25")
    parser.add_argument("--max-nfev", type=int, default=30, help="fit budget (residual evaluations)")
    parser.add_argument("-o", "--output", required=True, metavar="DIR", help="output folder")


def run(args):
    from memcompact.condense import condense, plot_condensation
    from memcompact.model.cards import save_model_card

    try:
        voltages = [float(v) for v in args.voltages.split(",")]
    except ValueError:
        raise InputError(f"--voltages: not a list of numbers: {args.voltages!r}") from None
    if not (args.duration > 0 and args.thickness > 0):
        raise InputError("--duration and --thickness must be > 0")
    if args.seeds_per_voltage < 1 or args.max_nfev < 1:
        raise InputError("--seeds-per-voltage and --max-nfev must be >= 1")
    from memcompact.chain import METALS
    if args.metal not in METALS:
        raise InputError(f"--metal: unknown metal {args.metal!r}; choose from {', '.join(METALS)}")
    overrides = {}
    for item in args.set:
        name, sep, value = item.partition("=")
        try:
            overrides[name.strip()] = float(value)
        except ValueError:
            raise InputError(f"--set: expected NAME=VALUE with a number, got {item!r}") from None
        if not sep:
            raise InputError(f"--set: expected NAME=VALUE, got {item!r}")
    from memcompact.chain import preset
    from memcompact.errors import ParameterError
    try:
        preset(args.metal, thickness_m=args.thickness, **overrides)
    except ParameterError as exc:
        raise InputError(f"--set: {exc}") from None
    result = condense(voltages, metal=args.metal, thickness_m=args.thickness, duration_s=args.duration,
                      seed=args.seed, seeds_per_voltage=args.seeds_per_voltage, chain_overrides=overrides,
                      max_nfev=args.max_nfev, progress=True)
    out = Path(args.output)
    for v, curve in zip(voltages, result.curves):
        write_it_csv(out / f"chain_{v:g}V.csv", curve)
    save_model_card(out / "card.json", result.card)
    atomic_write_text(out / "report.txt", result.fit.report())
    plot_condensation(result, out / "condense.png")
    src = result.card["condensed_from"]
    print(f"wrote {out}/card.json, report.txt, condense.png")
    print(f"median t_form [s]: chain {', '.join(f'{t:.3g}' for t in src['median_form_s'])}; "
          f"card {', '.join('none' if t is None else f'{t:.3g}' for t in src['card']['form_s'])}")
    print(f"slope [decades/V]: chain {src['slope_decades_per_V']:.3g}, card {src['card']['slope_decades_per_V']:.3g}; "
          f"events the chain shows (majority of seeds): {', '.join(src['chain_events_shown']) or 'none'}")
    return 0
