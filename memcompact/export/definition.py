"""The model definition as the exporters see it: parsed once, classified.

Every backend file is written from :mod:`memcompact.model.parameters` and
:mod:`memcompact.model.equations` through the expression trees of
:mod:`memcompact.model.expr`; nothing here restates an equation. This module
parses the definition (with the same checks as the Python evaluation) and
sorts the intermediates into

* *static* ones that depend on parameters and constants only (computed once
  per instance: ``.param`` lines in the ngspice subcircuit), and
* *dynamic* ones that depend on the device voltage ``V`` or a state.
"""

from __future__ import annotations

from dataclasses import dataclass

from memcompact.model import compiled, expr
from memcompact.model.cards import MODEL_NAME, card_params
from memcompact.model.equations import CONSTANTS, CURRENT, DERIVATIVES, EQUATIONS, OUTPUTS, STATES
from memcompact.model.parameters import PARAMETERS

#: Module / subcircuit name of the exported device.
DEVICE_NAME = MODEL_NAME

#: Terminal names: active electrode (anode under positive bias) first, inert electrode second.
TERMINALS = ("ae", "ie")

#: Name of the device voltage in the equations (active minus inert electrode) [V].
VOLTAGE_NAME = "V"


@dataclass(frozen=True)
class Intermediate:
    """One intermediate ``name = tree`` with its unit, meaning and class."""

    name: str
    tree: object
    unit: str
    description: str
    static: bool


@dataclass(frozen=True)
class StateDef:
    """One state: its derivative tree, initial-value tree and bounds (trees)."""

    name: str
    unit: str
    description: str
    derivative: object
    initial: object
    lower: object
    upper: object


@dataclass(frozen=True)
class Definition:
    """The parsed model definition."""

    intermediates: tuple
    states: tuple
    current: object
    constants: dict
    parameters: tuple
    outputs: tuple


def load_definition():
    """Parse and classify the model definition.

    Returns
    -------
    Definition

    Raises
    ------
    memcompact.model.expr.ExpressionError
        An equation outside the model language or using an unknown name.
    """
    # the same parse (and checks) as the Python evaluation uses
    equations, derivatives, current, initial, bounds = compiled._parsed_definition()
    by_name = {eq.name: eq for eq in EQUATIONS}
    static_names = set(CONSTANTS) | {p.name for p in PARAMETERS}
    intermediates = []
    for name, tree in equations:
        is_static = expr.names_used(tree) <= static_names
        if is_static:
            static_names.add(name)
        eq = by_name[name]
        intermediates.append(Intermediate(name, tree, eq.unit, eq.description, is_static))
    derivative = dict(derivatives)
    init = dict(initial)
    bound = {name: (lo, hi) for name, lo, hi in bounds}
    states = tuple(
        StateDef(s.name, s.unit, s.description, derivative[s.name], init[s.name], *bound[s.name])
        for s in STATES)
    return Definition(tuple(intermediates), states, current, dict(CONSTANTS), PARAMETERS, tuple(OUTPUTS))


def definition_sources():
    """The raw definition texts (for headers and docs): (equations, derivatives, current)."""
    return EQUATIONS, DERIVATIVES, CURRENT


def card_values(card):
    """Validated {name: float} of a card dict (all parameters, table order)."""
    params = card_params(card)
    return {p.name: float(params[p.name]) for p in PARAMETERS}


def card_label(card):
    """One-line description of a card for file headers."""
    parts = []
    if card.get("preset"):
        parts.append(f"preset {card['preset']}")
    if card.get("description"):
        parts.append(str(card["description"]))
    if card.get("source_file"):
        parts.append(f"file {card['source_file']}")
    return "; ".join(parts) if parts else "custom card"
