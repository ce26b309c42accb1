"""Every target of every built dashboard is valid PromQL that follows the house rules."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import promql_parser as pp
import pytest

from triton_dash.metrics import MetricKind, lookup

from .grafana import expand, load_dashboards, targets, variable_values

DASHBOARDS = load_dashboards()
RATE_FUNCTIONS = {"rate", "increase", "irate"}
MARKER = "999999ms"  # $__rate_interval, recognisable after parsing

CASES = [
    pytest.param(doc, panel, target, id=f"{stem}:{panel['title']}:{target['refId']}")
    for stem, doc in DASHBOARDS.items()
    for panel, target in targets(doc)
]


def _children(node: Any) -> Iterator[Any]:
    if isinstance(node, pp.BinaryExpr):
        yield node.lhs
        yield node.rhs
    elif isinstance(node, pp.AggregateExpr):
        yield node.expr
        if node.param is not None:
            yield node.param
    elif isinstance(node, pp.Call):
        yield from node.args
    elif isinstance(node, (pp.ParenExpr, pp.UnaryExpr, pp.SubqueryExpr)):
        yield node.expr


def selectors(node: Any, inside: str | None = None) -> Iterator[tuple[str, str | None, Any]]:
    """(metric name, enclosing range function or None, the range) for every selector."""
    if isinstance(node, pp.Call) and node.func.name in RATE_FUNCTIONS:
        matrix = node.args[0]
        yield matrix.vector_selector.name, node.func.name, matrix.range
        return
    if isinstance(node, pp.MatrixSelector):
        yield node.vector_selector.name, None, node.range
        return
    if isinstance(node, pp.VectorSelector):
        yield node.name, None, None
        return
    for child in _children(node):
        yield from selectors(child)


def test_dashboards_were_built() -> None:
    assert set(DASHBOARDS) == {"triton-llm", "triton-overview", "triton-slo", "triton-stack"}
    assert len(CASES) > 40


@pytest.mark.parametrize(("doc", "panel", "target"), CASES)
def test_target_parses_and_follows_rules(doc: dict[str, Any], panel: dict[str, Any], target: dict[str, Any]) -> None:
    text = expand(target["expr"], variable_values(doc), rate_interval=MARKER)
    ast = pp.parse(text)  # raises on invalid PromQL
    found = list(selectors(ast))
    assert found, "the query reads no metric"
    for name, function, window in found:
        metric = lookup(name)
        assert metric is not None, f"{name} is not in the metric catalogue"
        if metric.kind is MetricKind.COUNTER:
            assert function == "rate", f"counter {name} outside rate()"
        else:
            assert function is None, f"{function}() of {metric.kind.value} {name}"
        if function == "rate":
            assert window.total_seconds() == 999.999, f"rate of {name} without $__rate_interval"


def test_rule_checker_catches_raw_counters() -> None:
    ast = pp.parse("sum(nv_inference_request_success) / sum(rate(nv_inference_count[5m]))")
    assert list(selectors(ast)) == [("nv_inference_request_success", None, None),
                                    ("nv_inference_count", "rate", pp.parse_duration("5m"))]
