"""The shape of one alerting rule."""

from __future__ import annotations

from typing import Any

__all__ = ["alert"]


def alert(name: str, expr: str, duration: str, severity: str, summary: str, description: str) -> dict[str, Any]:
    return {"alert": name, "expr": expr, "for": duration, "labels": {"severity": severity},
            "annotations": {"summary": summary, "description": description}}
