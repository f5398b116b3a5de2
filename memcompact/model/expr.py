"""The model's expression language, and its translation to each backend.

The compact model's equations are written once, as expression strings in a
small, smooth subset of Python syntax (:mod:`memcompact.model.equations`).
This module parses them and writes them out for each backend:

- numpy (the Python evaluation and the standalone Python export),
- Verilog-A (``verilog_a/*.va`` through OpenVAF),
- ngspice B-source expressions (the native subcircuit).

Allowed: numbers, names, ``+ - * /``, ``**`` with a numeric exponent, unary
minus, and calls of the primitives in :data:`PRIMITIVES` and the smooth
helpers in :data:`HELPERS`. Helpers are expanded into primitives before
writing, so every backend computes the very same formula. No comparisons and
no branches: the model is smooth by construction.
"""

from __future__ import annotations

import ast
import copy

#: Primitive functions every backend has, with their arity.
PRIMITIVES = {"exp": 1, "log": 1, "sqrt": 1, "tanh": 1, "abs": 1, "min": 2, "max": 2}

#: Largest exponent passed to ``exp`` by :func:`limexp`; above it the
#: exponential continues linearly (C1), as Verilog-A's ``limexp`` does.
LIMEXP_MAX = 50.0

#: Smooth helpers, defined in terms of the primitives (arguments ``a``, ``b``).
HELPERS = {
    # exp(x) for x <= X, exp(X)*(1 + x - X) above: continuous first derivative.
    "limexp": (("a",), f"exp(min(a, {LIMEXP_MAX!r}))*(1 + max(a - {LIMEXP_MAX!r}, 0))"),
    # logistic function 1/(1+exp(-x)): never overflows, and keeps full relative
    # precision in both tails (0.5*(1 + tanh(x/2)) would round its lower tail to
    # multiples of 1e-16, a staircase).
    "sigmoid": (("a",), "exp(min(a, 0))/(1 + exp(-abs(a)))"),
    # log(1 + exp(x)), overflow-free: max(x, 0) + log(1 + exp(-|x|)).
    "softplus": (("a",), "max(a, 0) + log(1 + exp(-abs(a)))"),
    # activation barrier lowered by a driving energy a [eV], never below zero
    # (smoothly, over 25 meV): the rate it gives is at most its prefactor.
    "barrier": (("a",), "0.025*softplus(a/0.025)"),
}


class ExpressionError(ValueError):
    """An equation uses syntax or names outside the model language."""


def parse(text, known_names=None):
    """Parse an expression string and check it is in the model language.

    Parameters
    ----------
    text : str
        The expression.
    known_names : set of str, optional
        Names it may use; others raise :class:`ExpressionError`.

    Returns
    -------
    ast.expr
        The expression tree with helpers expanded into primitives.
    """
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as exc:
        raise ExpressionError(f"cannot parse {text!r}: {exc.msg}") from None
    tree = _expand_helpers(tree)
    _check(tree, text, known_names)
    return tree


def names_used(tree):
    """Return the set of variable names an expression tree reads."""
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)
            and not _is_call_target(tree, node)}


def _is_call_target(tree, name_node):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.func is name_node:
            return True
    return False


def _expand_helpers(tree):
    class Expander(ast.NodeTransformer):
        def visit_Call(self, node):
            self.generic_visit(node)
            if isinstance(node.func, ast.Name) and node.func.id in HELPERS:
                argnames, body = HELPERS[node.func.id]
                if len(node.args) != len(argnames) or node.keywords:
                    raise ExpressionError(f"{node.func.id}() takes {len(argnames)} argument(s)")
                template = _expand_helpers(ast.parse(body, mode="eval").body)
                mapping = dict(zip(argnames, node.args))

                class Sub(ast.NodeTransformer):
                    def visit_Name(self, n):
                        if n.id in mapping:
                            return copy.deepcopy(mapping[n.id])
                        return n

                return Sub().visit(template)
            return node

    return Expander().visit(copy.deepcopy(tree))


def _check(tree, text, known_names):
    for node in ast.walk(tree):
        if isinstance(node, (ast.BinOp, ast.UnaryOp, ast.Name, ast.Load, ast.Call,
                             ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd)):
            pass
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise ExpressionError(f"{text!r}: only numeric constants allowed")
        else:
            raise ExpressionError(f"{text!r}: '{type(node).__name__}' is not allowed in model equations")
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            if not _is_number(node.right):
                raise ExpressionError(f"{text!r}: '**' needs a numeric exponent")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in PRIMITIVES:
                raise ExpressionError(f"{text!r}: unknown function {ast.unparse(node.func)!r}")
            if len(node.args) != PRIMITIVES[node.func.id] or node.keywords:
                raise ExpressionError(f"{text!r}: {node.func.id}() takes {PRIMITIVES[node.func.id]} argument(s)")
    if known_names is not None:
        unknown = names_used(tree) - set(known_names)
        if unknown:
            raise ExpressionError(f"{text!r}: unknown name(s) {sorted(unknown)}")


def _read_names(tree):
    """Names an expression tree reads (as :func:`names_used`, in linear time)."""
    calls = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and id(node) not in calls}


def _is_compound(node):
    """An operation worth naming: not a name, not a (negated) number."""
    return isinstance(node, (ast.BinOp, ast.UnaryOp, ast.Call)) and not _is_number(node)


def _is_number(node):
    if isinstance(node, ast.Constant):
        return True
    return isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant)


_PREC = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2}


class _Writer:
    """Write an expression tree as text; subclasses name the functions."""

    functions = {}

    def write(self, node):
        return self._w(node)

    def _w(self, node):
        if isinstance(node, ast.Constant):
            return self.number(node.value)
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.UnaryOp):
            inner = self._w(node.operand)
            return f"(-{inner})" if isinstance(node.op, ast.USub) else inner
        if isinstance(node, ast.BinOp):
            left, right = self._w(node.left), self._w(node.right)
            if isinstance(node.op, ast.Pow):
                return self.power(left, right)
            op = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}[type(node.op)]
            return f"({left} {op} {right})"
        if isinstance(node, ast.Call):
            args = ", ".join(self._w(a) for a in node.args)
            return f"{self.functions[node.func.id]}({args})"
        raise ExpressionError(f"cannot write {ast.dump(node)}")

    def number(self, value):
        return repr(float(value))

    def name(self, ident):
        return ident

    def power(self, base, exponent):
        return f"pow({base}, {exponent})"


class NumpyWriter(_Writer):
    """numpy source text (``np`` must be numpy in the namespace)."""

    functions = {"exp": "np.exp", "log": "np.log", "sqrt": "np.sqrt", "tanh": "np.tanh",
                 "abs": "np.abs", "min": "np.minimum", "max": "np.maximum"}

    def power(self, base, exponent):
        return f"({base} ** {exponent})"

    def block(self, assignments, invariant=frozenset(), temp_prefix="_c"):
        """Write assignments with each repeated subexpression computed once.

        Every operation is kept as written (same operands, same order), so the
        values are bit-identical to writing each expression in full; only
        repeated work is removed.

        Parameters
        ----------
        assignments : list of (str, ast.expr)
            ``name = expression`` in evaluation order.
        invariant : set of str
            Names that do not change between calls (parameters, constants):
            the largest subexpressions reading only these are moved out, to be
            computed once.
        temp_prefix : str
            Prefix of the temporary names (must not clash with model names).

        Returns
        -------
        hoisted : list of (str, str)
            ``(temporary, text)`` of the moved-out invariant subexpressions,
            in order.
        lines : list of str
            ``name = text`` lines (temporaries included), without indentation.
        """
        counts = {}
        for _, tree in assignments:
            for node in ast.walk(tree):
                if _is_compound(node):
                    key = ast.dump(node)
                    counts[key] = counts.get(key, 0) + 1
        temps, hoisted, lines = {}, [], []
        invariant = frozenset(invariant)

        def new_temp(key, node, is_invariant):
            name = f"{temp_prefix}{len(temps)}"
            temps[key] = name
            (hoisted.append((name, self.write(node))) if is_invariant
             else lines.append(f"{name} = {self.write(node)}"))
            return ast.Name(id=name, ctx=ast.Load())

        def visit(node):
            if not _is_compound(node):
                return node
            key = ast.dump(node)
            if key in temps:
                return ast.Name(id=temps[key], ctx=ast.Load())
            if _read_names(node) <= invariant:
                return new_temp(key, node, True)
            node = copy.copy(node)
            if isinstance(node, ast.BinOp):
                node.left, node.right = visit(node.left), visit(node.right)
            elif isinstance(node, ast.UnaryOp):
                node.operand = visit(node.operand)
            else:
                node.args = [visit(a) for a in node.args]
            return new_temp(key, node, False) if counts[key] > 1 else node

        for name, tree in assignments:
            lines.append(f"{name} = {self.write(visit(tree))}")
        return hoisted, lines


class VerilogAWriter(_Writer):
    """Verilog-A expression text."""

    functions = {"exp": "exp", "log": "ln", "sqrt": "sqrt", "tanh": "tanh",
                 "abs": "abs", "min": "min", "max": "max"}

    def number(self, value):
        return _spice_number(value)


class NgspiceWriter(_Writer):
    """ngspice B-source expression text; names are mapped by ``rename``."""

    functions = {"exp": "exp", "log": "ln", "sqrt": "sqrt", "tanh": "tanh",
                 "abs": "abs", "min": "min", "max": "max"}

    def __init__(self, rename=None):
        self.rename = rename or (lambda ident: ident)

    def number(self, value):
        return _spice_number(value)

    def name(self, ident):
        return self.rename(ident)


def _spice_number(value):
    text = repr(float(value))
    if "e" in text or "." in text:
        return text
    return text + ".0"
