"""Dashboard and panel rules: dashboard-linter's hygiene checks, adapted to Triton and to real exports.

Target rules live in :mod:`triton_dash.lint.promql_checks` (the classic PromQL
mistakes) and :mod:`triton_dash.lint.meaning` (what the number means). Each
rule is registered with :func:`triton_dash.lint.registry.rule`; its message says
what is wrong and what to write instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..analysis.datasources import PROMQL_TYPES, language
from ..analysis.variables import query_panels
from ..metrics import identify
from .registry import CORRECTNESS, DASHBOARD, ERROR, HYGIENE, PANEL, TARGET, WARNING, Issue, declare, rule

__all__ = ["PROMQL_PARSE", "UNUSED_EXCLUSION", "PanelContext", "promql_targets", "variables"]

_VAR_REF = re.compile(r"^\$\{?([A-Za-z_]\w*)(?::\w+)?\}?$")
_SPECIAL_DATASOURCES = {"-- Mixed --", "-- Grafana --", "-- Dashboard --", "grafana", "__expr__"}
_UNIT_PANELS = {"timeseries", "stat", "gauge", "bargauge", "graph", "singlestat", "table"}
#: Sources whose families make a dashboard a Triton one (upstream vLLM shares vllm:* names, so not "vllm").
_TRITON_SOURCES = {"triton", "tensorrt_llm"}

PROMQL_PARSE = declare(
    "promql-parse", scope=TARGET, severity=ERROR, category=CORRECTNESS,
    doc="A Prometheus target's expression parses as PromQL once Grafana's macros and the dashboard's variables are "
        "expanded. Reported by the runner; targets of other datasources (Loki ...) are not parsed.").id
UNUSED_EXCLUSION = declare(
    "unused-exclusion", scope="config", severity=WARNING, category=HYGIENE,
    doc="Every exclusion in the lint configuration still matches a finding. Reported by the runner.").id


@dataclass(frozen=True)
class PanelContext:
    doc: Mapping[str, Any]
    panel: Mapping[str, Any]


def variables(doc: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [v for v in (doc.get("templating") or {}).get("list", []) or [] if isinstance(v, Mapping)]


def promql_targets(doc: Mapping[str, Any]) -> Iterator[tuple[Mapping[str, Any], Mapping[str, Any]]]:
    for panel in query_panels(doc):
        for target in panel.get("targets", []) or []:
            if isinstance(target, Mapping) and isinstance(target.get("expr"), str) \
                    and language(doc, panel, target) in PROMQL_TYPES:
                yield panel, target


def _reads_triton(doc: Mapping[str, Any]) -> bool:
    for _, target in promql_targets(doc):
        for name in re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", str(target["expr"])):
            metric = identify(name)
            if metric is not None and metric.source in _TRITON_SOURCES and name.startswith("nv_"):
                return True
    return False


# --- dashboard rules -----------------------------------------------------------------------------

@rule("template-datasource", scope=DASHBOARD, severity=ERROR, category=HYGIENE,
      doc="A dashboard with Prometheus targets has a datasource variable, so it works on any Grafana.")
def template_datasource(doc: Mapping[str, Any]) -> Iterator[Issue]:
    if any(True for _ in promql_targets(doc)) and not any(v.get("type") == "datasource" for v in variables(doc)):
        yield Issue("the dashboard has no datasource variable: add one (type datasource, query prometheus, named "
                    "datasource) and set every panel's datasource to ${datasource}, so it works on any Grafana")


def _label_variable(name: str) -> None:
    @rule(f"template-{name}", scope=DASHBOARD, severity=WARNING, category=HYGIENE,
          doc=f"A dashboard reading Triton's nv_* families has a{'n' * (name[0] in 'aeiou')} {name} variable, so "
              "fleets do not mix.")
    def check(doc: Mapping[str, Any]) -> Iterator[Issue]:
        if _reads_triton(doc) and not any(v.get("name") == name for v in variables(doc)):
            yield Issue(f"the dashboard reads Triton metrics but has no {name} variable: add "
                        f"label_values(nv_inference_request_success, {name}) (multi, include All) and "
                        f'{name}=~"${name}" in every selector, or one fleet\'s numbers mix with another\'s')


_label_variable("job")
_label_variable("instance")


@rule("template-refresh", scope=DASHBOARD, severity=WARNING, category=HYGIENE,
      doc="Query variables refresh on time range change (refresh: 2), so models loaded later appear.")
def template_refresh(doc: Mapping[str, Any]) -> Iterator[Issue]:
    for var in variables(doc):
        if var.get("type") == "query" and var.get("refresh") != 2:
            yield Issue(f"variable {var.get('name')!r} does not refresh on time range change (refresh: 2): models "
                        "loaded later never appear in it")


@rule("datasource-input", scope=DASHBOARD, severity=ERROR, category=HYGIENE,
      doc="No __inputs export placeholders (${DS_...}) that only the UI import resolves.")
def datasource_input(doc: Mapping[str, Any]) -> Iterator[Issue]:
    defined = {str(v.get("name")) for v in variables(doc) if v.get("type") == "datasource"}
    inputs = [str(i.get("name")) for i in doc.get("__inputs", []) or []
              if isinstance(i, Mapping) and i.get("type", "datasource") == "datasource"
              and str(i.get("name")) not in defined]
    if inputs:
        yield Issue(f"the dashboard is an export with __inputs ({', '.join(inputs)}): only the UI import resolves "
                    "${DS_...}; provisioned or pushed as is, every panel fails. Use a datasource variable")


# --- panel rules ---------------------------------------------------------------------------------

def _datasource_problem(doc: Mapping[str, Any], datasource: Any) -> str | None:
    if datasource is None:
        return None
    uid = datasource.get("uid") if isinstance(datasource, Mapping) else datasource
    if not isinstance(uid, str) or not uid or uid in _SPECIAL_DATASOURCES:
        return None
    match = _VAR_REF.match(uid)
    if match:
        name = match[1]
        if any(v.get("name") == name for v in variables(doc)):
            return None
        if any(isinstance(i, Mapping) and i.get("name") == name for i in doc.get("__inputs", []) or []):
            return None  # one cause, reported once by datasource-input
        return f"datasource {uid} names a variable the dashboard does not define"
    return f"datasource uid {uid!r} is hard-coded and exists only on one Grafana"


@rule("datasource-hardcoded", scope=PANEL, severity=ERROR, category=HYGIENE,
      doc="Panels and targets use the dashboard's datasource variable, not a uid from one Grafana.")
def datasource_hardcoded(ctx: PanelContext) -> Iterator[Issue]:
    seen = set()
    for source in (ctx.panel.get("datasource"), *(t.get("datasource") for t in ctx.panel.get("targets", []) or []
                                                  if isinstance(t, Mapping))):
        problem = _datasource_problem(ctx.doc, source)
        if problem and problem not in seen:
            seen.add(problem)
            yield Issue(f"{problem}: use the dashboard's datasource variable (${{datasource}})")


@rule("panel-title-description", scope=PANEL, severity=WARNING, category=HYGIENE,
      doc="Panels have a title and a description saying what the number is, its unit and what to do at No data.")
def panel_title_description(ctx: PanelContext) -> Iterator[Issue]:
    panel = ctx.panel
    if not panel.get("targets"):
        return
    if not str(panel.get("title") or "").strip():
        yield Issue("the panel has no title: say what the number is")
    elif not str(panel.get("description") or "").strip():
        yield Issue("the panel has no description: say what the number is, how it is computed, its unit and what "
                    "to do when it shows no data")


@rule("panel-units", scope=PANEL, severity=WARNING, category=HYGIENE,
      doc="Panels that show numbers set a unit (s, reqps, bytes, percentunit ...).")
def panel_units(ctx: PanelContext) -> Iterator[Issue]:
    panel = ctx.panel
    if panel.get("type") not in _UNIT_PANELS or not panel.get("targets"):
        return
    defaults = (panel.get("fieldConfig") or {}).get("defaults") or {}
    overrides = (panel.get("fieldConfig") or {}).get("overrides") or []
    has_override_unit = any(p.get("id") == "unit" for o in overrides for p in o.get("properties", []) or [])
    legacy = any(axis.get("format") for axis in panel.get("yaxes", []) or [] if isinstance(axis, Mapping)) \
        or panel.get("format")
    if not defaults.get("unit") and not has_override_unit and not legacy and not defaults.get("mappings"):
        yield Issue("no unit is set: set fieldConfig.defaults.unit (s, reqps, bytes, percentunit ...)")
