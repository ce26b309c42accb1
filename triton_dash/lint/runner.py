"""Running the rules over dashboards: which targets are PromQL, what is selected, what is excluded."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..analysis.datasources import PROMQL_TYPES, language
from ..analysis.promql import parse
from ..analysis.sources import Dashboard
from ..analysis.variables import UnexpandedVariable, expand, offline_values, query_panels
from ..metrics import MetricKind
from . import meaning, promql_checks  # noqa: F401  (registers the target rules)
from .checks import PROMQL_PARSE, UNUSED_EXCLUSION, PanelContext
from .config import Exclusion
from .findings import Finding, LintReport, NotChecked
from .promql_checks import MARKERS
from .registry import CATEGORIES, DASHBOARD, INFO, PANEL, RULES, TARGET, Issue, checks
from .semantics import EXPOSED, TargetContext

__all__ = ["Selection", "SelectionError", "lint"]


_EXPR_REF = re.compile(r"\$\{?([A-Za-z_]\w*)")


class SelectionError(ValueError):
    """``--select``/``--ignore`` names something that is neither a rule nor a category."""


@dataclass(frozen=True)
class Selection:
    """Which rules run, as in ruff: ``select`` (rule ids, ``correctness``, ``hygiene``, ``ALL``) less ``ignore``."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    @classmethod
    def parse(cls, select: Iterable[str] = (), ignore: Iterable[str] = ()) -> Selection:
        def split(values: Iterable[str]) -> tuple[str, ...]:
            out = tuple(v.strip() for value in values for v in value.split(",") if v.strip())
            unknown = [v for v in out if v not in RULES and v not in CATEGORIES and v != "ALL"]
            if unknown:
                raise SelectionError(f"unknown rule or category {unknown[0]!r}: use a rule id (see "
                                     "docs/lint-rules.md), correctness, hygiene or ALL")
            return out
        return cls(split(select), split(ignore))

    def __contains__(self, rule_id: str) -> bool:
        rule = RULES[rule_id]
        chosen = not self.select or "ALL" in self.select or rule.id in self.select or rule.category in self.select
        return chosen and rule.id not in self.ignore and rule.category not in self.ignore

    @property
    def explicit(self) -> tuple[str, ...]:
        """Rules named explicitly (or by category hygiene): their errors fail the run too."""
        return tuple(r for r in RULES if r in self.select or (RULES[r].category in self.select and r in self))


def _title(doc: Mapping[str, Any], source: str) -> str:
    return str(doc.get("title") or doc.get("uid") or source)


def _panel_title(panel: Mapping[str, Any]) -> str:
    library = panel.get("libraryPanel")
    named = library.get("name") if isinstance(library, Mapping) else None
    return str(panel.get("title") or named or "").strip() or "(untitled)"


def _panel_id(panel: Mapping[str, Any]) -> int | None:
    value = panel.get("id")
    return value if isinstance(value, int) else None


class _Run:
    """One dashboard's findings and the targets not checked."""

    def __init__(self, item: Dashboard) -> None:
        self.doc, self.source = item.document, item.source
        self.title = _title(self.doc, self.source)
        self.findings: list[Finding] = []
        self.not_checked: list[NotChecked] = []

    def add(self, rule_id: str, issue: Issue, panel: Mapping[str, Any] | None = None, ref: str = "",
            expression: str = "") -> None:
        rule = RULES[rule_id]
        self.findings.append(Finding(
            rule_id, issue.severity or rule.severity, rule.category, self.title,
            _panel_title(panel) if panel is not None else "", _panel_id(panel) if panel is not None else None,
            ref, expression, issue.part if issue.part != expression else "", issue.message, self.source))

    def skip(self, panel: Mapping[str, Any], ref: str, reason: str) -> None:
        self.not_checked.append(NotChecked(self.title, _panel_title(panel), ref, reason, self.source))

    def run(self) -> None:
        for rule, check in checks(DASHBOARD):
            for issue in dict.fromkeys(check(self.doc)):
                self.add(rule.id, issue)
        values = offline_values(self.doc)
        for panel in query_panels(self.doc):
            library = panel.get("libraryPanel")
            if isinstance(library, Mapping) and not panel.get("targets"):
                self.skip(panel, "", f"library panel {library.get('uid') or library.get('name')}")
                continue
            for rule, check in checks(PANEL):
                for issue in dict.fromkeys(check(PanelContext(self.doc, panel))):
                    self.add(rule.id, issue, panel)
            feeding = self.expression_inputs(panel)
            for position, target in enumerate(panel.get("targets", []) or [], start=1):
                if isinstance(target, Mapping):
                    ref = str(target.get("refId") or f"#{position}")
                    self.target(panel, target, ref, values, shown=not target.get("hide") and ref not in feeding)

    def expression_inputs(self, panel: Mapping[str, Any]) -> set[str]:
        """The refIds a Grafana expression target ($A / $B, reduce ...) reads."""
        out: set[str] = set()
        for target in panel.get("targets", []) or []:
            if isinstance(target, Mapping) and language(self.doc, panel, target) == "__expr__":
                out.update(_EXPR_REF.findall(str(target.get("expression") or "")))
        return out

    def target(self, panel: Mapping[str, Any], target: Mapping[str, Any], ref: str, values: dict[str, str], *,
               shown: bool = True) -> None:
        expr, kind = target.get("expr"), language(self.doc, panel, target)
        if kind not in PROMQL_TYPES:
            self.skip(panel, ref, kind)
            return
        if not isinstance(expr, str) or not expr.strip():
            return
        try:
            ast = parse(expand(expr, values, **MARKERS))
        except UnexpandedVariable as exc:
            self.add(PROMQL_PARSE, Issue(f"{exc}: define the variable in the dashboard"), panel, ref, expr)
            return
        except ValueError as exc:
            self.add(PROMQL_PARSE, Issue(f"not valid PromQL ({' '.join(str(exc).split())}): fix the expression"),
                     panel, ref, expr)
            return
        ctx = TargetContext.of(self.doc, panel, target, ref, expr, ast, shown=shown)
        for rule, check in checks(TARGET):
            for issue in dict.fromkeys(check(ctx)):
                self.add(rule.id, issue, panel, ref, expr)


def _iter_findings(dashboards: Sequence[Dashboard]) -> Iterator[tuple[Dashboard, _Run]]:
    for item in dashboards:
        run = _Run(item)
        run.run()
        yield item, run


def lint(dashboards: Sequence[Dashboard], exclusions: Sequence[Exclusion] = (),
         selection: Selection | None = None, types: Mapping[str, MetricKind] | None = None) -> LintReport:
    """Every selected finding in ``dashboards``, less the excluded ones; unused exclusions are findings too.

    ``types`` are the metric types the user's servers declare (:func:`~triton_dash.lint.exposition.load_types`),
    used for names no catalogue knows.
    """
    token = EXPOSED.set(types or {})
    try:
        return _lint(dashboards, exclusions, selection or Selection())
    finally:
        EXPOSED.reset(token)


def _lint(dashboards: Sequence[Dashboard], exclusions: Sequence[Exclusion], selection: Selection) -> LintReport:
    report = LintReport(dashboards=len(dashboards))
    used: set[int] = set()
    for item, run in _iter_findings(dashboards):
        report.not_checked += run.not_checked
        for found in run.findings:
            if found.rule not in selection:
                continue
            match = next((i for i, e in enumerate(exclusions) if e.matches(found.rule, item.document, found.panel)),
                         None)
            if match is None:
                (report.info if found.severity == INFO else report.findings).append(found)
            else:
                used.add(match)
                report.excluded.append((found, exclusions[match]))
    if UNUSED_EXCLUSION in selection:
        rule = RULES[UNUSED_EXCLUSION]
        for index, exclusion in enumerate(exclusions):
            if index not in used and (exclusion.rule not in RULES or exclusion.rule in selection):
                report.findings.append(Finding(
                    UNUSED_EXCLUSION, rule.severity, rule.category, exclusion.source, "", None, "", "", "",
                    f"exclusion {exclusion.describe()} matches no finding: remove it", exclusion.source))
    report.sort()
    return report
