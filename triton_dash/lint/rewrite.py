"""Mechanical repairs of an expression as written, for targets whose meaning is kept as it is.

When the fixer cannot (or need not) rewrite a target from its meaning, it
still repairs what does not depend on meaning:

- a fixed or too-short window becomes ``[$__rate_interval]``, ``irate`` becomes ``rate``;
- counters read directly in a ratio are rated (a ratio of lifetime totals becomes the ratio now);
- a denominator that can be 0 is guarded with ``> 0`` (no NaN while a model is idle).

    >>> windows("sum(rate(nv_inference_count[30s]))", {"rate-interval"})
    'sum(rate(nv_inference_count[$__rate_interval]))'
    >>> guard_denominators("sum(rate(nv_inference_count[5m])) / sum(rate(nv_inference_exec_count[5m]))")
    'sum(rate(nv_inference_count[5m])) / (sum(rate(nv_inference_exec_count[5m])) > 0)'
"""

from __future__ import annotations

import re
from collections.abc import Set

import promql_parser as pp

from ..analysis.promql import RANGE_FUNCTIONS, Node, binary_op, function_name, parse, selectors
from ..analysis.variables import UnexpandedVariable
from ..metrics import identify
from .intent import restore_placeholders, with_placeholders

__all__ = ["guard_denominators", "rate_raw_counters", "windows"]

_WINDOW = re.compile(
    r"\b(?P<fn>irate|rate|increase)(?P<open>\s*\()(?P<sel>[^()\[\]]*)"
    r"\[\s*(?P<win>(?:\d+(?:ms|[smhdwy]))+|\$\{?\w+\}?)\s*\]")
_KEEP_WINDOWS = {"$__rate_interval", "${__rate_interval}", "$__range", "${__range}"}
_COUNTER_SELECTOR = re.compile(r'(?<![\w:"$])(?P<name>[a-zA-Z_:][\w:]*)(?P<labels>\{[^{}]*\})?(?!\s*[\[\w(:"])')
_KEYWORDS = frozenset({"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset"})
#: How the parser prints the placeholder durations of :func:`with_placeholders`, and the macro each stands for.
_PRINTED_MACROS = {"11d13h46m39s": "$__rate_interval", "10d6h54m48s": "$__interval", "9d2m57s": "$__range"}


def windows(expr: str, rules: Set[str]) -> str:
    """Fixed windows to ``$__rate_interval`` (rate-interval, rate-interval-too-short), irate to rate."""
    def replace(match: re.Match[str]) -> str:
        fn = "rate" if match["fn"] == "irate" and "irate-in-panel" in rules else match["fn"]
        window = match["win"]
        if window not in _KEEP_WINDOWS and rules & {"rate-interval", "rate-interval-too-short"}:
            window = "$__rate_interval"
        return f"{fn}{match['open']}{match['sel']}[{window}]"

    return _WINDOW.sub(replace, expr)


def rate_raw_counters(expr: str) -> str:
    """Each counter read directly (not under rate/increase) becomes ``rate(counter[$__rate_interval])``."""
    def replace(match: re.Match[str]) -> str:
        metric = identify(match["name"])
        if metric is None or not metric.is_counter or match["name"] in _KEYWORDS:
            return match[0]
        return f"rate({match[0]}[$__rate_interval])"

    return _COUNTER_SELECTOR.sub(replace, expr)


def _strip(node: Node) -> Node:
    while isinstance(node, pp.ParenExpr):
        node = node.expr
    return node


def _needs_guard(node: Node) -> bool:
    inner = _strip(node)
    if isinstance(inner, pp.NumberLiteral) or binary_op(inner) in ("<", "<=", ">", ">=", "==", "!="):
        return False
    if function_name(inner) == "clamp_min":
        return True
    return any(use.function in RANGE_FUNCTIONS or ((metric := identify(use.name)) is not None and metric.is_counter)
               for use in selectors(inner))


def _render(node: Node, guarded: list[Node]) -> str:
    """``node`` printed back as PromQL, each division by a counter's rate guarded (and listed in ``guarded``)."""
    if isinstance(node, pp.ParenExpr):
        return f"({_render(node.expr, guarded)})"
    if isinstance(node, pp.AggregateExpr):
        modifier = f" {node.modifier} " if node.modifier is not None else ""
        param = f"{_render(node.param, guarded)}, " if node.param is not None else ""
        return f"{node.op}{modifier}({param}{_render(node.expr, guarded)})"
    if isinstance(node, pp.Call):
        return f"{node.func.name}({', '.join(_render(arg, guarded) for arg in node.args)})"
    if isinstance(node, pp.BinaryExpr):
        op = str(node.op)
        modifier = str(node.modifier) if node.modifier is not None else ""
        rhs = _render(node.rhs, guarded)
        if op == "/" and _needs_guard(node.rhs):
            guarded.append(node)
            inner = _strip(node.rhs)
            rhs = f"({_render(inner.args[0], guarded)} > 0)" if function_name(inner) == "clamp_min" else f"({rhs} > 0)"
        return " ".join(part for part in (_render(node.lhs, guarded), op, modifier, rhs) if part)
    return str(node)


def guard_denominators(expr: str) -> str | None:
    """Every division by a counter's rate guarded with ``> 0``; None when there is none to guard, or the
    expression cannot be reprinted."""
    try:
        ast = parse(with_placeholders(expr, rate_interval="999999s"))
    except (UnexpandedVariable, ValueError):
        return None
    guarded: list[Node] = []
    text = _render(ast, guarded)
    if not guarded:
        return None
    text = re.sub(r"(?<=[\w:])\{\}", "", text)  # the printer's layout, as people write it
    for printed, macro in _PRINTED_MACROS.items():
        text = text.replace(f"[{printed}]", f"[{macro}]")
    text = restore_placeholders(text)
    parse(with_placeholders(text))  # what is written must parse
    return text
