"""Ranges of the model's intermediates, as expressions of the parameters (interval arithmetic).

The ngspice-native subcircuit holds the state-only intermediates on internal
nodes. During Newton iterations ngspice sees their *linearised* values, which
can leave the physical range (a negative conductance, hence a negative
temperature and an overflowing Arrhenius factor). The subcircuit therefore
reads every such node, and every state, through ``min(max(value, lo), hi)``
with the bounds computed here. The bounds are conservative (interval
arithmetic over the state bounds), so at the solution no clamp is active and
the model computed is the model defined; only Newton's excursions are cut.

Bounds are expression trees (:mod:`ast`) of parameters and parameter-only
intermediates, or ``None`` where no finite bound is known (anything built on
the device voltage).
"""

from __future__ import annotations

import ast
import math

#: A (lower, upper) pair of bound trees; either may be None (unbounded).
UNBOUNDED = (None, None)

#: States are read through clamps at their bounds widened by this share of their range on each
#: side (both exported models): a fresh device sits on its bounds, where a clamp's kink would
#: stall Newton, and at the solution the states stay within their bounds, so no clamp is active.
STATE_MARGIN = 0.1


def _const(value):
    return ast.Constant(float(value))


def _value(tree):
    """The number a tree stands for, or None."""
    if isinstance(tree, ast.Constant):
        return float(tree.value)
    if isinstance(tree, ast.UnaryOp) and isinstance(tree.op, ast.USub) and isinstance(tree.operand, ast.Constant):
        return -float(tree.operand.value)
    return None


def _binop(left, op, right):
    a, b = _value(left), _value(right)
    if a is not None and b is not None:
        try:
            return _const({ast.Add: a + b, ast.Sub: a - b, ast.Mult: a * b}[type(op)]
                          if not isinstance(op, ast.Div) else a / b)
        except ZeroDivisionError:
            pass
    if isinstance(op, ast.Add) and a == 0.0:
        return right
    if isinstance(op, (ast.Add, ast.Sub)) and b == 0.0:
        return left
    if isinstance(op, ast.Mult) and (a == 0.0 or b == 0.0):
        return _const(0.0)
    if isinstance(op, ast.Div) and a == 0.0:
        return _const(0.0)
    if isinstance(op, ast.Mult) and a == 1.0:
        return right
    if isinstance(op, (ast.Mult, ast.Div)) and b == 1.0:
        return left
    return ast.BinOp(left, op, right)


def _call(name, *args):
    values = [_value(a) for a in args]
    if all(v is not None for v in values):
        try:
            fn = {"exp": math.exp, "log": math.log, "sqrt": math.sqrt, "tanh": math.tanh, "abs": abs,
                  "min": min, "max": max}[name]
            return _const(fn(*values))
        except (ValueError, OverflowError):
            pass
    return ast.Call(ast.Name(name, ast.Load()), list(args), [])


def _exact(lo, hi):
    """True when an interval is a single value (the same tree on both sides)."""
    return lo is not None and hi is not None and (lo is hi or ast.dump(lo) == ast.dump(hi))


class RangeAnalysis:
    """Interval arithmetic on expression trees with symbolic bounds.

    Parameters
    ----------
    constants : dict, optional
        {name: value} of named constants.
    parameters : sequence of memcompact.model.parameters.Parameter
        Names read as themselves; their table bounds give their sign.
    static : dict
        Parameter-only intermediates {name: tree}: read as themselves, their
        sign from their trees.
    named_ranges : dict
        {name: (lo, hi)} of the names read through a clamp (states, node
        intermediates); any other name (the voltage) is unbounded.
    """

    def __init__(self, parameters, static, named_ranges, constants=None):
        self._param_lower = {p.name: p.lower for p in parameters}
        self._constants = {k: _const(v) for k, v in (constants or {}).items()}
        self._static = dict(static)
        self.named = dict(named_ranges)

    # ---- sign of a bound tree (parameters and static intermediates only)
    def nonnegative(self, tree):
        """True when the tree is provably >= 0 for every parameter set within bounds."""
        return self._sign(tree) >= 0

    def positive(self, tree):
        """True when the tree is provably > 0 for every parameter set within bounds."""
        return self._sign(tree) > 0

    def _sign(self, tree):
        """1: > 0, 0: >= 0, -1: unknown."""
        value = _value(tree)
        if value is not None:
            return 1 if value > 0 else (0 if value == 0 else -1)
        if isinstance(tree, ast.Name):
            if tree.id in self._param_lower:
                low = self._param_lower[tree.id]
                return 1 if low > 0 else (0 if low == 0 else -1)
            if tree.id in self._static:
                return self._sign(self._static[tree.id])
            return -1
        if isinstance(tree, ast.BinOp) and isinstance(tree.op, ast.Sub) and _value(tree.right) is not None \
                and _value(tree.right) <= 1.0 and isinstance(tree.left, ast.Call) and tree.left.func.id == "exp":
            s = self._sign(tree.left.args[0])  # exp(x) - c, c <= 1: >= 0 for x >= 0, > 0 for x > 0 or c < 1
            return -1 if s < 0 else (1 if _value(tree.right) < 1.0 else s)
        if isinstance(tree, ast.BinOp):
            a, b = self._sign(tree.left), self._sign(tree.right)
            if isinstance(tree.op, ast.Add):
                return max(a, b) if min(a, b) >= 0 else -1
            if isinstance(tree.op, ast.Mult):
                return min(a, b)
            if isinstance(tree.op, ast.Div):
                return a if b > 0 else -1
            if isinstance(tree.op, ast.Pow):
                exponent = _value(tree.right)
                if exponent is not None and exponent == int(exponent) and int(exponent) % 2 == 0:
                    return 1 if a > 0 else 0
                return a
            return -1
        if isinstance(tree, ast.Call):
            name = tree.func.id
            signs = [self._sign(arg) for arg in tree.args]
            if name == "exp":
                return 1
            if name in ("sqrt", "tanh"):
                return signs[0]
            if name == "abs":
                return max(signs[0], 0)
            if name == "log":  # log(c + x), c >= 1, x >= 0
                arg = tree.args[0]
                if isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Add):
                    for c, x in ((arg.left, arg.right), (arg.right, arg.left)):
                        if _value(c) is not None and _value(c) >= 1.0 and self._sign(x) >= 0:
                            return 1 if self._sign(x) > 0 or _value(c) > 1.0 else 0
                return -1
            if name == "max":
                return max(signs)
            if name == "min":
                return min(signs)
            return -1
        return -1

    # ---- interval of an expression
    def interval(self, tree):
        """(lo, hi) bound trees of an expression (None: unbounded)."""
        value = _value(tree)
        if value is not None:
            return tree, tree
        if isinstance(tree, ast.Name):
            if tree.id in self._constants:
                return self._constants[tree.id], self._constants[tree.id]
            if tree.id in self.named:
                return self.named[tree.id]
            if tree.id in self._param_lower or tree.id in self._static:
                return tree, tree
            return UNBOUNDED
        if isinstance(tree, ast.UnaryOp):
            lo, hi = self.interval(tree.operand)
            if isinstance(tree.op, ast.UAdd):
                return lo, hi
            neg = lambda t: None if t is None else _binop(_const(0.0), ast.Sub(), t)  # noqa: E731
            return neg(hi), neg(lo)
        if isinstance(tree, ast.BinOp):
            return self._binop_interval(tree)
        if isinstance(tree, ast.Call):
            return self._call_interval(tree.func.id, [self.interval(a) for a in tree.args])
        return UNBOUNDED

    def _both(self, a, b, op):
        return None if a is None or b is None else _binop(a, op, b)

    def _binop_interval(self, tree):
        (alo, ahi), (blo, bhi) = self.interval(tree.left), self.interval(tree.right)
        op = tree.op
        if isinstance(op, ast.Add):
            return self._both(alo, blo, ast.Add()), self._both(ahi, bhi, ast.Add())
        if isinstance(op, ast.Sub):
            return self._both(alo, bhi, ast.Sub()), self._both(ahi, blo, ast.Sub())
        a_nonneg = alo is not None and self.nonnegative(alo)
        b_nonneg = blo is not None and self.nonnegative(blo)
        if isinstance(op, (ast.Mult, ast.Div)) and _exact(blo, bhi) and self.nonnegative(blo) and \
                (isinstance(op, ast.Mult) or self.positive(blo)):  # scaling by a fixed non-negative value
            scale = lambda t: None if t is None else _binop(t, op, blo)  # noqa: E731
            return scale(alo), scale(ahi)
        if isinstance(op, ast.Mult) and _exact(alo, ahi) and self.nonnegative(alo):
            scale = lambda t: None if t is None else _binop(alo, op, t)  # noqa: E731
            return scale(blo), scale(bhi)
        if isinstance(op, ast.Mult):
            if a_nonneg and b_nonneg:
                return _binop(alo, ast.Mult(), blo), self._both(ahi, bhi, ast.Mult())
            if None not in (alo, ahi, blo, bhi):  # general: extremes of the four corner products
                corners = [_binop(x, ast.Mult(), y) for x in (alo, ahi) for y in (blo, bhi)]
                return (_call("min", _call("min", corners[0], corners[1]), _call("min", corners[2], corners[3])),
                        _call("max", _call("max", corners[0], corners[1]), _call("max", corners[2], corners[3])))
            return UNBOUNDED
        if isinstance(op, ast.Div):
            if a_nonneg and blo is not None and self.positive(blo):
                lo = _binop(alo, ast.Div(), bhi) if bhi is not None else _const(0.0)
                return lo, self._both(ahi, blo, ast.Div())
            return UNBOUNDED
        if isinstance(op, ast.Pow):
            exponent = _value(tree.right)
            if a_nonneg and exponent is not None and exponent > 0:
                return (ast.BinOp(alo, ast.Pow(), tree.right),
                        None if ahi is None else ast.BinOp(ahi, ast.Pow(), tree.right))
            if exponent is not None and exponent == int(exponent) and int(exponent) % 2 == 0:
                return _const(0.0), None
        return UNBOUNDED

    def _call_interval(self, name, args):
        (alo, ahi) = args[0]
        if name in ("exp", "sqrt", "tanh", "log"):  # monotone increasing
            if name in ("sqrt", "log") and not (alo is not None and self.nonnegative(alo)):
                return UNBOUNDED
            if name == "log" and not self.positive(alo):
                return UNBOUNDED
            lo = None if alo is None else _call(name, alo)
            hi = None if ahi is None else _call(name, ahi)
            if name == "exp" and lo is None:
                lo = _const(0.0)
            if name == "tanh":
                lo = lo if lo is not None else _const(-1.0)
                hi = hi if hi is not None else _const(1.0)
            return lo, hi
        if name == "abs":
            if alo is not None and self.nonnegative(alo):
                return alo, ahi
            hi = None
            if alo is not None and ahi is not None:
                hi = _call("max", _call("abs", alo), _call("abs", ahi))
            return _const(0.0), hi
        (blo, bhi) = args[1]
        if name == "min":
            lo = self._both_call("min", alo, blo)
            hi = ahi if bhi is None else (bhi if ahi is None else _call("min", ahi, bhi))
            return lo, hi
        if name == "max":
            lo = alo if blo is None else (blo if alo is None else _call("max", alo, blo))
            return lo, self._both_call("max", ahi, bhi)
        return UNBOUNDED

    @staticmethod
    def _both_call(name, a, b):
        return None if a is None or b is None else _call(name, a, b)


def widened_state_bounds(states, margin=STATE_MARGIN):
    """{state: (lower, upper)} trees: each state's bounds widened by ``margin`` of its range per side.

    Parameters
    ----------
    states : sequence of memcompact.export.definition.StateDef
    margin : float
    """
    out = {}
    for s in states:
        spread = _binop(_const(margin), ast.Mult(), _binop(s.upper, ast.Sub(), s.lower))
        out[s.name] = (_binop(s.lower, ast.Sub(), spread), _binop(s.upper, ast.Add(), spread))
    return out
