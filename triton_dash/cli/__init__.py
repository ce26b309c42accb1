"""``python -m triton_dash`` / ``triton-dash``: the command line.

    triton-dash build                      # built-in dashboards -> dashboards/*.json
    triton-dash build my.dashboard.py -o out/
    triton-dash build --check              # exit 1 if dashboards/ differs from the code
    triton-dash push --dry-run             # what would change in the Grafana at $GRAFANA_URL
    triton-dash provision                  # Grafana/Prometheus/compose files -> provisioning/
    triton-dash rules --format prometheusrule -o triton-rules.yaml
    triton-dash slo --availability 99.9 --latency first-response:500ms:99
"""

from __future__ import annotations

from . import capacity, config, inspect, outputs, push, slo  # noqa: F401  (each module registers its commands)
from ._group import main

__all__ = ["main"]
