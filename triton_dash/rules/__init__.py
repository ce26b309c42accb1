"""Prometheus recording and alerting rules, from the same query functions as the panels.

    from triton_dash.rules import AlertConfig, rule_groups, rules_yaml
    print(rules_yaml(rule_groups(AlertConfig(queue_time_seconds=0.2))))

Every threshold and ``for:`` duration lives in :class:`AlertConfig`, with the
defaults documented in the README's alert runbook.
"""

from __future__ import annotations

from typing import Any

from .alerts import alert_rules
from .config import AlertConfig
from .files import check_rule_groups, prometheus_rule, rules_yaml
from .recording import recording_rules

__all__ = [
    "AlertConfig", "alert_rules", "check_rule_groups", "prometheus_rule", "recording_rules", "rule_groups",
    "rules_yaml",
]


def rule_groups(config: AlertConfig | None = None) -> list[dict[str, Any]]:
    config = config or AlertConfig()
    return [recording_rules(config.cluster_label or None), alert_rules(config)]
