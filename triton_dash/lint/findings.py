"""What ``lint`` reports: findings, targets it did not check, and the text and JSON people act on.

Findings are ordered so the ones that change a number come first: correctness
errors, correctness warnings, then hygiene; within each, in dashboard and panel
order. In text, one cause shared by many panels is one line naming the panels,
and a target finding shows its expression with the offending part underlined.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from .config import Exclusion
from .registry import CORRECTNESS, ERROR, HYGIENE, INFO, WARNING

__all__ = ["Finding", "LintReport", "NotChecked"]

_SEVERITY_RANK = {ERROR: 0, WARNING: 1, INFO: 2}
_CATEGORY_RANK = {CORRECTNESS: 0, HYGIENE: 1}
_PANELS_SHOWN = 4


@dataclass(frozen=True)
class Finding:
    """One finding. Stable API (``lint --fix`` and scripts read it); see :mod:`triton_dash.lint`."""

    rule: str
    severity: str  # error | warning | info
    category: str  # correctness | hygiene
    dashboard: str  # title (or uid, or file)
    panel: str  # panel title; "" for a dashboard finding; "(untitled)" when the panel has none
    panel_id: int | None
    ref: str  # the target's refId, "#1", "#2"... (1-based position) without one; "" above target scope
    expression: str  # the target's expression as written (variables unexpanded); "" above target scope
    part: str  # the offending part of ``expression`` ("" when it is the whole or cannot be cut out)
    message: str  # what is wrong and what to write instead
    source: str  # the file (or builtin:<stem>)

    @property
    def ref_id(self) -> str:
        return self.ref

    @property
    def where(self) -> str:
        parts = [self.dashboard]
        if self.panel:
            parts.append(self.panel + (f" [{self.ref}]" if self.ref else ""))
        return " / ".join(parts)

    @property
    def rank(self) -> tuple[int, int]:
        return _CATEGORY_RANK.get(self.category, 2), _SEVERITY_RANK.get(self.severity, 3)


@dataclass(frozen=True)
class NotChecked:
    """A target or panel lint did not check, and why: its datasource type ("loki"), or "library panel <uid>"."""

    dashboard: str
    panel: str
    ref: str
    reason: str
    source: str


def _caret(expression: str, part: str) -> list[str]:
    """The expression, indented, with ``^`` under the offending part on the line that holds it."""
    out = []
    for line in expression.splitlines() or [""]:
        out.append(f"    {line}")
        start = line.find(part) if part and "\n" not in part else -1
        if start >= 0:
            out.append("    " + " " * start + "^" * len(part))
            part = ""
    return out


@dataclass
class LintReport:
    findings: list[Finding] = field(default_factory=list)
    #: Information (severity info: a name nobody catalogued ...); never a problem, shown with --verbose.
    info: list[Finding] = field(default_factory=list)
    excluded: list[tuple[Finding, Exclusion]] = field(default_factory=list)
    not_checked: list[NotChecked] = field(default_factory=list)
    dashboards: int = 0

    def sort(self) -> None:
        self.findings.sort(key=lambda f: f.rank)

    def _count(self, severity: str) -> int:
        return sum(f.severity == severity for f in self.findings)

    @property
    def errors(self) -> int:
        return self._count(ERROR)

    @property
    def warnings(self) -> int:
        return self._count(WARNING)

    @property
    def infos(self) -> int:
        return len(self.info)

    def failing(self, explicit: Iterable[str] = ()) -> list[Finding]:
        """Findings that fail a CI gate: error-level correctness ones, plus errors of explicitly selected rules."""
        chosen = set(explicit)
        return [f for f in self.findings if f.severity == ERROR and (f.category == CORRECTNESS or f.rule in chosen)]

    def summary(self) -> str:
        def n(count: int, word: str) -> str:
            return f"{count} {word}{'s' * (count != 1)}"
        excluded = f" ({len(self.excluded)} excluded)" if self.excluded else ""
        info = f", {self.infos} info" if self.infos else ""
        return (f"{n(self.errors, 'error')}, {n(self.warnings, 'warning')}{info} in "
                f"{n(self.dashboards, 'dashboard')}{excluded}")

    def _groups(self, verbose: bool) -> list[list[Finding]]:
        groups: dict[tuple[str, str, str, str], list[Finding]] = {}
        for f in [*self.findings, *(self.info if verbose else [])]:
            groups.setdefault((f.source, f.rule, f.severity, f.message), []).append(f)
        return list(groups.values())

    def text(self, *, verbose: bool = False) -> str:
        lines: list[str] = []
        for group in self._groups(verbose):
            first = group[0]
            if len(group) == 1:
                where = first.where
            else:
                places = [f.panel + (f" [{f.ref}]" if f.ref else "") for f in group]
                shown = ", ".join(places[:_PANELS_SHOWN])
                more = f" and {len(places) - _PANELS_SHOWN} more" if len(places) > _PANELS_SHOWN else ""
                what = "targets" if first.ref else "panels"
                where = f"{first.dashboard} / {len(group)} {what} ({shown}{more})"
            lines.append(f"{first.severity.upper():7} {first.rule:30} {where}: {first.message}")
            if first.expression:
                lines += _caret(first.expression, first.part)
        if verbose:
            lines += [f"{'INFO':7} {'not-checked':30} {n.dashboard} / {n.panel}" + (f" [{n.ref}]" if n.ref else "")
                      + f": not checked: {n.reason}" for n in self.not_checked]
        summary = self.summary()
        if self.infos and not verbose:
            summary += " (info shown with --verbose)"
        if self.not_checked and not verbose:
            summary += f"; {len(self.not_checked)} not checked (see --verbose)"
        return "\n".join([*lines, summary])

    def json(self) -> str:
        return json.dumps({"findings": [asdict(f) for f in self.findings],
                           "excluded": [{**asdict(f), "reason": e.reason} for f, e in self.excluded],
                           "info": [asdict(f) for f in self.info],
                           "not_checked": [asdict(n) for n in self.not_checked],
                           "errors": self.errors, "warnings": self.warnings,
                           "dashboards": self.dashboards},
                          indent=2, ensure_ascii=False)
