"""Queries about the monitoring stack itself: scrape health, Prometheus, cAdvisor."""

from __future__ import annotations

from .. import metrics as m
from ..selector import DEFAULT_SELECTOR, Grouping, Selector
from .builders import agg, max_gauge, selected, sum_rate

__all__ = [
    "container_cpu_cores",
    "container_memory",
    "prometheus_head_series",
    "prometheus_ingestion_rate",
    "scrape_duration",
    "targets_configured",
    "targets_down",
    "targets_up",
]



def targets_up(sel: Selector = DEFAULT_SELECTOR, by: Grouping = ()) -> str:
    """Scrape targets whose last scrape succeeded."""
    return agg("sum", selected(m.UP, sel), by)


def targets_down(sel: Selector = DEFAULT_SELECTOR, by: Grouping = ()) -> str:
    """Scrape targets whose last scrape failed."""
    return agg("sum", f"1 - {selected(m.UP, sel)}", by)


def targets_configured(sel: Selector = DEFAULT_SELECTOR, by: Grouping = ()) -> str:
    """Scrape targets Prometheus knows, up or not."""
    return agg("count", selected(m.UP, sel), by)


def scrape_duration(sel: Selector = DEFAULT_SELECTOR, by: Grouping = ("job",)) -> str:
    """Slowest last-scrape duration (s) per group."""
    return max_gauge(m.SCRAPE_DURATION, sel, by)


def prometheus_head_series(sel: Selector = DEFAULT_SELECTOR, by: Grouping = ("instance",)) -> str:
    """Active series in each Prometheus' head block."""
    return max_gauge(m.PROMETHEUS_HEAD_SERIES, sel, by)


def prometheus_ingestion_rate(sel: Selector = DEFAULT_SELECTOR, by: Grouping = ("instance",)) -> str:
    """Samples appended per second by each Prometheus."""
    return sum_rate(m.PROMETHEUS_SAMPLES_APPENDED, sel, by)


def container_cpu_cores(sel: Selector = DEFAULT_SELECTOR, by: Grouping = ("name",)) -> str:
    """CPU cores used per container (cAdvisor), over the rate window."""
    return sum_rate(m.CONTAINER_CPU_USAGE, sel, by, ("name", "!=", ""))


def container_memory(sel: Selector = DEFAULT_SELECTOR, by: Grouping = ("name",)) -> str:
    """Memory working set per container (bytes, cAdvisor)."""
    return agg("sum", selected(m.CONTAINER_MEMORY_WORKING_SET, sel, ("name", "!=", "")), by)
