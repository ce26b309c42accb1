"""Small PromQL building blocks shared by the query modules."""

from __future__ import annotations

from collections.abc import Sequence

from ..metrics import Metric
from ..metrics.recorded import recorded_series
from ..selector import Selector, render_selector

__all__ = ["agg", "by_clause", "guarded_ratio", "max_gauge", "rate", "selected", "sum_rate"]

#: Microseconds per second: Triton's duration counters are in µs, panels show seconds.
US_PER_S = "1e6"


def selected(metric: Metric, selector: Selector, *extra: tuple[str, str, str]) -> str:
    return render_selector(metric, selector, *extra)


def rate(metric: Metric, selector: Selector, *extra: tuple[str, str, str]) -> str:
    """``rate(metric{...}[window])``; refuses anything but a counter.

    With ``selector.recording_rules``, a counter that has a recording rule is read from
    its recorded per-(job, model, version) rate instead (no instance matcher:
    the recording sums instances away).
    """
    if not metric.is_counter:
        raise ValueError(f"rate() of {metric.name}, which is a {metric.kind.value}, not a counter")
    recorded = recorded_series(metric.name, selector.cluster_label) if selector.reads_recordings else None
    if recorded is not None:
        return selected(recorded, selector, *extra)
    offset = f" offset {selector.offset}" if selector.offset else ""
    return f"rate({selected(metric, selector, *extra)}[{selector.rate_interval}]{offset})"


def by_clause(by: Sequence[str]) -> str:
    return f" by ({', '.join(by)})" if by else ""


def agg(op: str, expr: str, by: Sequence[str]) -> str:
    """``op by (labels) (expr)``; with no labels, aggregate everything."""
    return f"{op}{by_clause(by)} ({expr})" if by else f"{op}({expr})"


def sum_rate(metric: Metric, selector: Selector, by: Sequence[str], *extra: tuple[str, str, str]) -> str:
    """``sum by (by) (rate(metric[window]))``: per-second rate, splits summed away."""
    return agg("sum", rate(metric, selector, *extra), by)


def max_gauge(metric: Metric, selector: Selector, by: Sequence[str]) -> str:
    """``max by (by) (gauge{...})``: a gauge that several series report for one thing (a GPU every Triton
    process on the host reports, a host every server on it reports) counted once."""
    if metric.is_counter:
        raise ValueError(f"max_gauge() of {metric.name}, which is a counter; rate it first")
    return agg("max", selected(metric, selector), by)


def guarded_ratio(numerator: str, denominator: str) -> str:
    """``numerator / (denominator > 0)``: no NaN or Inf when the denominator is 0.

    Where the denominator is zero (an idle model) the series is dropped, so
    Grafana shows no value rather than NaN.
    """
    return f"{numerator} / ({denominator} > 0)"
