"""Readiness panels: Triton's health endpoints as a blackbox exporter sees them.

    from triton_dash.panels import endpoints_not_ready, probe_success_by_endpoint
"""

from __future__ import annotations

import grafanalib.core as G

from .. import metrics as m
from .. import queries as q
from ..selector import Selector, Var
from .factory import (
    Color,
    PanelOptions,
    Unit,
    Unpack,
    default_stat,
    default_timeseries,
    panel_options,
    prometheus_target,
)

__all__ = ["endpoints_not_ready", "probe_duration", "probe_success_by_endpoint"]

_NO_DATA = f"No data: {m.PROBE_SUCCESS.no_data_hint()}"


def _probe(selector: Selector) -> Selector:
    """Probe series carry the probe job and the probed URL as instance, not Triton's labels."""
    return selector.with_(job=Var.PROBE_JOB.ref, instance=None, model=None, version=None, gpu=None)


def endpoints_not_ready(**options: Unpack[PanelOptions]) -> G.Stat:
    """How many probed health endpoints fail now: red from one."""
    o = panel_options(options, width=4, height=4)
    return default_stat(
        title=o.title or "Endpoints not ready",
        description=("Probed Triton health endpoints (server live and ready, each model's ready) whose last probe "
                     "failed: sum(1 - probe_success). Red from 1: a server is not ready, or a model is not "
                     "loaded. Unit: endpoints.\n\n" + _NO_DATA),
        unit=Unit.SHORT, decimals=0, thresholds=((None, Color.OK), (1, Color.BAD)),
        targets=[prometheus_target(q.endpoints_not_ready(_probe(o.selector)), "not ready")],
        **o.layout)


def probe_success_by_endpoint(**options: Unpack[PanelOptions]) -> G.TimeSeries:
    """1 while each health endpoint answers 200, 0 while it does not."""
    o = panel_options(options, width=10)
    return default_timeseries(
        title=o.title or "Probe success by endpoint",
        description=("Each probed endpoint: 1 while it answers 200, 0 while it does not (min over probes). "
                     "/v2/health/ready is 0 while the server starts, and, with Triton's default "
                     "--strict-readiness=true, while any model is not ready; "
                     "/v2/models/<name>/ready is 0 while that model is unloaded. Unit: 0/1.\n\n" + _NO_DATA),
        unit=Unit.NONE, min_value=0, max_value=1,
        targets=[prometheus_target(q.probe_success(_probe(o.selector)), "{{instance}}")],
        **o.layout)


def probe_duration(**options: Unpack[PanelOptions]) -> G.TimeSeries:
    """Seconds each health probe took."""
    o = panel_options(options, width=10)
    return default_timeseries(
        title=o.title or "Probe duration",
        description=("How long the blackbox exporter's probe of each health endpoint took "
                     "(probe_duration_seconds). A slow health endpoint is a server under strain. "
                     "Unit: seconds.\n\n" + _NO_DATA),
        unit=Unit.SECONDS,
        targets=[prometheus_target(q.probe_duration(_probe(o.selector)), "{{instance}}")],
        **o.layout)
