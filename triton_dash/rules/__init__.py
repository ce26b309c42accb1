"""Prometheus recording and alerting rules, from the same query functions as the panels.

    from triton_dash.rules import AlertConfig, rule_groups, rules_yaml
    print(rules_yaml(rule_groups(AlertConfig(queue_time_seconds=0.2))))

Every threshold and ``for:`` duration lives in :class:`AlertConfig`, with the
defaults documented in the README's alert runbook.
"""

from __future__ import annotations

from typing import Any

from ..profile import Profile
from ..profile.alerts import AlertConfig
from .alerts import alert_rules
from .files import check_rule_groups, prometheus_rule, rules_yaml
from .recording import recording_rules
from .slo import slo_rule_groups

__all__ = [
    "AlertConfig", "alert_rules", "check_rule_groups", "prometheus_rule", "recording_rules", "rule_groups",
    "rules_yaml", "slo_rule_groups",
]


def rule_groups(config: AlertConfig | None = None, *, profile: Profile | None = None) -> list[dict[str, Any]]:
    """The recording group and the alert group, from the profile (its alert thresholds, job, cluster label,
    response cache) or from ``config`` alone."""
    if config is None:
        config = (profile or Profile()).alert_config()
    profile = (profile or Profile()).with_(cluster_label=config.cluster_label)
    return [recording_rules(profile=profile), alert_rules(config)]
