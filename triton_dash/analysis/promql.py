"""Walking PromQL: which metrics an expression reads, under which functions and aggregations.

Built on ``promql_parser`` (the Rust parser); every node is visited with the
chain of its ancestors, so a rule can ask "is this selector under ``rate()``?"
or "does this ``histogram_quantile`` aggregate by ``le``?".

    >>> uses = list(selectors(parse('sum by (model) (rate(nv_inference_count{job="t"}[5m]))')))
    >>> uses[0].name, uses[0].function, uses[0].window
    ('nv_inference_count', 'rate', 300.0)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import promql_parser as pp

__all__ = ["RANGE_FUNCTIONS", "Node", "SelectorUse", "aggregation_labels", "binary_op", "children", "function_name",
           "matcher_ops", "parse", "selectors", "walk"]

#: Functions that turn a counter's range into a rate or increase.
RANGE_FUNCTIONS = frozenset({"rate", "irate", "increase"})
_MATCH_OPS = {"Equal": "=", "NotEqual": "!=", "Re": "=~", "NotRe": "!~"}
Node = Any


def parse(expr: str) -> Node:
    """Parse PromQL; raises ``ValueError`` with the parser's message."""
    return pp.parse(expr)


def children(node: Node) -> Iterator[Node]:
    if isinstance(node, pp.BinaryExpr):
        yield node.lhs
        yield node.rhs
    elif isinstance(node, pp.AggregateExpr):
        if node.param is not None:
            yield node.param
        yield node.expr
    elif isinstance(node, pp.Call):
        yield from node.args
    elif isinstance(node, (pp.ParenExpr, pp.UnaryExpr, pp.SubqueryExpr)):
        yield node.expr
    elif isinstance(node, pp.MatrixSelector):
        yield node.vector_selector


def walk(node: Node, parents: tuple[Node, ...] = ()) -> Iterator[tuple[Node, tuple[Node, ...]]]:
    """Every node with its ancestors (outermost first)."""
    yield node, parents
    for child in children(node):
        yield from walk(child, (*parents, node))


def function_name(node: Node) -> str | None:
    return str(node.func.name) if isinstance(node, pp.Call) else None


def binary_op(node: Node) -> str | None:
    return str(node.op).split()[0] if isinstance(node, pp.BinaryExpr) else None


def aggregation_labels(node: Node) -> tuple[str, tuple[str, ...]] | None:
    """For an aggregation, ("by" | "without", labels); ("without", ()) when it has no clause."""
    if not isinstance(node, pp.AggregateExpr):
        return None
    modifier = node.modifier
    if modifier is None:
        return "without", ()
    kind = "without" if "Without" in str(modifier.type) else "by"
    return kind, tuple(modifier.labels)


def matcher_ops(selector: Node) -> dict[str, tuple[str, str]]:
    """label -> (operator, value) of a vector selector."""
    out = {}
    for matcher in selector.matchers.matchers:
        out[str(matcher.name)] = (_MATCH_OPS.get(str(matcher.op).split(".")[-1], "="), str(matcher.value))
    return out


@dataclass(frozen=True)
class SelectorUse:
    """One vector selector in an expression and where it sits."""

    name: str
    matchers: dict[str, tuple[str, str]]
    function: str | None  # the function directly applied to its range (rate, increase ...), if any
    window: float | None  # the range in seconds, if it is a range selector
    parents: tuple[Node, ...]
    node: Node


def selectors(root: Node) -> Iterator[SelectorUse]:
    """Every vector selector (range or instant) in ``root``."""
    for node, parents in walk(root):
        if not isinstance(node, pp.VectorSelector):
            continue
        window, function = None, None
        if parents and isinstance(parents[-1], pp.MatrixSelector):
            window = parents[-1].range.total_seconds()
            if len(parents) > 1:
                function = function_name(parents[-2])
        elif parents and isinstance(parents[-1], pp.SubqueryExpr) and parents[-1].range is not None:
            window = parents[-1].range.total_seconds()
        name = node.name or matcher_ops(node).get("__name__", ("=", ""))[1]
        yield SelectorUse(str(name), matcher_ops(node), function, window, parents, node)
