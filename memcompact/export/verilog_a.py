"""Write the compact model as a Verilog-A module (OpenVAF -> OSDI -> ngspice).

The module follows the compact-modelling habits of DESIGN section 3 and
STYLE.md:

* two terminals, ``ae`` (active electrode, the anode under positive bias)
  then ``ie`` (inert electrode); ``V = V(ae, ie)`` and the current
  ``I(ae, ie)`` flows from the active to the inert electrode;
* every parameter declared with ``desc``, ``units`` and a ``from [lower:upper]``
  range from the parameter table, defaulting to the card's value;
* one internal node per state whose potential is the state minus its
  initial value, in the state's unit (O(1) values, 0 = fresh device); its
  equation is ``ddt(V(s)) = dx/dt`` in transient; the model reads each state
  through a clamp at its bounds widened by 10 % (never active at a solution;
  it keeps a failed step's Newton iterates, from which ngspice retries, where
  the model can bring them back);
* every intermediate a ``real`` variable, assigned once, in definition order;
* constants from ``constants.vams`` where it has them;
* no ``$abstime`` logic and no hidden state: everything the device remembers
  is on its state nodes.

Static analyses (``.op``, ``.dc``) tie each state node to 0 (the state to its
initial value), ``I(s) <+ V(s)``, so the operating point is that of a fresh
device and never singular; transient time points integrate
``ddt(V(s)) - dx/dt``. ngspice (46) evaluates the operating point *before a
transient* with the analysis flag "tran", not "static"; the hold
(:data:`HOLD_CONDITION`) also covers it through the simulator time, which is 0
there and positive at every transient time point. A transient therefore starts
from the fresh device with or without ``uic``.
"""

from __future__ import annotations

import textwrap

from memcompact.export.definition import (
    DEVICE_NAME, TERMINALS, VOLTAGE_NAME, card_label, card_values, load_definition,
)
from memcompact.export import ranges
from memcompact.model import expr

#: Constants that ``constants.vams`` provides, as Verilog-A text.
#: ``P_K/P_Q`` is k_B/e in eV/K from the header's CODATA values (within 1e-6
#: of CODATA 2018, far below every parity tolerance).
VAMS_CONSTANTS = {"pi": "`M_PI", "boltzmann_eV_per_K": "(`P_K/`P_Q)"}

#: When the state nodes hold the fresh device instead of integrating. ngspice (46) passes
#: the flags "static" for ``.op``/``.dc`` and the first transient time point, but only "tran"
#: for the operating point it solves before a transient without ``uic`` (its OSDI load sets
#: ANALYSIS_TRAN for MODETRANOP); there, and only there among "tran" evaluations, the
#: simulator time is 0 (time points of a transient lie at t > 0). Without the second term
#: that operating point would be the steady state of the state equations: singular where
#: the rates vanish, and a formed device where they don't.
HOLD_CONDITION = 'analysis("static") || !(analysis("tran") && $abstime > 0)'

#: Largest transient step as a share of the filament front's runaway time
#: 1/(d(d_gap_nm/dt)/d(gap_nm)) [1]: 0.15-0.3 measured alike on 8x8-32x32 crossbars, 0.5 lets
#: Newton fail again (docs/crossbar.md, "Speed"). The same share of the radial runaway time
#: 1/(d(d_radius_nm/dt)/d(radius_nm)) bounds the step once a formed filament heats and grows
#: sideways: without it the demo's 16x16 V/2 write of the condensed card (11.25 V, 0.5 s per
#: row, 1 ms largest step) stopped at 1.186 s ("timestep too small"), 0.6 ms after its third
#: formation; with it the 8 s run finishes.
FRONT_STEP_SHARE = 0.2
#: Largest share of a closing front's remaining distance to gap_min crossed in one transient
#: step [1] (the stop is a window_m wide window; a step that jumps it leaves Newton bouncing).
LANDING_STEP_SHARE = 0.5
#: Largest share of the draining AE reservoir (plus its 0.002-wide take window) emptied in one
#: transient step [1]: without it ngspice's trapezoidal steps overshoot the empty reservoir to
#: -0.039, where the supply gate freezes every rate (hard write 6 V / 100 Ohm, .tran 1u 10m:
#: 2.45e-08 A instead of Python's 5.35e-08 A; with it 5.36e-08 A). The drain is -d_reservoir
#: without its push back from above full (the return window's and the refill's negative parts):
#: bounded by all of -d_reservoir, a hot card whose refill holds a full reservoir at ~1e16 /s
#: (survey device 724, 955 K) was bounded by the roundoff around 1 and stopped with "timestep too
#: small ... s_reservoir". The gross take alone (no return) slowed device 352 from 0.7 s to 21 s:
#: at V ~ 0 a hot card's tip exchanges metal both ways at rates that cancel.
RESERVOIR_STEP_SHARE = 0.5
#: Smallest step bound [s]: ngspice stops ("timestep too small") when a bound below its
#: delmin = 1e-11*tmax rejects two steps in a row; with the floor a largest step of 10 ms runs
#: (hard write: 5.48e-08 A). tmax = 100 ms still stops: Newton fails at 1 ps steps in the landing.
STEP_BOUND_FLOOR_S = 1e-12

#: Charge per unit of state [1] in the state equations ``ddt(k*V(s)) = k*d_state``. ngspice
#: bounds each step by the local truncation error of every ``ddt`` charge, with an absolute
#: floor chgtol = 1e-14 (meant for coulombs). A state in nm held at its bound rings at the
#: roundoff of ``initial + V(s)`` (~1e-14 nm for a 100 nm film) wherever its rate is stiff
#: (eigenvalues of -1e11 /s on hot cards): with k = 1 that ringing sits at chgtol and ngspice
#: crawls in 25 ps steps (survey devices 352 and 738 ran past 400 s; 2.0 s and 2.7 s with
#: k = 0.1). With k = 0.1 chgtol stands for 1e-13 state units, ten times the ringing. Smaller
#: k loosens the absolute floors further: at k <= 1e-2 the 32x32 crossbar read
#: (tests/crossbar/test_network.py) moved from 0.0013 to 0.0065 decades off Python.
STATE_CHARGE_SCALE = 0.1

#: Verilog-A name of the hold weight (1: states held fresh, 0: states integrate).
HOLD_VARIABLE = "hold"

#: Verilog-A name of the device voltage (``V`` is the potential access function).
VOLTAGE_VARIABLE = "vdev"

#: Words that Verilog-AMS reserves or OpenVAF treats as functions: never used as names.
RESERVED = frozenset("""
above abs absdelay absdelta abstol access acos acosh ac_stim aliasparam always analog analysis
and asin asinh assert assign atan atan2 atanh automatic begin branch buf bufif0 bufif1 case casex
casez ceil cell cmos config connect connectmodule connectrules continuous cos cosh cross ddt
ddt_nature ddx deassign default defparam design disable discipline discrete domain driver_update
edge else end endcase endconfig endconnectrules enddiscipline endfunction endgenerate endmodule
endnature endparamset endprimitive endspecify endtable endtask event exclude exp final_step
flicker_noise floor flow for force forever fork from function generate genvar ground highz0 highz1
hypot idt idtmod idt_nature if ifnone incdir include inf initial initial_step inout input instance
integer join laplace_nd laplace_np laplace_zd laplace_zp large last_crossing liblist library
limexp ln localparam log macromodule max medium merged min module nand nature negedge net_resolution
nmos noise_table noise_table_log nor noshowcancelled not notif0 notif1 or output parameter paramset
pmos posedge potential pow primitive pull0 pull1 pulldown pullup pulsestyle_onevent
pulsestyle_ondetect rcmos real realtime reg release repeat resolveto rnmos rpmos rtran rtranif0
rtranif1 scalared sin sinh showcancelled signed slew small specify specparam split sqrt string
strobe supply0 supply1 table tan tanh task temperature time timer tran tranif0 tranif1 transition
tri tri0 tri1 triand trior trireg units unsigned use uwire vectored wait wand weak0 weak1 while
white_noise wire wor wreal xnor xor zi_nd zi_np zi_zd zi_zp
""".split())


class _Writer(expr.VerilogAWriter):
    """Verilog-A writer with the device voltage renamed and constants from constants.vams."""

    def name(self, ident):
        if ident == VOLTAGE_NAME:
            return VOLTAGE_VARIABLE
        return VAMS_CONSTANTS.get(ident, ident)


def node_name(state):
    """Internal node of a state."""
    return f"s_{state}"


def initial_name(state):
    """Variable holding a state's initial value."""
    return f"{state}_init"


def unclamped_name(state):
    """Variable holding a state as its node gives it, before the clamp at its widened bounds."""
    return f"{state}_unclamped"


def derivative_name(state):
    """Variable holding a state's time derivative."""
    return f"d_{state}"


def _check_names(definition):
    names = [p.name for p in definition.parameters] + [i.name for i in definition.intermediates]
    names += [s.name for s in definition.states] + list(definition.constants)
    generated = [VOLTAGE_VARIABLE, HOLD_VARIABLE, *TERMINALS] + [node_name(s.name) for s in definition.states]
    generated += [derivative_name(s.name) for s in definition.states]
    generated += [initial_name(s.name) for s in definition.states]
    seen = set()
    for name in names + generated:
        if name.lower() in RESERVED:
            raise expr.ExpressionError(f"name {name!r} is reserved in Verilog-A: rename it in the model")
        if name.lower() in seen:
            raise expr.ExpressionError(f"name {name!r} is used twice in the Verilog-A module "
                                       "(names are case-insensitive in SPICE)")
        seen.add(name.lower())


def _number(value):
    return expr._spice_number(value)


def _attr_text(text):
    return text.replace("\\", "/").replace('"', "'")


def verilog_a_source(card):
    """Verilog-A text of the model with the card's values as parameter defaults.

    Parameters
    ----------
    card : dict
        A model card (see :func:`memcompact.model.cards.load_model_card`).

    Returns
    -------
    str
        The module text.
    """
    values = card_values(card)
    d = load_definition()
    _check_names(d)
    w = _Writer()
    out = []
    add = out.append
    add(f"// {DEVICE_NAME}: ECM memristor compact model (memcompact), Verilog-A for OpenVAF/OSDI.")
    add("// Generated by `memcompact export verilog-a` from memcompact/model/parameters.py and")
    add("// memcompact/model/equations.py: do not edit by hand; regenerate instead.")
    add(f"// Card: {card_label(card)}")
    add("//")
    add(f"// Terminals: {TERMINALS[0]} = active electrode (anode under positive bias),")
    add(f"//            {TERMINALS[1]} = inert electrode.")
    add(f"// Device voltage {VOLTAGE_VARIABLE} = V({TERMINALS[0]}, {TERMINALS[1]}) [V]; "
        f"current I({TERMINALS[0]}, {TERMINALS[1]}) [A], active -> inert.")
    add("// States: one internal node each; node potential = state minus its initial value, in the")
    add("// state's unit (0 = fresh device). Static analyses (.op, .dc) hold every state at its")
    add("// initial value, and so does the operating point a transient starts from (with or without")
    add("// `uic`); transient time points integrate d(state)/dt = derivative. See docs/export.md.")
    add("")
    add('`include "constants.vams"')
    add('`include "disciplines.vams"')
    add("")
    add(f"module {DEVICE_NAME}({', '.join(TERMINALS)});")
    add(f"    inout {', '.join(TERMINALS)};")
    add(f"    electrical {', '.join(TERMINALS)};")
    for s in d.states:
        add(f"    electrical {node_name(s.name)};  // state {s.name} [{s.unit}]: {s.description}")
    add("")
    add("    // ---- parameters: default from the card, range from the parameter table")
    for p in d.parameters:
        add(f'    (*desc="{_attr_text(p.description)}", units="{p.unit}"*) '
            f"parameter real {p.name} = {_number(values[p.name])} "
            f"from [{_number(p.lower)}:{_number(p.upper)}];")
    extra = {k: v for k, v in d.constants.items() if k not in VAMS_CONSTANTS}
    if extra:
        add("")
        add("    // ---- constants of the model definition not in constants.vams")
        for name, value in extra.items():
            add(f"    localparam real {name} = {_number(value)};")
    add("")
    add("    // ---- transient step control (no effect on the equations or their solution)")
    add(f"    localparam real front_step_share = {FRONT_STEP_SHARE!r};  // [1] share of the front's runaway time")
    add(f"    localparam real landing_step_share = {LANDING_STEP_SHARE!r};  // [1] share of the distance to gap_min")
    add(f"    localparam real reservoir_step_share = {RESERVOIR_STEP_SHARE!r};  // [1] share of the reservoir")
    add(f"    localparam real step_floor = {STEP_BOUND_FLOOR_S!r};  // [s] smallest step bound")
    add(f"    localparam real state_charge = {STATE_CHARGE_SCALE!r};  // [1] charge per state unit in ddt()")
    add("")
    add(f"    real {VOLTAGE_VARIABLE};  // [V] device voltage, active minus inert electrode")
    add(f"    real {HOLD_VARIABLE};  // [1] 1: states held at their initial values, 0: states integrate")
    for s in d.states:
        add(f"    real {initial_name(s.name)};  // [{s.unit}] initial value of {s.name} (fresh device)")
    for s in d.states:
        add(f"    real {unclamped_name(s.name)};  // [{s.unit}] {s.name} from its node, before the clamp")
    for s in d.states:
        add(f"    real {s.name};  // [{s.unit}] {s.description}")
    for i in d.intermediates:
        add(f"    real {i.name};  // [{i.unit}] {i.description}")
    for s in d.states:
        add(f"    real {derivative_name(s.name)};  // [{s.unit}/s] time derivative of {s.name}")
    add("")
    add("    analog begin")
    add(f"        {VOLTAGE_VARIABLE} = V({TERMINALS[0]}, {TERMINALS[1]});")
    for s in d.states:
        add(f"        {initial_name(s.name)} = {w.write(s.initial)};")
    for s in d.states:
        add(f"        {unclamped_name(s.name)} = {initial_name(s.name)} + V({node_name(s.name)});")
    add("        // states read through their bounds widened by 10 % of their range: never active at a")
    add("        // solution, but ngspice retries a failed step from Newton's last iterate, and from a state")
    add("        // far outside its bounds Newton did not come back (docs/export.md, \"States, DC and uic\")")
    bounds = ranges.widened_state_bounds(d.states)
    for s in d.states:
        lo, hi = bounds[s.name]
        add(_assign(s.name, f"min(max({unclamped_name(s.name)}, {w.write(lo)}), {w.write(hi)})"))
    add("")
    for i in d.intermediates:
        add(_assign(i.name, w.write(i.tree)))
    add("")
    for s in d.states:
        add(_assign(derivative_name(s.name), w.write(s.derivative)))
    add("")
    add(f"        I({TERMINALS[0]}, {TERMINALS[1]}) <+ {w.write(d.current)};")
    add("")
    add("        // step control only: a step stays within Newton's reach of the runaway front (its")
    add("        // self-acceleration time 1/(d(d_gap_nm)/d(gap_nm))) and crosses at most a share of the")
    add("        // remaining distance to gap_min; without it a default-option transient (steps of")
    add("        // tstep) jumps the formation and can land states far outside their bounds. The same")
    add("        // share bounds the step by the hot filament's radial runaway 1/(d(d_radius_nm)/d(radius_nm))")
    add("        // (Joule heating speeds the growth that raises the current) and the AE reservoir's drain:")
    add("        // -d_reservoir without the push back from above full (return window and refill < 0), whose")
    add("        // stiff relaxation (a hot card's refill at 1e16 /s) would bound steps by roundoff around 1.")
    add("        $bound_step(max(step_floor, min(front_step_share / max(ddx(d_gap_nm, V(s_gap_nm)), 1e-30),")
    add("            min(landing_step_share * (gap_nm - gap_min_nm + window_nm) / max(-d_gap_nm, 1e-30),")
    add("                min(reservoir_step_share * (reservoir + 0.002)")
    add("                    / max(reservoir_take_per_s - max(reservoir_return_per_s, 0.0) - max(refill_per_s, 0.0),")
    add("                        1e-30),")
    add("                    front_step_share / max(ddx(d_radius_nm, V(s_radius_nm)), 1e-30))))));")
    add("        // state equations: ddt(V(s)) = d(state)/dt at transient time points; the fresh device")
    add("        // (V(s) = 0) in .op, .dc, a transient's own operating point and its first time point.")
    add("        // The switch is a real weight, not an if/else: OpenVAF adds an implicit equation per")
    add("        // state for contributions under a condition that reads $abstime.")
    add(f"        {HOLD_VARIABLE} = ({HOLD_CONDITION}) ? 1.0 : 0.0;")
    for s in d.states:
        add(f"        I({node_name(s.name)}) <+ ddt(state_charge*V({node_name(s.name)}));")
    for s in d.states:
        add(f"        I({node_name(s.name)}) <+ state_charge*({HOLD_VARIABLE}*V({node_name(s.name)})"
            f" - (1.0 - {HOLD_VARIABLE})*{derivative_name(s.name)});")
    add("    end")
    add("endmodule")
    return "\n".join(out) + "\n"


def _assign(name, text, indent=8, width=110):
    head = " " * indent + f"{name} = "
    line = head + text + ";"
    if len(line) <= width:
        return line
    body = textwrap.wrap(text + ";", width=width - indent - 4, break_long_words=False,
                         break_on_hyphens=False)
    return head.rstrip() + "\n" + "\n".join(" " * (indent + 4) + part for part in body)
