"""The final pass: turn any grafanalib dashboard into clean, modern Grafana JSON.

grafanalib 0.7.1 writes ``schemaVersion`` 12, legacy and null keys, empty
refIds, no panel ids and no layout. :func:`finalize` fixes all of that in one
place, for the built-in dashboards and for users' own ``*.dashboard.py`` files:

- a stable ``uid`` (given, or the caller's default), ``schemaVersion`` 39;
- rows become ``type: row`` panels followed by their panels (or holding them,
  when collapsed), laid out left to right on the 24-column grid, each panel
  keeping its own width and height;
- panel ids from 1 in layout order, refIds A, B, ... in each panel;
- datasources as ``{"type", "uid"}`` objects on panels and targets;
- null values, grafanalib's legacy keys and ``maxDataPoints: 100`` removed.

    import grafanalib.core as G
    from triton_dash.finalize import finalize
    from triton_dash.panels import queue_time_per_request
    doc = finalize(G.Dashboard(title="Mine", uid="mine", panels=[queue_time_per_request()]))
    doc["panels"][0]["gridPos"]  # {'h': 8, 'w': 8, 'x': 0, 'y': 0}
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Iterator
from typing import Any

import grafanalib.core as G
from grafanalib._gen import DashboardEncoder

__all__ = ["GRID_COLUMNS", "SCHEMA_VERSION", "FinalizeError", "finalize", "valid_uid"]

SCHEMA_VERSION = 39
GRID_COLUMNS = 24
DEFAULT_SIZE = (12, 8)  # width, height of a panel that has no gridPos
ROW_HEIGHT = 1
_UID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")

_DASHBOARD_KEYS = (
    "annotations", "description", "editable", "fiscalYearStartMonth", "graphTooltip", "links",
    "liveNow", "panels", "refresh", "schemaVersion", "tags", "templating", "time", "timepicker",
    "timezone", "title", "uid", "weekStart",
)
_PANEL_DROP = {
    "cacheTimeout", "error", "height", "span", "minSpan", "maxDataPoints", "editable",
    "hideTimeOverride", "alias", "renderer", "isNew",
}
_PANEL_DROP_IF = {"transparent": False, "links": [], "transformations": [], "interval": ""}
_TARGET_KEYS = ("datasource", "expr", "legendFormat", "refId", "instant", "range", "interval", "hide",
                "format", "editorMode")
_VARIABLE_DROP = {"useTags", "tagsQuery", "tagValuesQuery", "tags"}
#: Options Grafana's current panel schemas require and grafanalib leaves out.
_OPTION_DEFAULTS: dict[str, dict[str, Any]] = {
    "timeseries": {"legend": {"showLegend": True}},
    "stat": {"wideLayout": True, "showPercentChange": False, "percentChangeColorMode": "standard"},
    "piechart": {"orientation": "auto", "tooltip": {"sort": "none"},
                 "legend": {"showLegend": True, "calcs": []}},
    "gauge": {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
              "showThresholdLabels": False, "showThresholdMarkers": True},
}


class FinalizeError(ValueError):
    """The dashboard cannot be turned into valid Grafana JSON."""


def valid_uid(uid: str) -> bool:
    """Grafana accepts uids of 1-40 letters, digits, ``-`` and ``_``."""
    return bool(_UID.match(uid))


def _to_dict(obj: Any) -> Any:
    return json.loads(json.dumps(obj, cls=DashboardEncoder))


def _prune(value: Any, *, keep_null: bool = False) -> Any:
    """Drop None values from dicts, recursively; under ``steps`` (thresholds) a null base value stays."""
    if isinstance(value, dict):
        return {key: _prune(item, keep_null=keep_null or key == "steps")
                for key, item in value.items() if item is not None or keep_null}
    if isinstance(value, list):
        return [_prune(item, keep_null=keep_null) for item in value]
    return value


def _ref_ids() -> Iterator[str]:
    letters = string.ascii_uppercase
    yield from letters
    for first in letters:
        for second in letters:
            yield first + second


def _clean_target(target: dict[str, Any], datasource: Any, used: set[str], ids: Iterator[str]) -> dict[str, Any]:
    out = {k: target[k] for k in _TARGET_KEYS if k in target and target[k] is not None}
    if not out.get("refId") or out["refId"] in used:
        out["refId"] = next(r for r in ids if r not in used)
    used.add(out["refId"])
    if "expr" in out:
        out.setdefault("editorMode", "code")
        instant = bool(out.get("instant"))
        out["instant"], out["range"] = instant, not instant
        if out.get("format") == "time_series":
            del out["format"]
    for key, default in (("interval", ""), ("hide", False), ("legendFormat", "")):
        if out.get(key) == default:
            del out[key]
    if datasource is not None:
        out["datasource"] = datasource
    return out


def _setdefaults(target: dict[str, Any], defaults: dict[str, Any]) -> None:
    for key, value in defaults.items():
        if isinstance(value, dict):
            _setdefaults(target.setdefault(key, {}), value)
        else:
            target.setdefault(key, value)


def _clean_panel(panel: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in panel.items()
           if k not in _PANEL_DROP and not (k in _PANEL_DROP_IF and v == _PANEL_DROP_IF[k])}
    if not out.get("repeat"):
        for key in ("repeat", "repeatDirection", "maxPerRow"):
            out.pop(key, None)
    datasource = out.get("datasource")
    if isinstance(datasource, str):
        datasource = {"type": "prometheus", "uid": datasource}
        out["datasource"] = datasource
    used: set[str] = set()
    ids = _ref_ids()
    out["targets"] = [_clean_target(t, datasource, used, ids) for t in out.get("targets", [])]
    if out.get("type") in _OPTION_DEFAULTS:
        if not isinstance(out.get("options"), dict):
            out["options"] = {}
        _setdefaults(out["options"], _OPTION_DEFAULTS[out["type"]])
    defaults = out.get("fieldConfig", {}).get("defaults", {})
    if defaults.get("color") is None:
        defaults.pop("color", None)
    cleaned: dict[str, Any] = _prune(out)
    return cleaned


def _clean_row(row: dict[str, Any], collapsed: bool) -> dict[str, Any]:
    out = {"type": "row", "title": row.get("title", ""), "collapsed": collapsed, "panels": []}
    if row.get("repeat"):
        out["repeat"] = row["repeat"]
    return out


class _Grid:
    """Left-to-right, top-to-bottom packing on Grafana's 24-column grid."""

    def __init__(self) -> None:
        self.x = self.y = self.line_height = 0

    def newline(self) -> None:
        self.y += self.line_height
        self.x = self.line_height = 0

    def place(self, width: int, height: int) -> dict[str, int]:
        width = max(1, min(width, GRID_COLUMNS))
        if self.x + width > GRID_COLUMNS:
            self.newline()
        pos = {"h": height, "w": width, "x": self.x, "y": self.y}
        self.x += width
        self.line_height = max(self.line_height, height)
        return pos

    def row(self) -> dict[str, int]:
        if self.x:
            self.newline()
        pos = {"h": ROW_HEIGHT, "w": GRID_COLUMNS, "x": 0, "y": self.y}
        self.y += ROW_HEIGHT
        return pos


def _size(panel: dict[str, Any]) -> tuple[int, int]:
    grid = panel.get("gridPos") or {}
    return int(grid.get("w") or DEFAULT_SIZE[0]), int(grid.get("h") or DEFAULT_SIZE[1])


def _layout(panels: list[Any]) -> list[dict[str, Any]]:
    grid = _Grid()
    out: list[dict[str, Any]] = []
    next_id = iter(range(1, 100_000))

    def place(raw: dict[str, Any]) -> dict[str, Any]:
        panel = _clean_panel(raw)
        panel["gridPos"] = grid.place(*_size(raw))
        panel["id"] = next(next_id)
        return panel

    for item in panels:
        raw = _to_dict(item)
        if isinstance(item, G.Row):
            raise FinalizeError("legacy grafanalib Row is not supported; use RowPanel")
        if raw.get("type") != "row":
            out.append(place(raw))
            continue
        collapsed = bool(raw.get("collapsed"))
        row = _clean_row(raw, collapsed)
        row["gridPos"] = grid.row()
        row["id"] = next(next_id)
        out.append(row)
        children = [place(child) for child in raw.get("panels") or []]
        if collapsed:
            row["panels"] = children
        else:
            out.extend(children)
        grid.newline()
    return out


def _clean_variable(variable: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in variable.items() if k not in _VARIABLE_DROP and v is not None}
    if out.get("type") != "interval":
        for key in ("auto", "auto_count", "auto_min"):
            out.pop(key, None)
    if out.get("type") == "datasource":
        out.pop("datasource", None)
        out.pop("allValue", None)
        current = out.get("current") or {}
        value = current.get("value") or current.get("text") or "prometheus"
        out["current"] = {"selected": True, "text": current.get("text") or value, "value": value}
        out["options"] = []
        out["refresh"] = 1
    elif out.get("includeAll") and (out.get("current") or {}).get("text") in (None, "All"):
        out["current"] = {"selected": True, "text": ["All"], "value": ["$__all"]}
    if out.get("regex") is None:
        out["regex"] = ""
    if "current" in out:
        out["current"] = _prune(out["current"])
    return out


def finalize(dashboard: G.Dashboard, *, uid: str | None = None) -> dict[str, Any]:
    """Return the dashboard as a clean Grafana JSON document (a dict).

    ``uid`` is used when the dashboard has none. Raises :class:`FinalizeError`
    for a dashboard that Grafana would reject or that cannot be laid out.
    """
    if not isinstance(dashboard, G.Dashboard):
        raise FinalizeError(f"expected a grafanalib Dashboard, got {type(dashboard).__name__}")
    if dashboard.rows:
        raise FinalizeError("legacy grafanalib rows= are not supported; use panels=[RowPanel(...), ...]")
    raw = _to_dict(dashboard)
    final_uid = dashboard.uid or uid
    if not final_uid or not valid_uid(final_uid):
        raise FinalizeError(f"invalid dashboard uid {final_uid!r}: use 1-40 letters, digits, '-' or '_'")
    doc = {k: raw[k] for k in _DASHBOARD_KEYS if k in raw}
    doc.update(uid=final_uid, schemaVersion=SCHEMA_VERSION, panels=_layout(list(dashboard.panels)))
    doc["templating"] = {"list": [_clean_variable(v) for v in raw.get("templating", {}).get("list", [])]}
    timepicker = raw.get("timepicker") or {}
    doc["timepicker"] = {"refresh_intervals": timepicker.get("refresh_intervals", [])}
    doc["fiscalYearStartMonth"] = raw.get("fiscalYearStartMonth", 0)
    doc["liveNow"] = False
    cleaned: dict[str, Any] = _prune(doc)
    return cleaned
