"""``lint``: wrong PromQL and dashboard mistakes in any Grafana dashboard, offline.

    from triton_dash.analysis.sources import load
    from triton_dash.lint import lint
    report = lint(load([Path("their-dashboard.json")]))
    for finding in report.findings:
        print(finding.severity, finding.rule, finding.where, finding.message)

Rules: :mod:`triton_dash.lint.checks`; exclusions: :mod:`triton_dash.lint.config`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from ..analysis.promql import parse
from ..analysis.sources import Dashboard
from ..analysis.variables import UnexpandedVariable, expand, offline_values, query_panels, targets
from .checks import DASHBOARD_RULES, ERROR, MARKERS, PANEL_RULES, RULES, TARGET_RULES, TargetContext
from .config import Exclusion

__all__ = ["RULES", "UNUSED_EXCLUSION", "Finding", "LintReport", "lint"]

UNUSED_EXCLUSION = "unused-exclusion"


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    dashboard: str
    panel: str
    ref_id: str
    message: str
    source: str

    @property
    def where(self) -> str:
        parts = [self.dashboard]
        if self.panel:
            parts.append(self.panel + (f" [{self.ref_id}]" if self.ref_id else ""))
        return " / ".join(parts)


@dataclass
class LintReport:
    findings: list[Finding] = field(default_factory=list)
    excluded: list[tuple[Finding, Exclusion]] = field(default_factory=list)
    dashboards: int = 0

    @property
    def errors(self) -> int:
        return sum(f.severity == ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors

    def summary(self) -> str:
        excluded = f" ({len(self.excluded)} excluded)" if self.excluded else ""
        return (f"{self.errors} error{'s' * (self.errors != 1)}, {self.warnings} warning"
                f"{'s' * (self.warnings != 1)} in {self.dashboards} dashboard{'s' * (self.dashboards != 1)}{excluded}")

    def text(self) -> str:
        lines = [f"{f.severity.upper():7} {f.rule:30} {f.where}: {f.message}" for f in self.findings]
        return "\n".join([*lines, self.summary()])

    def json(self) -> str:
        return json.dumps({"findings": [asdict(f) for f in self.findings],
                           "excluded": [{**asdict(f), "reason": e.reason} for f, e in self.excluded],
                           "errors": self.errors, "warnings": self.warnings, "dashboards": self.dashboards},
                          indent=2, ensure_ascii=False)


def _title(doc: Mapping[str, Any], source: str) -> str:
    return str(doc.get("title") or doc.get("uid") or source)


def _panel_title(panel: Mapping[str, Any]) -> str:
    return str(panel.get("title") or "").strip() or "(untitled)"


def _target_findings(doc: Mapping[str, Any], source: str) -> Iterable[Finding]:
    values = offline_values(doc)
    for panel, target in targets(doc):
        title, ref = _panel_title(panel), str(target.get("refId") or "")

        def finding(rule: str, message: str, title: str = title, ref: str = ref) -> Finding:
            return Finding(rule, RULES[rule].severity, _title(doc, source), title, ref, message, source)

        try:
            expr = expand(target["expr"], values, **MARKERS)
            ast = parse(expr)
        except UnexpandedVariable as exc:
            yield finding("promql-parse", f"{exc}: define the variable in the dashboard")
            continue
        except ValueError as exc:
            yield finding("promql-parse", f"not valid PromQL ({' '.join(str(exc).split())}): fix the expression")
            continue
        ctx = TargetContext(doc, panel, target, target["expr"], ast)
        for rule in TARGET_RULES:
            if rule.check is None:
                continue
            for message in dict.fromkeys(rule.check(ctx)):
                yield finding(rule.id, message)


def _dashboard_findings(item: Dashboard) -> Iterable[Finding]:
    doc, title = item.document, _title(item.document, item.source)
    for rule in DASHBOARD_RULES:
        assert rule.check is not None
        yield from (Finding(rule.id, rule.severity, title, "", "", m, item.source) for m in rule.check(doc))
    for panel in query_panels(doc):
        panel_title = _panel_title(panel)
        for rule in PANEL_RULES:
            assert rule.check is not None
            yield from (Finding(rule.id, rule.severity, title, panel_title, "", m, item.source)
                        for m in rule.check(panel))
    yield from _target_findings(doc, item.source)


def lint(dashboards: Sequence[Dashboard], exclusions: Sequence[Exclusion] = ()) -> LintReport:
    """Every finding in ``dashboards``, less the excluded ones; unused exclusions are findings too."""
    report = LintReport(dashboards=len(dashboards))
    used: set[int] = set()
    for item in dashboards:
        for found in _dashboard_findings(item):
            match = next((i for i, e in enumerate(exclusions) if e.matches(found.rule, item.document, found.panel)),
                         None)
            if match is None:
                report.findings.append(found)
            else:
                used.add(match)
                report.excluded.append((found, exclusions[match]))
    for index, exclusion in enumerate(exclusions):
        if index not in used:
            report.findings.append(Finding(UNUSED_EXCLUSION, "warning", exclusion.source, "", "",
                                           f"exclusion {exclusion.describe()} matches no finding: remove it",
                                           exclusion.source))
    return report
