"""ngspice netlists that drive one exported device with a memcompact stimulus.

The same piecewise-linear points as the Python model's stimulus
(:mod:`memcompact.model.stimulus`) become a ``PWL`` source, in series with a
resistor (the measurement loop), so Python and ngspice see the same circuit:

    V1 src 0 PWL(...)      applied voltage [V]
    R1 src ae <R>          series resistance [Ohm] (omitted when 0)
    device ae 0            active electrode on ``ae``, inert electrode grounded

The device current (active -> inert) is ``-i(V1)``. Transients use ``uic`` by
default (``TransientOptions.uic``); without it ngspice first solves the
transient's operating point, where the model holds every state at its
initial value, so both start from the fresh device (docs/export.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from memcompact.export.definition import DEVICE_NAME, card_values
from memcompact.model import expr

#: Model name used in ``.model`` lines of Verilog-A testbenches.
VA_MODEL = f"{DEVICE_NAME}_card"

#: Backends a testbench can drive.
BACKENDS = ("verilog-a", "ngspice")


@dataclass(frozen=True)
class TransientOptions:
    """ngspice settings of a transient run.

    Attributes
    ----------
    step_s : float
        Output step of ``.tran`` [s].
    max_step_s : float
        Largest internal step [s] (``.tran``'s TMAX).
    options : dict
        ``.options`` entries (name -> value); empty means ngspice's defaults.
    uic : bool
        ``uic`` on the ``.tran`` line (skip the transient's operating point);
        False starts from the operating point, as a user's netlist does.
    """

    step_s: float
    max_step_s: float
    options: dict = field(default_factory=dict)
    uic: bool = True


#: Parity accuracy per backend and stimulus: (``reltol``, largest step as a share of the run).
#: Measured against the Python model (docs/export.md, "Accuracy"). The sweep's SET and RESET
#: are eight-decade steps whose timing is the integral of rates that grow e-fold every few mV
#: of the ramp; ngspice's step control is relative to each state node's value (a 1 nm radius
#: whose 0.02 nm of dissolution refills the reservoir and times the RESET), so both backends
#: land them in the right 0.5 ms only with ``reltol = 1e-6`` (Verilog-A at 1e-5 and 1/20000:
#: 0.056 decades on the fitted Ag card; native at 1e-3 and 1/1000: 0.16-0.42). The native
#: stress needs steps <= 60 ms (1/1000: the cu_sio2 formation one 0.05 s grid point early,
#: RMS 0.104; 1/5000: 0.016); the pulse train's steps are set by its edges. The native sweep
#: dates its RESET within ~0.5 ms, one grid point of the comparison: with the per-branch windows
#: (docs/model.md) the hot card's first RESET fell one point early at 1/2000 (RMS 0.111), not at
#: 1/3000 (0.007; ag_sio2 0.013, fitted Ag 0.018, same wall time), and again at 1/4000 (0.156).
ACCURACY = {
    "verilog-a": {"stress": (1e-5, 1.0 / 20000.0), "sweep": (1e-6, 1.0 / 20000.0),
                  "pulses": (1e-5, 1.0 / 20000.0)},
    "ngspice": {"stress": (1e-3, 1.0 / 5000.0), "sweep": (1e-6, 1.0 / 3000.0),
                "pulses": (1e-3, 1.0 / 1000.0)},
}


def accurate_options(duration_s, backend="verilog-a", kind=None):
    """Options for parity runs: tight tolerances, Gear integration.

    Parameters
    ----------
    duration_s : float
        Length of the run [s].
    backend : {"verilog-a", "ngspice"}
    kind : {"stress", "sweep", "pulses"} or None
        Stimulus kind: sets ``reltol`` and the largest step (:data:`ACCURACY`;
        None: the sweep's, the strictest).

    Notes
    -----
    ``abstol = 1e-15`` A resolves the sub-pA currents of a fresh device. The
    native subcircuit costs ~4 ms of CPU per time point (1.4 ms per Newton
    iteration: B-source evaluation) against ~0.2 ms for the Verilog-A model,
    so it gets only the step each stimulus needs.
    """
    reltol, share = ACCURACY[backend][kind or "sweep"]
    return TransientOptions(step_s=duration_s / 6000.0, max_step_s=duration_s * share,
                            options={"reltol": reltol, "abstol": 1e-15, "method": "gear"})


def default_options(duration_s, uic=True):
    """ngspice's default tolerances; output step and largest step 1/1000 of the run (``uic`` as given)."""
    return TransientOptions(step_s=duration_s / 1000.0, max_step_s=duration_s / 1000.0, uic=uic)


#: Series resistance of the standard testbenches (the measurement loop) [Ohm].
SERIES_OHM = 1000.0


def standard_stimuli():
    """The three standard stimuli of the testbenches, parity tests and benchmark.

    Returns
    -------
    dict
        name -> Stimulus: ``stress`` (3 V for 300 s: formation, depletion
        drop, refill), ``sweep`` (two cycles 0 -> 5 V -> -4 V -> 0 in 2 s
        each: pinched loops), ``pulses`` (60 pulses of 5 V then 40 of -1.5 V,
        100 us wide, 1 ms period, 1 ns edges, 0.1 V read level between them).
    """
    from memcompact.model import constant, pulse_train, triangle

    return {
        "stress": constant(3.0, 300.0),
        "sweep": triangle(5.0, -4.0, 2.0, cycles=2),
        "pulses": pulse_train([5.0] * 60 + [-1.5] * 40, 1e-4, 1e-3, edge_s=1e-9, base_V=0.1),
    }


def _num(value):
    return f"{float(value):.12g}"


def continuation_lines(head, items, width=100):
    """``head`` followed by ``items``, broken into SPICE lines of at most ``width`` characters ("+" continues)."""
    lines, line = [], head
    for item in items:
        if len(line) + 1 + len(item) > width:
            lines.append(line)
            line = "+"
        line += " " + item
    lines.append(line)
    return lines


def pwl_source(name, node, stimulus):
    """``V<name> <node> 0 PWL(...)`` lines for a stimulus."""
    points = [f"{_num(t)} {_num(v)}" for t, v in zip(stimulus.times_s, stimulus.voltages_V)]
    lines = continuation_lines(f"{name} {node} 0 PWL(", points)
    lines[-1] += " )"
    return lines


def device_lines(backend, params, instance="1"):
    """The device instance (and ``.model`` line) with every parameter given explicitly.

    Parameters
    ----------
    backend : {"verilog-a", "ngspice"}
    params : dict
        Parameter values {name: float}.
    instance : str
        Instance suffix.
    """
    items = [f"{name}={expr._spice_number(value)}" for name, value in params.items()]
    if backend == "verilog-a":
        return [f"N{instance} ae 0 {VA_MODEL}"] + continuation_lines(f".model {VA_MODEL} {DEVICE_NAME}", items)
    if backend == "ngspice":
        return continuation_lines(f"X{instance} ae 0 {DEVICE_NAME}", items)
    raise ValueError(f"unknown backend {backend!r}; choose from {', '.join(BACKENDS)}")


def transient_netlist(backend, card, stimulus, series_resistance_ohm, options, title=None,
                      include=None, osdi=None, measures=()):
    """A complete transient netlist for one device.

    Parameters
    ----------
    backend : {"verilog-a", "ngspice"}
    card : dict
        Model card (its parameters are written on the device).
    stimulus : memcompact.model.stimulus.Stimulus
    series_resistance_ohm : float
        Series resistor [Ohm]; 0 connects the source to the device directly.
    options : TransientOptions
    title : str, optional
    include : str, optional
        Path of the native library (``.include``), for the ngspice backend.
    osdi : str, optional
        OSDI file to load with ``pre_osdi`` in a ``.control`` block (for
        ``ngspice -b``); leave None when the caller loads it (shared mode).
    measures : sequence of str
        Extra lines (``.meas`` ...).

    Returns
    -------
    str
    """
    params = card_values(card)
    lines = [f"* {title or stimulus.label}: {DEVICE_NAME} ({backend}), "
             f"{series_resistance_ohm:g} Ohm in series"]
    if backend == "ngspice" and include:
        lines.append(f".include {include}")
    node = "src" if series_resistance_ohm > 0 else "ae"
    lines += pwl_source("V1", node, stimulus)
    if series_resistance_ohm > 0:
        lines.append(f"R1 src ae {_num(series_resistance_ohm)}")
    lines += device_lines(backend, params)
    if options.options:
        lines.append(".options " + " ".join(f"{k}={v}" for k, v in options.options.items()))
    lines.append(".save v(ae) i(V1)")
    uic = " uic" if options.uic else ""
    lines.append(f".tran {_num(options.step_s)} {_num(stimulus.duration_s)} 0 {_num(options.max_step_s)}{uic}")
    lines += list(measures)
    if osdi:
        lines += [".control", f"pre_osdi {osdi}", ".endc"]
    lines.append(".end")
    return "\n".join(lines) + "\n"


def dc_netlist(backend, card, v_start, v_stop, v_step, include=None, osdi=None):
    """``.op`` and a ``.dc`` sweep of the device voltage (a fresh device: states at their initial values)."""
    params = card_values(card)
    lines = [f"* {DEVICE_NAME} ({backend}): operating point and DC sweep of a fresh device"]
    if backend == "ngspice" and include:
        lines.append(f".include {include}")
    lines.append("V1 ae 0 0")
    lines += device_lines(backend, params)
    lines.append(".op")
    lines.append(f".dc V1 {_num(v_start)} {_num(v_stop)} {_num(v_step)}")
    if osdi:
        lines += [".control", f"pre_osdi {osdi}", ".endc"]
    lines.append(".end")
    return "\n".join(lines) + "\n"
