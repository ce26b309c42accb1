"""The built dashboards carry Grafana's current schemaVersion and avoid what its v1 -> v2 conversion loses.

Grafana 13 converts every classic (v1) dashboard to schema v2 the first time it is
opened (dynamic dashboards on by default). The settings below are the ones the
reference lists as lost or changed on the way, each with its source; every built-in
dashboard (``dashboards.BUILTIN``, whatever it holds when the tests run), in every
variant, must avoid all of them. Each check is also shown to catch a dashboard
that has the problem, so none of them passes vacuously.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from triton_dash.build import compile_builtin
from triton_dash.dashboards import BUILTIN
from triton_dash.grafana.finalize import SCHEMA_VERSION

Doc = dict[str, Any]

#: The classic schemaVersion current Grafana writes: "Schema version 42 is the final version for the v1
#: dashboard API" (reference grafana-12-13.md §2.1; grafana/skills #98: DASHBOARD_SCHEMA_VERSION = 42 at v13.2.1).
CURRENT_SCHEMA_VERSION = 42

#: Panel types Grafana 12 no longer has (Angular, removed): auto-migrated on every load, with fidelity gaps,
#: and carried through v2 only as ``__angularMigration`` (reference §2.3 and §6 item 1).
ANGULAR_PANEL_TYPES = frozenset({
    "graph", "singlestat", "table-old", "grafana-singlestat-panel", "grafana-piechart-panel",
    "grafana-worldmap-panel", "flant-statusmap-panel", "natel-discrete-panel", "grafana-polystat-panel",
})

#: Panel properties the typed v2 panel (``Panel.spec`` + ``vizConfig`` + ``QueryGroup``) has a place for.
#: Anything else at a panel's top level is dropped by the conversion: "Because v2 is typed, we're losing
#: data if we don't store it somewhere ... extra properties at the panel level" (grafana/grafana PR #115496,
#: the text-panel fix the reference cites in §2.2). Rows keep ``collapsed``/``panels``/``repeat``.
V2_PANEL_KEYS = frozenset({
    "id", "type", "title", "description", "gridPos", "datasource", "targets", "transformations", "options",
    "fieldConfig", "links", "repeat", "repeatDirection", "maxPerRow", "interval", "maxDataPoints", "timeFrom",
    "timeShift", "hideTimeOverride", "cacheTimeout", "queryCachingTTL", "pluginVersion", "transparent",
    "libraryPanel", "collapsed", "panels",
})


def panels(doc: Doc) -> Iterator[Doc]:
    for panel in doc.get("panels") or []:
        yield panel
        yield from panel.get("panels") or []


def walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, f"{path}/{index}")


def _where(panel: Doc) -> str:
    return f"panel {panel.get('id')} {panel.get('title')!r}"


def _time_compare(doc: Doc) -> list[str]:
    return [_where(p) for p in panels(doc) if "timeCompare" in p or "timeCompare" in (p.get("options") or {})]


def _text_content_outside_options(doc: Doc) -> list[str]:
    return [_where(p) for p in panels(doc) if p.get("type") == "text" and ({"content", "mode"} & p.keys())]


def _bom(doc: Doc) -> list[str]:
    return [path for path, value in walk(doc) if isinstance(value, str) and "\ufeff" in value]


def _angular(doc: Doc) -> list[str]:
    found = [_where(p) for p in panels(doc) if p.get("type") in ANGULAR_PANEL_TYPES]
    return found + [path for path, value in walk(doc) if path.endswith(("/autoMigrateFrom", "/__angularMigration"))]


def _legacy_rows(doc: Doc) -> list[str]:
    return ["rows"] if "rows" in doc else []


def _string_datasource(doc: Doc) -> list[str]:
    bad = []
    for panel in panels(doc):
        refs = [panel.get("datasource"), *(t.get("datasource") for t in panel.get("targets") or [])]
        bad += [_where(panel) for ref in refs if ref is not None and not (isinstance(ref, dict) and "uid" in ref)]
    return bad


def _refresh_not_string(doc: Doc) -> list[str]:
    return [] if isinstance(doc.get("refresh", ""), str) else [f"refresh {doc['refresh']!r}"]


def _time_options(doc: Doc) -> list[str]:
    return ["timepicker/time_options"] if "time_options" in (doc.get("timepicker") or {}) else []


def _hidden_viz_shown_in_tooltip(doc: Doc) -> list[str]:
    return [path for path, value in walk(doc) if path.endswith("/hideFrom") and isinstance(value, dict)
            and value.get("viz") is True and value.get("tooltip") is not True]


def _looks_like_v2(doc: Doc) -> list[str]:
    return sorted({"elements", "layout"} & doc.keys())


def _panel_ids(doc: Doc) -> list[str]:
    ids = [p.get("id") for p in panels(doc)]
    missing = [_where(p) for p in panels(doc) if not isinstance(p.get("id"), int)]
    return missing + [f"id {i} twice" for i in sorted({i for i in ids if ids.count(i) > 1}, key=str)]


def _ref_ids(doc: Doc) -> list[str]:
    bad = []
    for panel in panels(doc):
        refs = [t.get("refId") for t in panel.get("targets") or []]
        if not all(refs) or len(set(refs)) != len(refs):
            bad.append(f"{_where(panel)} refIds {refs}")
    return bad


def _untyped_panel_keys(doc: Doc) -> list[str]:
    return [f"{_where(p)} {sorted(p.keys() - V2_PANEL_KEYS)}" for p in panels(doc) if p.keys() - V2_PANEL_KEYS]


@dataclass(frozen=True)
class Loss:
    name: str
    what: str
    source: str
    find: Callable[[Doc], list[str]]
    example: Callable[[Doc], None]  # makes a good dashboard show the problem


def _first(doc: Doc, kind: str = "timeseries") -> Doc:
    return next(p for p in panels(doc) if p.get("type") == kind)


# What Grafana 13's v1 -> v2 conversion loses or changes. Sources: ../shared/reference/grafana-12-13.md
# §2.2 "Is classic (v1) JSON still accepted and migrated?" ("Known v1→v2 losses fixed during 2026" and the
# conversion_data_loss_error panel/query/variable count check), §2.3 "Three JSON models" ("Fields whose
# meaning/shape changed"), §2.1 (the migrations a schemaVersion of 42 tells Grafana are already done),
# §1.2 (v2-looking bodies rejected) and §6 (grafanalib on 11-13: Angular panels, rows, string datasources).
V2_CONVERSION_LOSSES: tuple[Loss, ...] = (
    Loss("time-compare", "panel time-comparison settings (timeCompare) dropped", "§2.2; grafana#121958, #126175",
         _time_compare, lambda d: _first(d).update(timeCompare="1d")),
    Loss("text-content", "text panel content/mode outside options left empty", "§2.2; grafana#115496",
         _text_content_outside_options,
         lambda d: d["panels"].append({"id": 999, "type": "text", "title": "t", "content": "# hi", "mode": "md",
                                       "gridPos": {"x": 0, "y": 99, "w": 24, "h": 3}})),
    Loss("bom-in-links", "BOM characters (U+FEFF) in links", "§2.2; grafana#115689", _bom,
         lambda d: d.setdefault("links", []).append({"title": "\ufeffrunbook", "url": "https://x", "type": "link"})),
    Loss("angular-panel", "Angular panel types (autoMigrateFrom / __angularMigration)", "§2.3, §6.1", _angular,
         lambda d: _first(d).update(type="graph")),
    Loss("legacy-rows", "legacy rows[] (schemaVersion <= 14 layout)", "§6.3", _legacy_rows,
         lambda d: d.update(rows=[])),
    Loss("string-datasource", "datasource given as a name, not a {type, uid} reference", "§6.3 (migration v33)",
         _string_datasource, lambda d: _first(d).update(datasource="Prometheus")),
    Loss("refresh-not-string", "refresh not a string (migration v40)", "§2.1, §2.3", _refresh_not_string,
         lambda d: d.update(refresh=False)),
    Loss("time-options", "timepicker.time_options (removed by migration v41)", "§2.1, §2.3", _time_options,
         lambda d: d["timepicker"].update(time_options=["5m", "1h"])),
    Loss("hide-from-viz", "hideFrom.viz without hideFrom.tooltip (migration v42 changes its meaning)",
         "§2.1, §2.3", _hidden_viz_shown_in_tooltip,
         lambda d: _first(d)["fieldConfig"]["defaults"]["custom"].update(
             hideFrom={"legend": False, "tooltip": False, "viz": True})),
    Loss("v2-looking-body", "elements/layout at the top (a v2 body, rejected by the v1 API)", "§1.2; PR #118665",
         _looks_like_v2, lambda d: d.update(layout={"kind": "GridLayout"})),
    Loss("panel-ids", "panels without a unique id (dropped; the conversion counts panels)", "§2.2; grafana#117084",
         _panel_ids, lambda d: _first(d).pop("id")),
    Loss("ref-ids", "queries without a unique refId (renamed; the conversion counts queries)", "§2.2; grafana#115534",
         _ref_ids, lambda d: _first(d)["targets"].append(dict(_first(d)["targets"][0]))),
    Loss("untyped-panel-keys", "panel properties the typed v2 panel has no place for", "§2.2; grafana#115496",
         _untyped_panel_keys, lambda d: _first(d).update(legend={"show": True})),
)

VARIANTS = [{}, {"recording_rules": True}, {"cluster_label": "cluster"}]


def built(stem: str, variant: dict[str, Any]) -> Doc:
    return compile_builtin({stem: BUILTIN[stem]}, **variant)[0].document


@pytest.mark.parametrize("variant", VARIANTS, ids=["raw", "recorded", "clustered"])
@pytest.mark.parametrize("stem", sorted(BUILTIN))
def test_built_dashboards_avoid_what_the_v2_conversion_loses(stem: str, variant: dict[str, Any]) -> None:
    doc = built(stem, variant)
    assert doc["schemaVersion"] == SCHEMA_VERSION == CURRENT_SCHEMA_VERSION
    problems = {loss.name: found for loss in V2_CONVERSION_LOSSES if (found := loss.find(doc))}
    assert problems == {}, f"{stem}: {problems}"


@pytest.mark.parametrize("loss", V2_CONVERSION_LOSSES, ids=[loss.name for loss in V2_CONVERSION_LOSSES])
def test_each_check_catches_its_problem(loss: Loss) -> None:
    """Every check is quiet on a built dashboard and fires once that dashboard is given its problem."""
    doc = copy.deepcopy(built("triton-overview", {}))
    assert loss.find(doc) == []
    loss.example(doc)
    assert loss.find(doc), loss.name
