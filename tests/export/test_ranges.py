"""Ranges of the native subcircuit's clamps contain every value the model takes (interval arithmetic).

The clamps ``min(max(value, lo), hi)`` on the states and state-only nodes of
the ngspice-native subcircuit must never bind at the solution: for random
parameter sets across their bounds (and the default card) and random states
within the (widened) state ranges, every node intermediate lies within its
computed range.
"""

from __future__ import annotations

import numpy as np
import pytest

from memcompact.model.parameters import draw_params
from memcompact.export.definition import card_values, load_definition
from memcompact.export.ngspice import clamp_bounds, node_intermediates
from memcompact.export.ranges import RangeAnalysis
from memcompact.model import expr, preset_card

N_STATES = 2000


def _evaluate(tree, namespace):
    return eval(expr.NumpyWriter().write(tree), {"np": np}, namespace)  # noqa: S307 - our own trees


def _parameter_sets():
    sets = [card_values(preset_card("ag_sio2")), card_values(preset_card("cu_sio2"))]
    return sets + draw_params(14, seed=3)


@pytest.mark.parametrize("index", range(16))
def test_node_values_lie_within_their_clamp_ranges(index):
    params = _parameter_sets()[index]
    d = load_definition()
    nodes = node_intermediates(d)
    bounds, bound_params = clamp_bounds(d, nodes)
    ns = dict(params)
    ns.update({k: v for k, v in d.constants.items()})
    with np.errstate(over="ignore", under="ignore"):
        for i in d.intermediates:
            if i.static:
                ns[i.name] = _evaluate(i.tree, ns)
        for name, tree in bound_params.items():
            ns[name] = _evaluate(tree, ns)
        rng = np.random.default_rng(index)

        def bound(tree, default):
            return default if tree is None else float(_evaluate(tree, ns))

        for s in d.states:  # states anywhere in their clamp range, including its edges
            lo, hi = bound(bounds[s.name][0], -np.inf), bound(bounds[s.name][1], np.inf)
            assert lo < hi, s.name
            ns[s.name] = np.concatenate([[lo, hi], rng.uniform(lo, hi, N_STATES)])
        checked = 0
        for i in d.intermediates:
            if i.static or i.name not in nodes:
                continue
            value = _evaluate(i.tree, ns)
            lo, hi = bound(bounds[i.name][0], -np.inf), bound(bounds[i.name][1], np.inf)
            slack = 1e-9 * np.maximum(np.abs(value), 1e-300)
            assert np.all(value >= lo - slack), (i.name, float(np.min(value)), lo)
            assert np.all(value <= hi + slack), (i.name, float(np.max(value)), hi)
            ns[i.name] = value
            checked += 1
    assert checked == len(nodes)


def test_every_node_and_state_read_is_clamped_from_below():
    d = load_definition()
    nodes = node_intermediates(d)
    bounds, _ = clamp_bounds(d, nodes)
    assert set(bounds) == nodes | {s.name for s in d.states}
    assert all(lo is not None for lo, _ in bounds.values())


def test_interval_arithmetic_basics():
    import ast

    from memcompact.model.parameters import PARAMETERS

    a = RangeAnalysis(PARAMETERS, {}, {"x": (ast.Constant(-1.0), ast.Constant(2.0))})

    def numbers(tree_text):
        lo, hi = a.interval(expr.parse(tree_text))
        return (None if lo is None else float(eval(ast.unparse(lo), {"exp": np.exp, "min": min, "max": max,
                                                                     "abs": abs, "log": np.log,
                                                                     "tanh": np.tanh})),
                None if hi is None else float(eval(ast.unparse(hi), {"exp": np.exp, "min": min, "max": max,
                                                                      "abs": abs, "log": np.log,
                                                                      "tanh": np.tanh})))
    assert numbers("x*x") == (-2.0, 4.0)  # interval product (not the square's [0, 4]: conservative)
    assert numbers("x**2") == (0.0, None) or numbers("x**2")[0] == 0.0
    assert numbers("3 - x") == (1.0, 4.0)
    assert numbers("exp(x)") == pytest.approx((np.exp(-1.0), np.exp(2.0)))
    assert numbers("sigmoid(x)")[0] > 0 and numbers("sigmoid(x)")[1] <= 1.0 + 1e-12
    assert numbers("softplus(x)")[0] >= 0
    assert numbers("x*V") == (None, None)  # the voltage is unbounded
