"""Readiness from a blackbox exporter probing Triton's health endpoints.

Triton exposes no readiness metric; ``/v2/health/live``, ``/v2/health/ready`` and
``/v2/models/<name>/ready`` answer 200 or not. A blackbox exporter probes them and
Prometheus keeps ``probe_success`` (1 or 0) per endpoint (its ``instance`` label
is the probed URL).
"""

from __future__ import annotations

from .. import metrics as m
from ..selector import DEFAULT_SELECTOR, Grouping, Selector
from .builders import agg, max_gauge, selected

__all__ = ["MODEL_READY_PATH", "SERVER_READY_PATH", "endpoints_not_ready", "probe_duration", "probe_success"]

SERVER_READY_PATH = ".*/v2/health/ready"
MODEL_READY_PATH = ".*/v2/models/[^/]+(/versions/[^/]+)?/ready"


def probe_success(sel: Selector = DEFAULT_SELECTOR, by: Grouping = ("instance",)) -> str:
    """1 while an endpoint answers 200, 0 while it does not (worst of the probes per endpoint)."""
    return agg("min", selected(m.PROBE_SUCCESS, sel), by)


def endpoints_not_ready(sel: Selector = DEFAULT_SELECTOR) -> str:
    """How many probed endpoints fail now (0 when all answer)."""
    return agg("sum", f"1 - {selected(m.PROBE_SUCCESS, sel)}", ())


def probe_duration(sel: Selector = DEFAULT_SELECTOR, by: Grouping = ("instance",)) -> str:
    """Seconds the probe of each endpoint took."""
    return max_gauge(m.PROBE_DURATION, sel, by)
