"""The final pass: turn any grafanalib dashboard into clean, modern Grafana JSON.

grafanalib 0.7.1 writes ``schemaVersion`` 12, legacy and null keys, empty
refIds, no panel ids and no layout. :func:`finalize` fixes all of that in one
place, for the built-in dashboards and for users' own ``*.dashboard.py`` files:

- a stable ``uid`` (given, or the caller's default), ``schemaVersion`` 42, the
  version current Grafana (12.2 to 13.x) writes and the last one of the classic
  (v1) dashboard model, so Grafana runs no v1 migration on load (the output
  already has what migrations 40-42 would enforce: ``refresh`` a string, no
  ``timepicker.time_options``, ``hideFrom.viz`` with ``hideFrom.tooltip``);
- rows become ``type: row`` panels followed by their panels (or holding them,
  when collapsed), laid out left to right on the 24-column grid, each panel
  keeping its own width and height; a panel given a ``GridPos`` with x and y
  keeps that place (two such panels that overlap are an error) and the others
  flow around it;
- panel ids from 1 in layout order, refIds A, B, ... in each panel;
- datasources as ``{"type", "uid"}`` objects on panels and targets;
- null values, grafanalib's legacy keys and its default ``maxDataPoints: 100``
  removed (any other ``maxDataPoints`` is kept);
- the ``triton-dash`` tag, which ``push --prune`` uses to tell our dashboards apart.

    import grafanalib.core as G
    from triton_dash.grafana.finalize import finalize
    from triton_dash.panels import queue_time_per_request
    doc = finalize(G.Dashboard(title="Mine", uid="mine", panels=[queue_time_per_request()]))
    doc["panels"][0]["gridPos"]  # {'h': 8, 'w': 8, 'x': 0, 'y': 0}
"""

from __future__ import annotations

import json
import string
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import grafanalib.core as G

from ..panels import FlowPos
from ..validate import valid_uid

__all__ = ["GRID_COLUMNS", "MANAGED_TAG", "SCHEMA_VERSION", "FinalizeError", "finalize", "valid_uid"]

#: Grafana's frontend: "Schema version 42 is the FINAL version for the v1 dashboard API" (v43+ are
#: backend-only panel migrations); grafana-foundation-sdk writes 42 too. Grafana 11 (39-41) reads it as is.
SCHEMA_VERSION = 42
#: Every dashboard the final pass produces carries this tag; ``push --prune`` deletes only such dashboards.
MANAGED_TAG = "triton-dash"
GRID_COLUMNS = 24
DEFAULT_SIZE = (12, 8)  # width, height of a panel that has no gridPos
ROW_HEIGHT = 1

_DASHBOARD_KEYS = (
    "annotations", "description", "editable", "fiscalYearStartMonth", "graphTooltip", "links",
    "liveNow", "panels", "refresh", "schemaVersion", "tags", "templating", "time", "timepicker",
    "timezone", "title", "uid", "weekStart",
)
#: grafanalib gives every panel ``maxDataPoints=100``; a value equal to it is taken as that default and
#: dropped (Grafana then uses the panel's width). The one ambiguous case: a user who sets exactly 100.
GRAFANALIB_MAX_DATA_POINTS = 100
_PANEL_DROP = {
    "cacheTimeout", "error", "height", "span", "minSpan", "editable",
    "hideTimeOverride", "alias", "renderer", "isNew",
}
_PANEL_DROP_IF = {"transparent": False, "links": [], "transformations": [], "interval": "",
                  "maxDataPoints": GRAFANALIB_MAX_DATA_POINTS}
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



def _to_json_data(obj: Any) -> Any:
    """grafanalib objects serialise through their ``to_json_data()`` (the library's public protocol)."""
    to_json_data = getattr(obj, "to_json_data", None)
    if to_json_data is None:
        raise TypeError(f"{type(obj).__name__} is not JSON serialisable")
    return to_json_data()

def _to_dict(obj: Any) -> Any:
    return json.loads(json.dumps(obj, default=_to_json_data))


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


@dataclass(frozen=True)
class _Box:
    x: int
    y: int
    w: int
    h: int
    title: str

    def overlaps(self, other: _Box) -> bool:
        return (self.x < other.x + other.w and other.x < self.x + self.w
                and self.y < other.y + other.h and other.y < self.y + self.h)

    def grid_pos(self) -> dict[str, int]:
        return {"h": self.h, "w": self.w, "x": self.x, "y": self.y}


class _Grid:
    """Reading-order packing on Grafana's 24-column grid around panels pinned by the user.

    A flowing panel goes right of the previous one, wrapping to a new line, and
    skips every cell a pinned panel (or an earlier one) already holds. After a
    pinned panel the flow continues right of it.
    """

    def __init__(self, pinned: list[_Box]) -> None:
        self.x = self.y = self.line_height = 0
        self.taken: list[_Box] = list(pinned)

    def newline(self, min_step: int = 0) -> None:
        self.y += max(self.line_height, min_step)
        self.x = self.line_height = 0

    def _blocker(self, box: _Box) -> _Box | None:
        return next((other for other in self.taken if box.overlaps(other)), None)

    def place(self, width: int, height: int, title: str) -> dict[str, int]:
        width = max(1, min(width, GRID_COLUMNS))
        while True:
            if self.x + width > GRID_COLUMNS:
                self.newline(min_step=1)  # a line blocked by pinned panels still moves on
            box = _Box(self.x, self.y, width, height, title)
            blocker = self._blocker(box)
            if blocker is None:
                break
            self.x = blocker.x + blocker.w
        self.taken.append(box)
        self.x += width
        self.line_height = max(self.line_height, height)
        return box.grid_pos()

    def follow(self, box: _Box) -> dict[str, int]:
        """A pinned panel keeps its place; the flow continues right of it."""
        same_line = box.y == self.y
        self.x, self.y = box.x + box.w, box.y
        self.line_height = max(self.line_height, box.h) if same_line else box.h
        return box.grid_pos()

    def row(self, title: str) -> dict[str, int]:
        if self.x:
            self.newline()
        while (blocker := self._blocker(_Box(0, self.y, GRID_COLUMNS, ROW_HEIGHT, title))) is not None:
            self.y = blocker.y + blocker.h
        box = _Box(0, self.y, GRID_COLUMNS, ROW_HEIGHT, title)
        self.taken.append(box)
        self.y += ROW_HEIGHT
        self.line_height = 0
        return box.grid_pos()


def _pinned(item: Any) -> _Box | None:
    """The user's own position: a ``gridPos`` with x and y, unless it is a house :class:`FlowPos` size."""
    grid = item.get("gridPos") if isinstance(item, dict) else getattr(item, "gridPos", None)
    if grid is None or isinstance(grid, FlowPos):
        return None
    if isinstance(grid, G.GridPos):
        values = {"x": grid.x, "y": grid.y, "w": grid.w, "h": grid.h}
    elif isinstance(grid, dict) and grid.get("x") is not None and grid.get("y") is not None:
        values = {key: grid.get(key) for key in ("x", "y", "w", "h")}
    else:
        return None
    title = _title(item)
    try:
        x, y = int(values["x"]), int(values["y"])
        w = int(values["w"] or DEFAULT_SIZE[0])
        h = int(values["h"] or DEFAULT_SIZE[1])
    except (TypeError, ValueError):
        raise FinalizeError(f"panel {title!r} has a gridPos that is not whole numbers: {values}") from None
    if x < 0 or y < 0 or w < 1 or h < 1 or x + w > GRID_COLUMNS:
        raise FinalizeError(f"panel {title!r} has gridPos x={x} y={y} w={w} h={h}, outside the "
                            f"{GRID_COLUMNS}-column grid (x >= 0, y >= 0, x + w <= {GRID_COLUMNS})")
    return _Box(x, y, w, h, title)


def _title(item: Any) -> str:
    return str((item.get("title") if isinstance(item, dict) else getattr(item, "title", None)) or "(untitled)")


def _children(item: Any) -> list[Any]:
    return list((item.get("panels") if isinstance(item, dict) else getattr(item, "panels", None)) or [])


def _is_row(item: Any) -> bool:
    return isinstance(item, G.RowPanel) or (isinstance(item, dict) and item.get("type") == "row")


def _all_pinned(panels: list[Any]) -> list[_Box]:
    """Every pinned panel (rows' children too); two that overlap are an error naming both."""
    boxes = [box for item in panels for child in ([item, *_children(item)] if _is_row(item) else [item])
             if not _is_row(child) and (box := _pinned(child)) is not None]
    for index, box in enumerate(boxes):
        for other in boxes[index + 1:]:
            if box.overlaps(other):
                raise FinalizeError(f"panels {box.title!r} and {other.title!r} overlap: gridPos "
                                    f"{box.grid_pos()} and {other.grid_pos()}; move one of them")
    return boxes


def _size(panel: dict[str, Any]) -> tuple[int, int]:
    grid = panel.get("gridPos") or {}
    return int(grid.get("w") or DEFAULT_SIZE[0]), int(grid.get("h") or DEFAULT_SIZE[1])


def _layout(panels: list[Any]) -> list[dict[str, Any]]:
    grid = _Grid(_all_pinned(panels))
    out: list[dict[str, Any]] = []
    next_id = iter(range(1, 100_000))

    def place(item: Any) -> dict[str, Any]:
        raw = _to_dict(item)
        panel = _clean_panel(raw)
        box = _pinned(item)
        panel["gridPos"] = grid.follow(box) if box else grid.place(*_size(raw), _title(item))
        panel["id"] = next(next_id)
        return panel

    for item in panels:
        if isinstance(item, G.Row):
            raise FinalizeError("legacy grafanalib Row is not supported; use RowPanel")
        if not _is_row(item):
            out.append(place(item))
            continue
        raw = _to_dict(item)
        collapsed = bool(raw.get("collapsed"))
        row = _clean_row(raw, collapsed)
        row["gridPos"] = grid.row(_title(item))
        row["id"] = next(next_id)
        out.append(row)
        children = [place(child) for child in _children(item)]
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
    doc["tags"] = [*(tag for tag in doc.get("tags", []) if tag != MANAGED_TAG), MANAGED_TAG]
    cleaned: dict[str, Any] = _prune(doc)
    return cleaned
