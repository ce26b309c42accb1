"""Panels about the monitoring stack: scrape targets, Prometheus, containers.

These read Prometheus' own ``up`` series, Prometheus' self-metrics and cAdvisor
(the seed docker-compose stack runs one).
"""

from __future__ import annotations

import grafanalib.core as G

from .. import queries as q
from ..selector import DEFAULT_SELECTOR, Grouping, Selector
from .factory import (
    DATASOURCE,
    Color,
    DataSource,
    Unit,
    default_stat,
    default_timeseries,
    legend_for,
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


def targets_up(
    *, selector: Selector = DEFAULT_SELECTOR, datasource: DataSource = DATASOURCE,
    width: int = 4, height: int = 4, title: str | None = None,
) -> G.Stat:
    """Scrape targets whose last scrape succeeded."""
    return default_stat(
        title=title or "Targets up",
        description=("Scrape targets of the selected jobs and instances whose last scrape "
                     "succeeded: sum(up). Unit: targets.\n\nNo data: Prometheus has no such target; "
                     "check its scrape configuration."),
        unit=Unit.SHORT, decimals=0,
        targets=[prometheus_target(q.targets_up(selector), "up")],
        datasource=datasource, width=width, height=height)


def targets_down(
    *, selector: Selector = DEFAULT_SELECTOR, datasource: DataSource = DATASOURCE,
    width: int = 4, height: int = 4, title: str | None = None,
) -> G.Stat:
    """Scrape targets whose last scrape failed: red from one."""
    return default_stat(
        title=title or "Targets down",
        description=("Scrape targets of the selected jobs and instances whose last scrape failed: "
                     "sum(1 - up). Red from 1: a Triton server is down or its metrics port "
                     "unreachable. Unit: targets.\n\nNo data: Prometheus has no such target."),
        unit=Unit.SHORT, decimals=0, thresholds=DOWN_THRESHOLDS,
        targets=[prometheus_target(q.targets_down(selector), "down")],
        datasource=datasource, width=width, height=height)


def targets_up_by_job(
    *, selector: Selector = DEFAULT_SELECTOR, by: Grouping = ("job",),
    datasource: DataSource = DATASOURCE, width: int = 12, height: int = 8, title: str | None = None,
) -> G.TimeSeries:
    """Targets up and configured, per job."""
    legend = legend_for(by)
    return default_timeseries(
        title=title or "Scrape targets up",
        description=("Per scrape job: targets whose last scrape succeeded (sum(up)) against all "
                     "targets Prometheus knows (count(up)). A gap between the lines is a target "
                     "down. Unit: targets.\n\nNo data: the job variable selects no job."),
        unit=Unit.SHORT,
        targets=[prometheus_target(q.targets_up(selector, by), f"{legend} up"),
                 prometheus_target(q.targets_configured(selector, by), f"{legend} configured")],
        datasource=datasource, width=width, height=height)


def scrape_duration(
    *, selector: Selector = DEFAULT_SELECTOR, by: Grouping = ("job",),
    datasource: DataSource = DATASOURCE, width: int = 12, height: int = 8, title: str | None = None,
) -> G.TimeSeries:
    """Slowest scrape per job."""
    return default_timeseries(
        title=title or "Scrape duration",
        description=("How long the slowest target of each job took to scrape "
                     "(max(scrape_duration_seconds)). Near the scrape timeout, samples go missing. "
                     "Unit: seconds.\n\nNo data: the job variable selects no job."),
        unit=Unit.SECONDS,
        targets=[prometheus_target(q.scrape_duration(selector, by), legend_for(by))],
        datasource=datasource, width=width, height=height)


def prometheus_head_series(
    *, selector: Selector = DEFAULT_SELECTOR, datasource: DataSource = DATASOURCE,
    width: int = 12, height: int = 8, title: str | None = None,
) -> G.TimeSeries:
    """Active series in Prometheus."""
    return default_timeseries(
        title=title or "Prometheus active series",
        description=("Series in each Prometheus' in-memory head block "
                     "(prometheus_tsdb_head_series). Each Triton model adds about 20 series per "
                     "server. Unit: series.\n\nNo data: Prometheus does not scrape itself."),
        unit=Unit.SHORT,
        targets=[prometheus_target(q.prometheus_head_series(selector), "{{instance}}")],
        datasource=datasource, width=width, height=height)


def prometheus_ingestion_rate(
    *, selector: Selector = DEFAULT_SELECTOR, datasource: DataSource = DATASOURCE,
    width: int = 12, height: int = 8, title: str | None = None,
) -> G.TimeSeries:
    """Samples Prometheus appends per second."""
    return default_timeseries(
        title=title or "Prometheus samples appended/s",
        description=("Samples appended per second by each Prometheus: "
                     "sum(rate(prometheus_tsdb_head_samples_appended_total)). Unit: samples/s.\n\n"
                     "No data: Prometheus does not scrape itself."),
        unit=Unit.OPS_PER_SECOND,
        targets=[prometheus_target(q.prometheus_ingestion_rate(selector), "{{instance}}")],
        datasource=datasource, width=width, height=height)


def container_cpu(
    *, selector: Selector = DEFAULT_SELECTOR, by: Grouping = ("name",),
    datasource: DataSource = DATASOURCE, width: int = 12, height: int = 8, title: str | None = None,
) -> G.TimeSeries:
    """CPU cores used per container (cAdvisor)."""
    return default_timeseries(
        title=title or "Container CPU",
        description=("CPU cores each container uses, from cAdvisor: "
                     "sum(rate(container_cpu_usage_seconds_total)) by container name. 1 = one full "
                     f"core. Unit: cores.\n\n{_NO_CADVISOR}"),
        unit=Unit.CORES,
        targets=[prometheus_target(q.container_cpu_cores(selector, by), legend_for(by))],
        datasource=datasource, width=width, height=height)


def container_memory(
    *, selector: Selector = DEFAULT_SELECTOR, by: Grouping = ("name",),
    datasource: DataSource = DATASOURCE, width: int = 12, height: int = 8, title: str | None = None,
) -> G.TimeSeries:
    """Memory working set per container (cAdvisor)."""
    return default_timeseries(
        title=title or "Container memory",
        description=("Memory working set of each container, from cAdvisor "
                     "(container_memory_working_set_bytes): what the kernel's OOM killer judges. "
                     f"Unit: bytes.\n\n{_NO_CADVISOR}"),
        unit=Unit.BYTES,
        targets=[prometheus_target(q.container_memory(selector, by), legend_for(by))],
        datasource=datasource, width=width, height=height)
