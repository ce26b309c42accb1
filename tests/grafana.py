"""Test helpers: the built dashboards, and the package's own Grafana expansion and panel walking."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from triton_dash.analysis.variables import all_panels, expand, query_panels, targets
from triton_dash.analysis.variables import offline_values as variable_values

__all__ = ["DASHBOARD_DIR", "REPO", "all_panels", "expand", "load_dashboards", "query_panels", "targets",
           "variable_values"]

REPO = Path(__file__).resolve().parent.parent
DASHBOARD_DIR = REPO / "dashboards"


def load_dashboards(folder: Path = DASHBOARD_DIR) -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))}
