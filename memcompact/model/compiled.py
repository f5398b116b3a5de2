"""numpy functions generated from the one model definition.

:func:`python_source` writes the equations of :mod:`memcompact.model.equations`
as plain numpy code; the package executes that text, and the standalone
Python export writes the very same text to a file, so both compute
bit-identical results.
"""

from __future__ import annotations

import functools
import re

import numpy as np

from memcompact.model import expr
from memcompact.model.equations import CONSTANTS, CURRENT, DERIVATIVES, EQUATIONS, OUTPUTS, STATES
from memcompact.model.parameters import PARAMETERS

STATE_NAMES = tuple(s.name for s in STATES)
PARAMETER_NAMES = tuple(p.name for p in PARAMETERS)


def _parsed_definition():
    """Parse and check every expression; return (equations, derivatives, current, initial, bounds)."""
    known = set(CONSTANTS) | set(PARAMETER_NAMES) | set(STATE_NAMES) | {"V"}
    equations = []
    for eq in EQUATIONS:
        if eq.name in known:
            raise expr.ExpressionError(f"equation name {eq.name!r} is defined twice")
        equations.append((eq.name, expr.parse(eq.expression, known)))
        known.add(eq.name)
    if set(DERIVATIVES) != set(STATE_NAMES):
        raise expr.ExpressionError("DERIVATIVES must give exactly one derivative per state")
    derivatives = [(name, expr.parse(DERIVATIVES[name], known)) for name in STATE_NAMES]
    current = expr.parse(CURRENT, known)
    static = set(CONSTANTS) | set(PARAMETER_NAMES)
    initial = [(s.name, expr.parse(s.initial, static)) for s in STATES]
    bounds = [(s.name, expr.parse(s.lower, static), expr.parse(s.upper, static)) for s in STATES]
    return equations, derivatives, current, initial, bounds


@functools.lru_cache(maxsize=None)
def _cached_definition():
    """:func:`_parsed_definition`, parsed once (read only: the generators here never change the trees)."""
    return _parsed_definition()


def state_only_equations():
    """Names of the intermediates that do not depend on ``V`` (up to ``conductance_S``)."""
    equations, *_ = _cached_definition()
    depends_on_v = {"V"}
    static = []
    for name, tree in equations:
        if expr._read_names(tree) & depends_on_v:
            depends_on_v.add(name)
        else:
            static.append(name)
    if "conductance_S" not in static:
        raise expr.ExpressionError("conductance_S must not depend on V (series resistor solution)")
    return static


def parameter_only_equations():
    """Names of the intermediates that depend on parameters and constants only."""
    equations, *_ = _cached_definition()
    known = set(CONSTANTS) | set(PARAMETER_NAMES)
    out = []
    for name, tree in equations:
        if expr._read_names(tree) <= known:
            known.add(name)
            out.append(name)
    return out


def _needed(assignments, targets):
    """The assignments (in order) that the target expression trees depend on."""
    need = set()
    for tree in targets:
        need |= expr._read_names(tree)
    out = []
    for name, tree in reversed(assignments):
        if name in need:
            out.append((name, tree))
            need |= expr._read_names(tree)
    return out[::-1]


def _solver_functions():
    """Source lines of the solver's fast path: ``solver_prepare``, ``solver_derivatives``, ``solver_outputs``.

    The same equations as ``rhs_series``, pruned to what each function
    returns, every repeated subexpression computed once, and every
    subexpression of parameters only computed once per run in
    ``solver_prepare`` (values bit-identical to ``rhs_series``).
    """
    equations, derivatives, current, _, _ = _cached_definition()
    static = set(state_only_equations())
    param_only = parameter_only_equations()
    ordered = [(name, tree) for name, tree in equations if name in static and name not in param_only]
    ordered.append(("V", expr.parse("V_applied/(1 + conductance_S*R_series)")))
    ordered += [(name, tree) for name, tree in equations if name not in static]
    invariant = set(CONSTANTS) | set(PARAMETER_NAMES) | set(param_only)
    w = expr.NumpyWriter()
    d_names = [f"d_{name}" for name, _ in derivatives]
    d_hoisted, d_lines = w.block(_needed(ordered, [t for _, t in derivatives]) + [
        (f"d_{name}", tree) for name, tree in derivatives], invariant, temp_prefix="_d")
    out_targets = [("current_A", current)] + [(name, expr.parse(name)) for name in OUTPUTS]
    o_hoisted, o_lines = w.block(_needed(ordered, [t for _, t in out_targets]) + [out_targets[0]], invariant,
                                 temp_prefix="_o")
    unpack = [f"    {name} = p[{name!r}]" for name in PARAMETER_NAMES]
    prepared = list(PARAMETER_NAMES) + param_only + [name for name, _ in d_hoisted + o_hoisted]

    def loads(lines):
        used = set()
        for line in lines:
            used.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", line))
        return [f"    {name} = q[{name!r}]" for name in prepared if name in used]

    outs = ", ".join(f"{name!r}: {name}" for name in OUTPUTS)
    return [
        "def solver_prepare(p):",
        '    """Parameters, parameter-only quantities and the invariant terms of the fast path (once per run)."""',
        *unpack,
        *[f"    {name} = {w.write(tree)}" for name, tree in equations if name in param_only],
        *[f"    {name} = {text}" for name, text in d_hoisted + o_hoisted],
        "    return {" + ", ".join(f"{name!r}: {name}" for name in prepared) + "}",
        "",
        "",
        "def solver_derivatives(V_applied, R_series, state, q):",
        '    """State derivatives (tuple) for V_applied [V] through R_series [Ohm]; q from solver_prepare."""',
        f"    {', '.join(STATE_NAMES)}, = state",
        *loads(d_lines),
        *[f"    {line}" for line in d_lines],
        f"    return ({', '.join(d_names)},)",
        "",
        "",
        "def solver_outputs(V_applied, R_series, state, q):",
        '    """Current [A], device voltage [V] and outputs (dict) for V_applied [V] through R_series [Ohm]."""',
        f"    {', '.join(STATE_NAMES)}, = state",
        *loads(o_lines),
        *[f"    {line}" for line in o_lines],
        f"    return current_A, V, {{{outs}}}",
        "",
        "",
    ]


@functools.lru_cache(maxsize=None)
def python_source():
    """numpy source text of the model (functions ``rhs``, ``conductance``, ``initial_state``, ``state_bounds``)."""
    equations, derivatives, current, initial, bounds = _cached_definition()
    w = expr.NumpyWriter()
    static = set(state_only_equations())
    unpack = [f"    {name} = p[{name!r}]" for name in PARAMETER_NAMES]
    consts = [f"{name} = {value!r}" for name, value in CONSTANTS.items()]

    def assign(keep=lambda name: True):
        return [f"    {name} = {w.write(tree)}" for name, tree in equations if keep(name)]

    def derivatives_and_current():
        return [*(f"    d_{name} = {w.write(tree)}" for name, tree in derivatives),
                f"    current_A = {w.write(current)}"]

    lines = [
        '"""Generated from memcompact.model.equations: do not edit by hand."""',
        "import numpy as np",
        "",
        *consts,
        f"STATE_NAMES = {STATE_NAMES!r}",
        f"PARAMETER_NAMES = {PARAMETER_NAMES!r}",
        f"OUTPUT_NAMES = {OUTPUTS!r}",
        "",
        "",
        "def conductance(state, p):",
        '    """Device conductance [S] from the states (tuple in STATE_NAMES order) and parameters."""',
        f"    {', '.join(STATE_NAMES)}, = state",
        *unpack,
        *assign(lambda name: name in static),
        "    return conductance_S",
        "",
        "",
        "def rhs(V, state, p):",
        '    """State derivatives (tuple), current [A] and outputs (dict) at device voltage V [V]."""',
        f"    {', '.join(STATE_NAMES)}, = state",
        *unpack,
        *assign(),
        *derivatives_and_current(),
    ]
    outs = ", ".join(f"{name!r}: {name}" for name in OUTPUTS)
    lines += [
        f"    return ({', '.join('d_' + n for n in STATE_NAMES)},), current_A, {{{outs}}}",
    ]
    # fast path for the solver: parameter-only quantities computed once (prepare),
    # series resistor solved inside (one pass instead of conductance + rhs)
    param_only = parameter_only_equations()
    lines += [
        "",
        "",
        "def prepare(p):",
        '    """Parameters plus the quantities that depend on them only (computed once per run)."""',
        *unpack,
        *assign(lambda name: name in param_only),
        "    q = dict(p)",
        *[f"    q[{name!r}] = {name}" for name in param_only],
        "    return q",
        "",
        "",
        "def rhs_series(V_applied, R_series, state, q):",
        '    """As rhs, for V_applied [V] through R_series [Ohm] and prepared parameters q; also returns V."""',
        f"    {', '.join(STATE_NAMES)}, = state",
        *[f"    {name} = q[{name!r}]" for name in PARAMETER_NAMES + tuple(param_only)],
        *assign(lambda name: name in static and name not in param_only),
        "    V = V_applied/(1 + conductance_S*R_series)",
        *assign(lambda name: name not in static),
        *derivatives_and_current(),
        f"    return ({', '.join('d_' + n for n in STATE_NAMES)},), current_A, V, {{{outs}}}",
        "",
        "",
        *_solver_functions(),
        "def initial_state(p):",
        '    """Initial states (tuple in STATE_NAMES order) for parameters p."""',
        *unpack,
        f"    return ({', '.join(w.write(tree) for _, tree in initial)},)",
        "",
        "",
        "def state_bounds(p):",
        '    """(lower, upper) of each state, tuple in STATE_NAMES order."""',
        *unpack,
        "    return (" + ", ".join(f"({w.write(lo)}, {w.write(hi)})" for _, lo, hi in bounds) + ",)",
        "",
    ]
    return "\n".join(lines)


@functools.lru_cache(maxsize=None)
def compiled():
    """The executed :func:`python_source` as a namespace dict."""
    namespace = {"np": np}
    exec(compile(python_source(), "<memcompact.model generated>", "exec"), namespace)  # noqa: S102
    return namespace


def rhs(voltage_V, state, params):
    """State derivatives, current [A] and outputs at the device voltage.

    Parameters
    ----------
    voltage_V : float or numpy.ndarray
        Voltage across the device, active minus inert electrode [V].
    state : tuple of numpy.ndarray
        States in :data:`STATE_NAMES` order.
    params : dict
        Parameter values (scalars or per-device arrays).

    Returns
    -------
    derivatives : tuple of numpy.ndarray
    current_A : numpy.ndarray
    outputs : dict
    """
    return compiled()["rhs"](voltage_V, state, params)


def prepare(params):
    """Parameters plus their parameter-only intermediates, for :func:`rhs_series`."""
    return compiled()["prepare"](params)


def rhs_series(applied_V, series_resistance_ohm, state, prepared):
    """Derivatives, current [A], device voltage [V] and outputs with a series resistor.

    Parameters
    ----------
    applied_V : numpy.ndarray
        Source voltage [V].
    series_resistance_ohm : numpy.ndarray
        Resistance in series with the device [Ohm].
    state : tuple of numpy.ndarray
        States.
    prepared : dict
        Output of :func:`prepare`.
    """
    return compiled()["rhs_series"](applied_V, series_resistance_ohm, state, prepared)


def solver_prepare(params):
    """Parameters plus every parameter-only term of :func:`solver_derivatives` and :func:`solver_outputs`."""
    return compiled()["solver_prepare"](params)


def solver_derivatives(applied_V, series_resistance_ohm, state, prepared):
    """State derivatives with a series resistor (the solver's fast path, same values as :func:`rhs_series`).

    Parameters
    ----------
    applied_V : numpy.ndarray
        Source voltage [V].
    series_resistance_ohm : numpy.ndarray
        Resistance in series with the device [Ohm].
    state : tuple of numpy.ndarray
        States.
    prepared : dict
        Output of :func:`solver_prepare`.
    """
    return compiled()["solver_derivatives"](applied_V, series_resistance_ohm, state, prepared)


def solver_outputs(applied_V, series_resistance_ohm, state, prepared):
    """Current [A], device voltage [V] and outputs with a series resistor (same values as :func:`rhs_series`).

    Parameters
    ----------
    applied_V : numpy.ndarray
        Source voltage [V].
    series_resistance_ohm : numpy.ndarray
        Resistance in series with the device [Ohm].
    state : tuple of numpy.ndarray
        States.
    prepared : dict
        Output of :func:`solver_prepare`.
    """
    return compiled()["solver_outputs"](applied_V, series_resistance_ohm, state, prepared)


def conductance(state, params):
    """Device conductance [S] from the states."""
    return compiled()["conductance"](state, params)


def initial_state(params):
    """Initial state tuple for the parameters."""
    return compiled()["initial_state"](params)


def state_bounds(params):
    """(lower, upper) of each state."""
    return compiled()["state_bounds"](params)
