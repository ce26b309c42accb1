"""Panels about the monitoring stack: scrape targets, Prometheus, containers.

These read Prometheus' own ``up`` series, Prometheus' self-metrics and cAdvisor
(the seed docker-compose stack runs one).
"""

from __future__ import annotations

import grafanalib.core as G

from .. import queries as q
from .factory import (
    Color,
    GroupedPanelOptions,
    PanelOptions,
    Unit,
    Unpack,
    default_stat,
    default_timeseries,
    legend_for,
    panel_options,
    prometheus_target,
)

__all__ = [
    "container_cpu",
    "container_memory",
    "prometheus_head_series",
    "prometheus_ingestion_rate",
    "scrape_duration",
    "targets_down",
    "targets_up",
    "targets_up_by_job",
]

_NO_CADVISOR = "No data: Prometheus does not scrape cAdvisor (the seed stack's compose file runs it as 'cadvisor')."
DOWN_THRESHOLDS = ((None, Color.OK), (1, Color.BAD))


def targets_up(**options: Unpack[PanelOptions]) -> G.Stat:
    """Scrape targets whose last scrape succeeded."""
    o = panel_options(options, width=4, height=4)
    return default_stat(
        title=o.title or "Targets up",
        description=("Scrape targets of the selected jobs and instances whose last scrape "
                     "succeeded: sum(up). Unit: targets.\n\nNo data: Prometheus has no such target; "
                     "check its scrape configuration."),
        unit=Unit.SHORT, decimals=0,
        targets=[prometheus_target(q.targets_up(o.selector), "up")],
        **o.layout)


def targets_down(**options: Unpack[PanelOptions]) -> G.Stat:
    """Scrape targets whose last scrape failed: red from one."""
    o = panel_options(options, width=4, height=4)
    return default_stat(
        title=o.title or "Targets down",
        description=("Scrape targets of the selected jobs and instances whose last scrape failed: "
                     "sum(1 - up). Red from 1: a Triton server is down or its metrics port "
                     "unreachable. Unit: targets.\n\nNo data: Prometheus has no such target."),
        unit=Unit.SHORT, decimals=0, thresholds=DOWN_THRESHOLDS,
        targets=[prometheus_target(q.targets_down(o.selector), "down")],
        **o.layout)


def targets_up_by_job(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """Targets up and configured, per job."""
    o = panel_options(options, width=12, by=("job",))
    legend = legend_for(o.by)
    return default_timeseries(
        title=o.title or "Scrape targets up",
        description=("Per scrape job: targets whose last scrape succeeded (sum(up)) against all "
                     "targets Prometheus knows (count(up)). A gap between the lines is a target "
                     "down. Unit: targets.\n\nNo data: the job variable selects no job."),
        unit=Unit.SHORT,
        targets=[prometheus_target(q.targets_up(o.selector, o.by), f"{legend} up"),
                 prometheus_target(q.targets_configured(o.selector, o.by), f"{legend} configured")],
        **o.layout)


def scrape_duration(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """Slowest scrape per job."""
    o = panel_options(options, width=12, by=("job",))
    return default_timeseries(
        title=o.title or "Scrape duration",
        description=("How long the slowest target of each job took to scrape "
                     "(max(scrape_duration_seconds)). Near the scrape timeout, samples go missing. "
                     "Unit: seconds.\n\nNo data: the job variable selects no job."),
        unit=Unit.SECONDS,
        targets=[prometheus_target(q.scrape_duration(o.selector, o.by), legend_for(o.by))],
        **o.layout)


def prometheus_head_series(**options: Unpack[PanelOptions]) -> G.TimeSeries:
    """Active series in Prometheus."""
    o = panel_options(options, width=12)
    return default_timeseries(
        title=o.title or "Prometheus active series",
        description=("Series in each Prometheus' in-memory head block "
                     "(prometheus_tsdb_head_series). Each Triton model adds about 20 series per "
                     "server. Unit: series.\n\nNo data: Prometheus does not scrape itself."),
        unit=Unit.SHORT,
        targets=[prometheus_target(q.prometheus_head_series(o.selector), "{{instance}}")],
        **o.layout)


def prometheus_ingestion_rate(**options: Unpack[PanelOptions]) -> G.TimeSeries:
    """Samples Prometheus appends per second."""
    o = panel_options(options, width=12)
    return default_timeseries(
        title=o.title or "Prometheus samples appended/s",
        description=("Samples appended per second by each Prometheus: "
                     "sum(rate(prometheus_tsdb_head_samples_appended_total)). Unit: samples/s.\n\n"
                     "No data: Prometheus does not scrape itself."),
        unit=Unit.OPS_PER_SECOND,
        targets=[prometheus_target(q.prometheus_ingestion_rate(o.selector), "{{instance}}")],
        **o.layout)


def container_cpu(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """CPU cores used per container (cAdvisor)."""
    o = panel_options(options, width=12, by=("name",))
    return default_timeseries(
        title=o.title or "Container CPU",
        description=("CPU cores each container uses, from cAdvisor: "
                     "sum(rate(container_cpu_usage_seconds_total)) by container name. 1 = one full "
                     f"core. Unit: cores.\n\n{_NO_CADVISOR}"),
        unit=Unit.CORES,
        targets=[prometheus_target(q.container_cpu_cores(o.selector, o.by), legend_for(o.by))],
        **o.layout)


def container_memory(**options: Unpack[GroupedPanelOptions]) -> G.TimeSeries:
    """Memory working set per container (cAdvisor)."""
    o = panel_options(options, width=12, by=("name",))
    return default_timeseries(
        title=o.title or "Container memory",
        description=("Memory working set of each container, from cAdvisor "
                     "(container_memory_working_set_bytes): what the kernel's OOM killer judges. "
                     f"Unit: bytes.\n\n{_NO_CADVISOR}"),
        unit=Unit.BYTES,
        targets=[prometheus_target(q.container_memory(o.selector, o.by), legend_for(o.by))],
        **o.layout)
