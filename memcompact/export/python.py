"""Write the compact model as one standalone Python module (needs numpy only).

The module is assembled from the package's own source, so it computes what
the package computes:

* the model functions ``rhs``, ``conductance``, ``initial_state``,
  ``state_bounds``: the very text of
  :func:`memcompact.model.compiled.python_source` that the package executes;
* the integrator ``integrate`` and ``Solution``: the source of
  :mod:`memcompact.model.solver`, its package imports replaced by small
  stand-ins (``compiled`` -> the functions above, ``STATES`` -> the states'
  absolute tolerances, ``Progress`` -> a silent no-op);
* the stimuli ``Stimulus``, ``constant``, ``triangle``, ``pulse_train``,
  ``pulse_centers``: the source of :mod:`memcompact.model.stimulus`
  (``InputError`` -> ``ValueError``);
* the card's parameters baked in as ``PARAMS``, with ``PARAMETER_BOUNDS``,
  ``check_params`` and a one-call ``simulate``.
"""

from __future__ import annotations

import ast
import inspect
import pprint
import re

from memcompact.export.definition import DEVICE_NAME, TERMINALS, card_label, card_values
from memcompact.model import compiled, solver, stimulus
from memcompact.model.equations import STATES
from memcompact.model.parameters import PARAMETERS

#: Stand-ins for the package names that the copied modules import.
_SHIMS = {
    "compiled": None,  # written from the model functions below
    "STATES": None,  # written from the state table below
    "Progress": '''class Progress:  # stands in for memcompact.progress.Progress: silent
    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, *args, **kwargs):
        pass
''',
    "InputError": '''class InputError(ValueError):  # stands in for memcompact.errors.InputError
    """Bad stimulus arguments."""
''',
}


def _body_without_imports(module):
    """Source of ``module`` without its docstring and imports; and the package names it imported."""
    text = inspect.getsource(module)
    tree = ast.parse(text)
    lines = text.splitlines()
    drop = set()
    imported = []
    for node in tree.body:
        first, last = node.lineno, node.end_lineno
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and node is tree.body[0]:
            drop.update(range(first, last + 1))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            drop.update(range(first, last + 1))
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("memcompact"):
                imported += [alias.asname or alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module not in ("__future__", "dataclasses"):
                raise ValueError(f"standalone export: unexpected import from {node.module} in {module.__name__}")
            elif isinstance(node, ast.Import) and any(a.name != "numpy" for a in node.names):
                raise ValueError(f"standalone export: unexpected import in {module.__name__}")
    body = [line for k, line in enumerate(lines, start=1) if k not in drop]
    return "\n".join(body).strip("\n") + "\n", imported


def _top_level_names(text):
    names = set()
    for node in ast.parse(text).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def python_module_source(card):
    """Text of the standalone module for a card.

    Parameters
    ----------
    card : dict
        A model card.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        The package's solver or stimulus module imports something the
        standalone module has no stand-in for (the exporter needs updating).
    """
    values = card_values(card)
    model_text = compiled.python_source()
    solver_text, solver_needs = _body_without_imports(solver)
    stimulus_text, stimulus_needs = _body_without_imports(stimulus)
    for name in solver_needs + stimulus_needs:
        if name not in _SHIMS:
            raise ValueError(f"standalone export: no stand-in for {name!r} imported by the solver/stimulus")
    shims = []
    for name in dict.fromkeys(solver_needs + stimulus_needs):
        if name == "compiled":
            functions = [n.name for n in ast.parse(model_text).body if isinstance(n, ast.FunctionDef)]
            used = set(re.findall(r"\bcompiled\.(\w+)", solver_text + stimulus_text))
            missing = used - set(functions) - {"STATE_NAMES", "PARAMETER_NAMES", "OUTPUT_NAMES"}
            if missing:
                raise ValueError(f"standalone export: the solver uses compiled.{sorted(missing)[0]}, "
                                 "which the generated model source does not define")
            body = ["class compiled:  # stands in for memcompact.model.compiled",
                    "    STATE_NAMES = STATE_NAMES", "    PARAMETER_NAMES = PARAMETER_NAMES",
                    "    OUTPUT_NAMES = OUTPUT_NAMES"]
            body += [f"    {f} = staticmethod({f})" for f in functions]
            shims.append("\n".join(body) + "\n")
        elif name == "STATES":
            rows = ", ".join(f"_State({s.name!r}, {s.atol!r}, {s.lower!r}, {s.upper!r})" for s in STATES)
            shims.append("class _State:  # the state table's name, absolute tolerance and bounds\n"
                         "    def __init__(self, name, atol, lower, upper):\n"
                         "        self.name, self.atol, self.lower, self.upper = name, atol, lower, upper\n\n\n"
                         f"STATES = ({rows},)\n")
        else:
            shims.append(_SHIMS[name])
    model_body = "\n".join(line for line in model_text.splitlines()
                           if line.strip() not in ("import numpy as np",)
                           and not line.startswith('"""Generated from'))
    pieces = [model_body, *shims, solver_text, stimulus_text]
    seen = {}
    for k, piece in enumerate(pieces):
        for name in _top_level_names(piece):
            if name in seen and seen[name] != k:
                raise ValueError(f"standalone export: name {name!r} defined twice")
            seen[name] = k
    params_text = pprint.pformat(values, sort_dicts=False, width=100)
    bounds_text = pprint.pformat({p.name: (p.lower, p.upper) for p in PARAMETERS}, sort_dicts=False, width=100)
    units_text = pprint.pformat({p.name: p.unit for p in PARAMETERS}, sort_dicts=False, width=100)
    head = f'''"""{DEVICE_NAME}: ECM memristor compact model (memcompact), standalone Python module.

Generated by `memcompact export python` from memcompact/model/ (parameters,
equations, solver, stimulus): do not edit by hand; regenerate instead.
Card: {card_label(card)}

Needs only numpy. Copy this file into any project::

    import {DEVICE_NAME}_model as m
    sol = m.simulate(m.constant(3.0, 300.0), series_resistance_ohm=1e3)
    sol.time_s, sol.current_A[0]          # [s], [A]

Device voltage V [V]: active electrode ({TERMINALS[0]}, anode under positive bias) minus
inert electrode ({TERMINALS[1]}); current [A] flows from the active to the inert electrode.
States (STATE_NAMES): {", ".join(f"{s.name} [{s.unit}]" for s in STATES)}.
Functions: rhs(V, state, p) -> (derivatives, current_A, outputs); conductance(state, p) [S];
initial_state(p); integrate(p, stimulus, ...) -> Solution (stiff ROS2 solver, many devices
at once with per-device parameter arrays); simulate(stimulus, ...) with PARAMS.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: Parameters of the card [SI units, see PARAMETER_UNITS].
PARAMS = {params_text}

#: Inclusive bounds of every parameter.
PARAMETER_BOUNDS = {bounds_text}

#: Unit of every parameter.
PARAMETER_UNITS = {units_text}
'''
    tail = '''

def check_params(params):
    """Raise ValueError naming the first parameter that is unknown, missing or out of bounds."""
    for name, value in params.items():
        if name not in PARAMETER_BOUNDS:
            raise ValueError(f"parameter {name!r}: unknown; allowed: {', '.join(PARAMETER_BOUNDS)}")
        lo, hi = PARAMETER_BOUNDS[name]
        arr = np.asarray(value, dtype=float)
        if not np.all(np.isfinite(arr)) or np.any(arr < lo) or np.any(arr > hi):
            raise ValueError(f"parameter {name!r}: {value!r} outside [{lo:g}, {hi:g}] {PARAMETER_UNITS[name]}")
    missing = [name for name in PARAMETER_BOUNDS if name not in params]
    if missing:
        raise ValueError(f"parameter {missing[0]!r}: missing")


def simulate(stimulus, series_resistance_ohm=0.0, t_eval=None, params=None, **kwargs):
    """Integrate the card's device (PARAMS updated with ``params``) under ``stimulus``.

    Parameters
    ----------
    stimulus : Stimulus
        Applied voltage (``constant``, ``triangle``, ``pulse_train`` or ``Stimulus(times, volts)``).
    series_resistance_ohm : float
        Resistance in series with the device [Ohm].
    t_eval : array_like, optional
        Output times [s].
    params : dict, optional
        Parameter values replacing the card's (scalars or per-device arrays).
    **kwargs
        Passed to ``integrate`` (``rtol``, ``y0``, ``n_devices`` ...).

    Returns
    -------
    Solution
    """
    p = dict(PARAMS)
    p.update(params or {})
    check_params(p)
    return integrate(p, stimulus, t_eval=t_eval, series_resistance_ohm=series_resistance_ohm, **kwargs)
'''
    sep = "\n\n# " + "-" * 94 + "\n# {}\n\n"
    return (head + sep.format("model functions (memcompact.model.compiled.python_source)") + model_body.strip("\n")
            + "\n" + sep.format("stand-ins for package imports") + "\n\n".join(s.rstrip("\n") + "\n" for s in shims)
            + sep.format("integrator (memcompact.model.solver)") + solver_text
            + sep.format("stimuli (memcompact.model.stimulus)") + stimulus_text + tail)
