"""``memcompact chain``: run the cluster-chain simulator (DESIGN 2.1).

Writes into the output folder: ``it.csv`` (the I-t CSV of DESIGN 5),
``summary.json`` (regime, events, features, parameters), ``clusters.png``
(position-time map of the clusters) and ``it.png`` (log |I| vs time).

With ``--map`` it instead sweeps the ion-mobility and redox-rate scales on a
grid (``--mobility-scales``, ``--redox-scales``, ``--seeds`` per point) and
writes ``regime_map.json`` (every run and the majority regime per point) and
``regime_map.png`` (the a-d phase diagram of the seed paper's Fig. 3 with an
example filament picture per regime found).
Bad arguments end with exit status 2 before anything is written.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from memcompact.errors import InputError

NAME = "chain"
HELP = "simulate the cluster chain (metal nanoclusters as bipolar electrodes) -> I-t CSV, summary, plots"
DESCRIPTION = (
    "Simulate the electrochemical dynamics of metal nanoclusters in a dielectric film under a "
    "constant voltage on the active electrode (nucleation, bipolar-electrode splitting and merging, "
    "ion drift, AE depletion and refill, Joule heating). Writes OUT/it.csv (time_s [s], current_A [A], "
    "voltage_V [V]), OUT/summary.json (growth regime a-d, events t_form_s/t_drop_s/t_ecm_s [s], "
    "parameters), OUT/clusters.png and OUT/it.png. Units: SI (V, m, s, K, m^3)."
)


def _positive(name, unit):
    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise InputError(f"--{name}: not a number: {text!r}") from None
        if not (math.isfinite(value) and value > 0):
            raise InputError(f"--{name} must be a positive number [{unit}], got {text}")
        return value
    return parse


def add_arguments(parser):
    from memcompact.chain.presets import METALS

    parser.add_argument("--metal", default="Ag", help=f"active-electrode metal, one of {', '.join(METALS)}")
    parser.add_argument("--voltage", default="3", help="voltage on the active electrode [V] (not 0)")
    parser.add_argument("--thickness", default="40e-9", help="dielectric thickness [m]")
    parser.add_argument("--duration", default="300", help="simulated time [s]")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random generator (defect map, nucleation)")
    parser.add_argument("--samples", type=int, default=1000, help="number of output samples (>= 10)")
    parser.add_argument("--aperture", default="0", metavar="SECONDS|interval",
                        help="integration time of the current measurement [s], as an SMU's aperture: each sample "
                             "is the mean current over this time before it; 'interval' = the whole sampling "
                             "interval; 0 (default) = instantaneous")
    parser.add_argument("--mobility-scale", default=None, help="multiplies the preset ion mobility [-]")
    parser.add_argument("--redox-scale", default=None, help="multiplies the preset redox exchange rate [-]")
    parser.add_argument("--reservoir-m3", default=None, help="metal in the AE's local reservoir [m^3] (e.g. 150e-27)")
    parser.add_argument("--temperature", default=None, help="ambient temperature [K]")
    parser.add_argument("--series-resistance", default=None, help="series resistance of the loop [Ohm]")
    parser.add_argument("--compliance", default=None, help="current compliance of the source [A]")
    parser.add_argument("--thermal-resistance", default=None, help="thermal resistance of the filament region [K/W]")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="any other chain parameter in SI units (repeatable), e.g. --set contact_radius_m=2.5e-9")
    parser.add_argument("--map", action="store_true",
                        help="regime map instead of one run: sweep --mobility-scales x --redox-scales with --seeds "
                             "seeds per point -> OUT/regime_map.json, OUT/regime_map.png (Fig. 3 as data)")
    parser.add_argument("--mobility-scales", default="1e-3,1,1e3", metavar="LIST",
                        help="with --map: comma-separated multipliers of the preset ion mobility [-] (> 0)")
    parser.add_argument("--redox-scales", default="1e-3,1,1e3", metavar="LIST",
                        help="with --map: comma-separated multipliers of the preset redox exchange rate [-] (> 0)")
    parser.add_argument("--seeds", default="5", metavar="N",
                        help="with --map: seeds 0..N-1 run at every grid point (>= 1)")
    parser.add_argument("-o", "--output", required=True, help="output folder (created if missing)")
    parser.add_argument("--no-progress", action="store_true", help="do not show progress on stderr")


def _build(args):
    from memcompact.chain.presets import preset

    try:
        voltage = float(args.voltage)
    except ValueError:
        raise InputError(f"--voltage: not a number: {args.voltage!r}") from None
    if not math.isfinite(voltage) or voltage == 0:
        raise InputError(f"--voltage must be a finite, non-zero number [V] for a formation run, got {args.voltage}")
    thickness = _positive("thickness", "m")(args.thickness)
    duration = _positive("duration", "s")(args.duration)
    if args.samples < 10:
        raise InputError(f"--samples must be at least 10, got {args.samples}")
    overrides = {"thickness_m": thickness, **_overrides(args)}
    params = preset(args.metal, **overrides)  # ParameterError (an InputError) names the parameter
    return params, voltage, duration


def _overrides(args):
    """Parameter overrides given on the command line (knobs and --set), SI units."""
    overrides = {}
    for option, name, unit in (("mobility_scale", "mobility_scale", "-"), ("redox_scale", "redox_scale", "-"),
                               ("reservoir_m3", "reservoir_m3", "m^3"), ("temperature", "temperature_K", "K"),
                               ("series_resistance", "series_resistance_Ohm", "Ohm"),
                               ("compliance", "compliance_A", "A"),
                               ("thermal_resistance", "thermal_resistance_K_per_W", "K/W")):
        text = getattr(args, option)
        if text is not None:
            try:
                overrides[name] = float(text)
            except ValueError:
                raise InputError(f"--{option.replace('_', '-')}: not a number [{unit}]: {text!r}") from None
    for item in args.set:
        if "=" not in item:
            raise InputError(f"--set expects NAME=VALUE, got {item!r}")
        key, text = item.split("=", 1)
        try:
            overrides[key.strip()] = float(text)
        except ValueError:
            raise InputError(f"--set {key}: not a number: {text!r}") from None
    return overrides



def _scale_list(option, text):
    items = [t.strip() for t in str(text).split(",") if t.strip()]
    if not items:
        raise InputError(f"--{option}: the map grid needs at least one value")
    values = []
    for t in items:
        try:
            v = float(t)
        except ValueError:
            raise InputError(f"--{option}: not a number: {t!r}") from None
        if not (math.isfinite(v) and v > 0):
            raise InputError(f"--{option}: scales must be positive, finite multipliers, got {t}")
        values.append(v)
    return values


def _map_grid(args):
    """Validated (mobility scales, redox scales, number of seeds) of ``--map``."""
    mus = _scale_list("mobility-scales", args.mobility_scales)
    gammas = _scale_list("redox-scales", args.redox_scales)
    try:
        seeds = int(str(args.seeds))
    except ValueError:
        raise InputError(f"--seeds: not a whole number: {args.seeds!r}") from None
    if seeds < 1:
        raise InputError(f"--seeds must be at least 1, got {args.seeds}")
    return mus, gammas, seeds


def _run_map(args, params, voltage, duration, out):
    import matplotlib.pyplot as plt

    from memcompact.chain.regime_map import example_runs, plot_regime_map, regime_map
    from memcompact.io import atomic_write_text

    mus, gammas, seeds = _map_grid(args)
    overrides = {k: v for k, v in _overrides(args).items() if k not in ("mobility_scale", "redox_scale")}
    options = dict(metal=params.metal, voltage_V=voltage, duration_s=duration, n_samples=min(args.samples, 300),
                   thickness_m=params.thickness_m, **overrides)
    out.mkdir(parents=True, exist_ok=True)
    rmap = regime_map(mus, gammas, seeds, progress=not args.no_progress, **options)
    atomic_write_text(out / "regime_map.json", json.dumps(rmap.to_dict(), indent=1, allow_nan=False) + "\n")
    fig = plot_regime_map(rmap, example_runs(rmap), out / "regime_map.png")
    plt.close(fig)
    print(f"{out}: regime map of {len(gammas)} x {len(mus)} points x {seeds} seeds")
    for i, g in enumerate(gammas):
        print(f"  redox x{g:g}: " + "  ".join(f"mu x{m:g}: {rmap.labels[i, j]} ({rmap.agreement[i, j]:.0%})"
                                              for j, m in enumerate(mus)))
    return 0


def run(args):
    import matplotlib
    matplotlib.use("Agg")

    from memcompact.chain.plots import save_figures
    from memcompact.chain.simulate import simulate_chain
    from memcompact.io import atomic_write_text, write_it_csv

    params, voltage, duration = _build(args)
    out = Path(args.output)
    if out.exists() and not out.is_dir():
        raise InputError(f"output {out} exists and is not a folder")
    if args.map:
        return _run_map(args, params, voltage, duration, out)
    result = simulate_chain(params, voltage, duration, seed=args.seed, n_samples=args.samples,
                            progress=not args.no_progress, aperture_s=args.aperture)
    out.mkdir(parents=True, exist_ok=True)
    write_it_csv(out / "it.csv", result.curve)
    summary = result.summary()
    atomic_write_text(out / "summary.json", json.dumps(summary, indent=2, allow_nan=False) + "\n")
    save_figures(result, out)
    ev = result.events
    form = "none" if ev["t_form_s"] is None else f"{ev['t_form_s']:.4g} s"
    print(f"{out}: regime {result.regime}, formation {form}, final current "
          f"{result.curve.current_A[-1]:.3g} A, {result.n_steps} steps in {result.wall_time_s:.2f} s")
    return 0
