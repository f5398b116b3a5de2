"""Write the compact model as an ngspice-native subcircuit (B-sources, state capacitors).

For simulators without OSDI (older ngspice, LTspice-like tools). The layout:

* ``.subckt memcompact_ecm ae ie <parameters>``: terminals active electrode
  then inert electrode, every parameter an instance parameter defaulting to
  the card's value;
* intermediates that depend on parameters only: ``.param`` lines;
* intermediates that depend on the states only (never on the voltage): a
  behavioural voltage source ``B_<name>`` driving internal node ``n_<name>``
  in definition order, so these shared quantities are never expanded into
  each other; the node holds the value in the intermediate's unit, or its
  natural logarithm when the value is provably positive (conductances,
  resistances, shares spanning decades: a linearised logarithm stays close);
* every read of a state or a node goes through ``min(max(x, lo), hi)`` with
  the ranges of :mod:`memcompact.export.ranges` (states: their bounds widened
  by 10 %): never active at the solution, it stops Newton's excursions from
  overflowing a B-source (ngspice aborts on any floating-point overflow);
* intermediates that depend on the device voltage are written out (inlined)
  into the expressions that use them. They change fastest (a 1 ns pulse edge)
  and, held on nodes, Newton's linearised intermediate values can leave their
  physical range during an iteration (a negative conductance, hence a
  negative temperature); inlined, every iteration evaluates them exactly;
* each state: internal node ``s_<state>`` holding the state minus
  ``<state>_ref``, one unit below its lower bound (:data:`NODE_REFERENCE_BELOW`),
  a 1 F capacitor to ground (``IC`` = the fresh device's value, for ``uic``)
  and a behavioural current source feeding it the state's derivative, so that
  ``C dV/dt = dx/dt``. The node then reads ~1 where the gap lands at
  ``gap_min`` and the reservoir empties, and ngspice's tolerances, relative
  to the node's value, are fine enough there;
* the device: ``B_device ae ie I = conductance * V(ae, ie)``.

DC analyses (``.op``, ``.dc``, the operating point before a transient) hold
every state at its initial value (a fresh device, no floating node): the state
sources then are a 1 S tie of each state node to ``<state>_init - <state>_ref``. The switch is
``V(transient) > 0.5 && time > 0``, with node ``transient`` driven by
``V_transient transient 0 DC 0 PWL(0 1)``: ``.op`` and ``.dc`` use a source's
DC value (0 V: tie), a transient its waveform (1 V). ngspice sets ``time`` to
the sweep value during ``.dc`` (a hold on ``time > 0`` alone solved ``dx/dt =
0`` there instead of holding); ``time > 0`` only ties the operating point
before a transient (``time = 0``, where the waveform is already 1 V). The
one-point waveform adds no breakpoint to the transient's time steps.
``.tran ... uic`` also starts from the fresh device (the capacitors' ``IC``), and
so does a transient without ``uic`` (its operating point holds).
"""

from __future__ import annotations

import ast
import copy
import textwrap

from memcompact.export.definition import (
    DEVICE_NAME, TERMINALS, VOLTAGE_NAME, card_label, card_values, load_definition,
)
from memcompact.export import ranges
from memcompact.model import compiled, expr

#: Longest netlist line written; longer lines continue with ``+``.
LINE_WIDTH = 100


def state_node(state):
    """Internal node of a state (value: state minus :func:`reference_param`)."""
    return f"s_{state}"


def intermediate_node(name):
    """Internal node of a voltage- or state-dependent intermediate."""
    return f"n_{name}"


def initial_param(state):
    """``.param`` holding a state's initial value."""
    return f"{state}_init"


def reference_param(state):
    """``.param`` holding a state's node reference (:data:`NODE_REFERENCE_BELOW` under its lower bound)."""
    return f"{state}_ref"


def node_intermediates(d):
    """Names of the intermediates held on nodes: functions of the states only, never of ``V``.

    Each is then evaluated once per Newton iteration instead of once per use
    in the state sources (with ``g_filament_S``, ``tip_share`` and
    ``conductance_S`` on nodes a time point costs ngspice less than half as
    much: docs/export.md, "Native subcircuit layout").
    Everything built on the voltage is written out, so that each Newton
    iteration evaluates it exactly.
    """
    state_only = set(compiled.state_only_equations())
    states = {s.name for s in d.states}
    reads = {}
    for i in d.intermediates:
        used = expr.names_used(i.tree)
        reads[i.name] = (used & states).union(*(reads.get(n, set()) for n in used))
    return {i.name for i in d.intermediates
            if not i.static and i.name in state_only and len(reads[i.name]) <= MAX_NODE_STATES}


def _inline(tree, trees):
    """Copy of ``tree`` with every name in ``trees`` replaced by its tree."""

    class Sub(ast.NodeTransformer):
        def visit_Name(self, node):
            if node.id in trees:
                return copy.deepcopy(trees[node.id])
            return node

    return Sub().visit(copy.deepcopy(tree))


def _check_names(d):
    names = [p.name for p in d.parameters] + [i.name for i in d.intermediates]
    names += [s.name for s in d.states] + [initial_param(s.name) for s in d.states]
    names += [reference_param(s.name) for s in d.states]
    seen = set()
    for name in names:
        key = name.lower()
        if key in seen:
            raise expr.ExpressionError(f"name {name!r} is used twice in the ngspice subcircuit "
                                       "(SPICE names are case-insensitive)")
        seen.add(key)


def _wrap(line, width=LINE_WIDTH):
    if len(line) <= width:
        return [line]
    parts = textwrap.wrap(line, width=width, break_long_words=False, break_on_hyphens=False,
                          subsequent_indent="+ ")
    return parts


#: Node of the DC/transient switch: 0 V in DC analyses, 1 V in transients.
ANALYSIS_NODE = "transient"

#: The switch's source: DC analyses (``.op``, ``.dc``) take its DC value, 0 V; a transient its
#: waveform, 1 V throughout (one point: no breakpoint, so the transient's steps are unchanged).
ANALYSIS_SOURCE = f"V_{ANALYSIS_NODE} {ANALYSIS_NODE} 0 DC 0 PWL(0 1)"

#: Condition under which the state sources integrate (else: the DC tie). ``time > 0`` only
#: excludes the operating point before a transient; ``.dc`` (where ngspice sets ``time`` to the
#: sweep value) is excluded by the source's DC value.
INTEGRATE_CONDITION = f"V({ANALYSIS_NODE}) > 0.5 && time > 0"

#: Largest exponent of a log-scaled node read (exp(709) is the largest double).
LN_MAX = 700.0

#: Smallest value a log-scaled node takes the logarithm of.
LOG_FLOOR = 1e-300

#: Largest number of states an intermediate held on a node may depend on (3: every state-only
#: intermediate; the nucleation state enters none of them). Until 2026-12-03 this was 2: with
#: the state nodes referred to the initial values, the 1T1R cell's landing at gap_min came out
#: wrong with 3 (docs/export.md, "Native subcircuit layout"); referred to one unit below the
#: lower bounds (NODE_REFERENCE_BELOW), it does not.
MAX_NODE_STATES = 3

#: A state node holds the state minus (its lower bound - this) [state units], so it reads
#: 1 (nm, or 1) where the gap lands at gap_min and the reservoir empties. ngspice's Newton and
#: truncation-error tolerances are relative to the node's value (reltol x |V| + vntol): referred
#: to the initial value (|V| = 39.7 nm at the landing of a 40 nm film) reltol 1e-3 allowed
#: 0.04 nm, twice the 0.02 nm landing window, and Gear rang around gap_min (the 1T1R cell read
#: 5.87e-10 A instead of 8.26e-10 with three-state nodes); referred to the lower bound itself
#: (|V| ~ 1e-3 nm at the landing) the hot card's +-V sweep took 3.2x the time points. One unit
#: below the bound keeps ~1e-3 nm at reltol 1e-3 (docs/export.md, "Native subcircuit layout").
NODE_REFERENCE_BELOW = 1.0


def clamp_bounds(d, nodes):
    """Ranges of the states and node intermediates, for the clamps on their reads.

    Parameters
    ----------
    d : memcompact.export.definition.Definition
    nodes : set of str
        Intermediates held on nodes.

    Returns
    -------
    bounds : dict
        {state or node name: (lo, hi)} with each bound a tree (a number or the
        name of a ``.param``) or None (no clamp on that side).
    bound_params : dict
        {param name: tree} of the ``.param`` lines the bounds name, in order.
    """
    static = {i.name: i.tree for i in d.intermediates if i.static}
    analysis = ranges.RangeAnalysis(d.parameters, static, {}, d.constants)
    bounds, bound_params = {}, {}

    def named(name, side, tree):
        if tree is None or isinstance(tree, (ast.Constant, ast.Name)):
            return tree
        if ranges._value(tree) is not None:
            return tree
        pname = f"{name}_{side}"
        bound_params[pname] = tree
        analysis._static[pname] = tree  # its sign follows from its tree
        return ast.Name(pname, ast.Load())

    widened = ranges.widened_state_bounds(d.states)
    for s in d.states:
        lower, upper = widened[s.name]
        bounds[s.name] = (named(s.name, "lo", lower), named(s.name, "hi", upper))
        analysis.named[s.name] = bounds[s.name]
    for i in d.intermediates:
        if i.name in nodes:
            lo, hi = analysis.interval(i.tree)
            bounds[i.name] = (named(i.name, "lo", lo), named(i.name, "hi", hi))
            analysis.named[i.name] = bounds[i.name]
    return bounds, bound_params


def log_scaled_nodes(d, nodes, bounds, bound_params):
    """Node intermediates held as their natural logarithm: those provably > 0.

    Conductances, resistances, shares and windows span decades over a
    switching event; Newton linearises a node's value, and a linearised
    logarithm stays close where the linearised value itself overshoots by
    decades (the native subcircuit then took the wrong branch of an abrupt
    RESET).
    """
    static = {i.name: i.tree for i in d.intermediates if i.static}
    static.update(bound_params)
    analysis = ranges.RangeAnalysis(d.parameters, static, {}, d.constants)
    return {name for name in nodes if bounds[name][0] is not None and analysis.positive(bounds[name][0])}


def _clamped(text, lo, hi, writer):
    if lo is not None:
        text = f"max({text}, {writer.write(lo)})"
    if hi is not None:
        text = f"min({text}, {writer.write(hi)})"
    return text


def ngspice_source(card):
    """ngspice subcircuit text (``.subckt`` ... ``.ends``) with the card's values as defaults.

    Parameters
    ----------
    card : dict
        A model card.

    Returns
    -------
    str
    """
    values = card_values(card)
    d = load_definition()
    _check_names(d)
    static = {i.name for i in d.intermediates if i.static} | {p.name for p in d.parameters}
    nodes = node_intermediates(d)
    states = {s.name for s in d.states}
    inlined = {}  # voltage-dependent intermediates, fully written out
    for i in d.intermediates:
        if not i.static and i.name not in nodes:
            inlined[i.name] = _inline(i.tree, inlined)

    bounds, bound_params = clamp_bounds(d, nodes)
    static |= set(bound_params)
    log_nodes = log_scaled_nodes(d, nodes, bounds, bound_params)

    def rename(ident):
        if ident == VOLTAGE_NAME:
            return f"V({TERMINALS[0]},{TERMINALS[1]})"
        if ident in d.constants:
            return expr._spice_number(d.constants[ident])
        if ident in static:
            return ident
        if ident in log_nodes:
            lo, hi = bounds[ident]
            upper = f"ln({w.write(hi)})" if hi is not None else repr(LN_MAX)
            return _clamped(f"exp(min(V({intermediate_node(ident)}), {upper}))", lo, None, w)
        if ident in nodes:
            return _clamped(f"V({intermediate_node(ident)})", *bounds[ident], w)
        if ident in states:
            return _clamped(f"({reference_param(ident)} + V({state_node(ident)}))", *bounds[ident], w)
        raise expr.ExpressionError(f"ngspice export: cannot place name {ident!r}")

    w = expr.NgspiceWriter(rename)
    lines = [
        f"* {DEVICE_NAME}: ECM memristor compact model (memcompact), ngspice-native subcircuit.",
        "* Generated by `memcompact export ngspice` from memcompact/model/parameters.py and",
        "* memcompact/model/equations.py: do not edit by hand; regenerate instead.",
        f"* Card: {card_label(card)}",
        "*",
        f"* Usage: .include this file;  X1 <active electrode> <inert electrode> {DEVICE_NAME} [name=value ...]",
        f"* Terminals: {TERMINALS[0]} = active electrode (anode under positive bias), "
        f"{TERMINALS[1]} = inert electrode.",
        "* States: node s_<state> = state minus <state>_ref (1 below its lower bound), 1 F to ground (IC = the",
        "* fresh device). DC analyses (V(transient) = 0, time = 0) hold the states at their initial values;",
        "* transient analyses integrate them. Intermediates of the states only: node n_<name> = value in its unit,",
        "* or its natural logarithm where read as exp(V(n_<name>)); the others are written out",
        "* where they are used. Reads of states and nodes are clamped to ranges that hold at",
        "* the solution (they only cut Newton's excursions).",
        "* Parameters (name [unit] bounds: meaning):",
    ]
    for p in d.parameters:
        lines.append(f"*   {p.name} [{p.unit}] [{p.lower:g}, {p.upper:g}]: {p.description}")
    lines.append("")
    head = f".subckt {DEVICE_NAME} {' '.join(TERMINALS)}"
    lines.append(head)
    for p in d.parameters:
        lines.append(f"+ {p.name}={expr._spice_number(values[p.name])}")
    lines.append("")
    lines.append("* ---- intermediates of the parameters only")
    for i in d.intermediates:
        if i.static:
            lines += _wrap(f".param {i.name} = {{{w.write(i.tree)}}}")
    for s in d.states:
        lines += _wrap(f".param {initial_param(s.name)} = {{{w.write(s.initial)}}}")
        lines += _wrap(f".param {reference_param(s.name)} = {{{w.write(s.lower)} - {NODE_REFERENCE_BELOW!r}}}")
    lines.append("* ---- ranges of the states and state-only intermediates (read through min/max: Newton's")
    lines.append("*      excursions are cut, the solution is never clamped)")
    for name, tree in bound_params.items():
        lines += _wrap(f".param {name} = {{{w.write(tree)}}}")
    lines.append("")
    lines.append("* ---- intermediates of the states only, one node each, in definition order")
    for i in d.intermediates:
        if i.name in nodes:
            lines.append(f"* {i.name} [{i.unit}]: {i.description}")
            value = w.write(i.tree)
            if i.name in log_nodes:
                value = f"ln(max({value}, {LOG_FLOOR!r}))"
            lines += _wrap(f"B_{i.name} {intermediate_node(i.name)} 0 V = {value}")
    lines.append("")
    lines.append("* ---- states: C dV/dt = derivative in transients; 1 S tie to the initial value in DC")
    lines.append(f"* V({ANALYSIS_NODE}) = 0 V in .op/.dc (the source's DC value), 1 V in a transient; time > 0")
    lines.append("* excludes the transient's operating point")
    lines.append(ANALYSIS_SOURCE)
    for s in d.states:
        node = state_node(s.name)
        lines.append(f"* {s.name} [{s.unit}]: {s.description}")
        fresh = f"({initial_param(s.name)} - {reference_param(s.name)})"
        lines.append(f"C_{s.name} {node} 0 1 IC={{{fresh}}}")
        derivative = _inline(s.derivative, inlined)
        lines += _wrap(f"B_{s.name} 0 {node} I = {INTEGRATE_CONDITION} ? {w.write(derivative)} : "
                       f"{fresh} - V({node})")
    lines.append("")
    lines.append("* ---- the device current, active -> inert electrode")
    lines += _wrap(f"B_device {TERMINALS[0]} {TERMINALS[1]} I = {w.write(_inline(d.current, inlined))}")
    lines.append(f".ends {DEVICE_NAME}")
    return "\n".join(lines) + "\n"
