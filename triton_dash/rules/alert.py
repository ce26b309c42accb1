"""The shape of one alerting rule."""

from __future__ import annotations

from typing import Any

from ..profile import AlertConfig

__all__ = ["alert", "model_words", "where"]


def alert(name: str, expr: str, duration: str, severity: str, summary: str, description: str) -> dict[str, Any]:
    return {"alert": name, "expr": expr, "for": duration, "labels": {"severity": severity},
            "annotations": {"summary": summary, "description": description}}


def where(config: AlertConfig) -> str:
    """``(job X)``, and the cluster where the alerts keep one, for an alert's description."""
    # "with": alerts evaluated in each cluster's own Prometheus do not see the external label in $labels
    cluster = (f"{{{{ with $labels.{config.cluster_label} }}}}, cluster {{{{ . }}}}{{{{ end }}}}"
               if config.cluster_label else "")
    return f"(job {{{{ $labels.job }}}}{cluster})"


def model_words(config: AlertConfig) -> str:
    """How a description names the model version an alert is about."""
    return f"{{{{ $labels.model }}}} version {{{{ $labels.version }}}} {where(config)}"
