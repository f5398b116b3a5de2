"""Write the compact model as an ngspice-native subcircuit (B-sources, state capacitors).

For simulators without OSDI (older ngspice, LTspice-like tools). The layout:

* ``.subckt memcompact_ecm ae ie <parameters>``: terminals active electrode
  then inert electrode, every parameter an instance parameter defaulting to
  the card's value;
* intermediates that depend on parameters only: ``.param`` lines;
* intermediates that depend on the states only (never on the voltage): a
  behavioural voltage source ``B_<name>`` driving internal node ``n_<name>``
  (its value in the intermediate's unit), in definition order, so these
  shared quantities are never expanded into each other;
* intermediates that depend on the device voltage are written out (inlined)
  into the expressions that use them. They change fastest (a 1 ns pulse edge)
  and, held on nodes, Newton's linearised intermediate values can leave their
  physical range during an iteration (a negative conductance, hence a
  negative temperature); inlined, every iteration evaluates them exactly;
* each state: internal node ``s_<state>`` holding the state *minus its
  initial value* (0 = fresh device), a 1 F capacitor to ground and a
  behavioural current source feeding it the state's derivative, so that
  ``C dV/dt = dx/dt``;
* the device: ``B_device ae ie I = conductance * V(ae, ie)``.

DC analyses (``.op``, ``.dc``, the operating point before a transient) see
``time = 0``: the state sources then become a 1 S tie to ground, holding every
state at its initial value (a fresh device, no floating node). For ``time >
0`` the tie is gone and the derivative drives the capacitor. ``.tran ... uic``
also starts from the fresh device (all state nodes 0).
"""

from __future__ import annotations

import ast
import copy
import textwrap

from memcompact.export.definition import (
    DEVICE_NAME, TERMINALS, VOLTAGE_NAME, card_label, card_values, load_definition,
)
from memcompact.model import compiled, expr

#: Longest netlist line written; longer lines continue with ``+``.
LINE_WIDTH = 100


def state_node(state):
    """Internal node of a state (value: state minus its initial value)."""
    return f"s_{state}"


def intermediate_node(name):
    """Internal node of a voltage- or state-dependent intermediate."""
    return f"n_{name}"


def initial_param(state):
    """``.param`` holding a state's initial value."""
    return f"{state}_init"


def node_intermediates(d):
    """Names of the intermediates held on nodes: functions of the states only, of one state each.

    A function of a single state is smooth and monotone-like over a Newton step,
    so its linearised node value stays in range; everything built from several
    states or from the voltage (exponentials of gaps, conductances, rates) is
    written out so that each Newton iteration evaluates it exactly.
    """
    state_only = set(compiled.state_only_equations())
    states = {s.name for s in d.states}
    reads = {}
    for i in d.intermediates:
        used = expr.names_used(i.tree)
        reads[i.name] = (used & states).union(*(reads.get(n, set()) for n in used))
    return {i.name for i in d.intermediates
            if not i.static and i.name in state_only}


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

    def rename(ident):
        if ident == VOLTAGE_NAME:
            return f"V({TERMINALS[0]},{TERMINALS[1]})"
        if ident in d.constants:
            return expr._spice_number(d.constants[ident])
        if ident in static:
            return ident
        if ident in nodes:
            return f"V({intermediate_node(ident)})"
        if ident in states:
            return f"({initial_param(ident)} + V({state_node(ident)}))"
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
        "* States: node s_<state> = state minus its initial value (0 = fresh device), 1 F to ground.",
        "* DC analyses (time = 0) hold the states at their initial values; transient analyses",
        "* integrate them. State-only intermediates: node n_<name> = value in its unit; the",
        "* voltage-dependent ones are written out where they are used.",
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
    lines.append("")
    lines.append("* ---- intermediates of the states only, one node each, in definition order")
    for i in d.intermediates:
        if i.name in nodes:
            lines.append(f"* {i.name} [{i.unit}]: {i.description}")
            lines += _wrap(f"B_{i.name} {intermediate_node(i.name)} 0 V = {w.write(i.tree)}")
    lines.append("")
    lines.append("* ---- states: C dV/dt = derivative for time > 0; 1 S tie to the initial value at time = 0")
    for s in d.states:
        node = state_node(s.name)
        lines.append(f"* {s.name} [{s.unit}]: {s.description}")
        lines.append(f"C_{s.name} {node} 0 1")
        derivative = _inline(s.derivative, inlined)
        lines += _wrap(f"B_{s.name} 0 {node} I = time > 0 ? {w.write(derivative)} : -V({node})")
    lines.append("")
    lines.append("* ---- the device current, active -> inert electrode")
    lines += _wrap(f"B_device {TERMINALS[0]} {TERMINALS[1]} I = {w.write(_inline(d.current, inlined))}")
    lines.append(f".ends {DEVICE_NAME}")
    return "\n".join(lines) + "\n"
