"""The lint rule registry: every rule's id, scope, severity, category and doc text in one place.

A check is a function registered with :func:`rule`; the decorator records what
the rule is, so the CLI, the exclusion config and the generated rule table
(``docs/lint-rules.md``, :func:`triton_dash.lint.docs.rule_table`) all read the
same facts::

    @rule("gauge-under-rate", scope=TARGET, severity=ERROR, category=CORRECTNESS,
          doc="rate()/increase() of a gauge ...")
    def gauge_under_rate(ctx: TargetContext) -> Iterator[Issue]:
        yield Issue("rate() of nv_gpu_utilization, a gauge ...", part="rate(nv_gpu_utilization[5m])")

Rules the runner reports itself (``promql-parse``, ``unused-exclusion``) are
declared with :func:`declare`: they are listed, documented and excludable, but
there is no check function to call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

__all__ = ["CATEGORIES", "CORRECTNESS", "DASHBOARD", "ERROR", "HYGIENE", "INFO", "PANEL", "RULES", "SCOPES",
           "SEVERITIES", "TARGET", "WARNING", "Check", "Issue", "Rule", "checks", "declare", "rule"]

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITIES = (ERROR, WARNING, INFO)
#: correctness: the number shown is wrong or missing; hygiene: the dashboard is fragile or unclear.
CORRECTNESS, HYGIENE = "correctness", "hygiene"
CATEGORIES = (CORRECTNESS, HYGIENE)
DASHBOARD, PANEL, TARGET, CONFIG = "dashboard", "panel", "target", "config"
SCOPES = (DASHBOARD, PANEL, TARGET, CONFIG)


@dataclass(frozen=True)
class Issue:
    """What a check yields: the message, the offending part of the expression, and a severity override."""

    message: str
    part: str = ""  # the offending part of the target's expression, as written where it can be found
    severity: str | None = None  # None: the rule's severity (unknown-metric is info outside nv_*)


@dataclass(frozen=True)
class Rule:
    id: str
    scope: str
    severity: str
    category: str
    doc: str
    reported_by_runner: bool = False

    @property
    def summary(self) -> str:
        return self.doc.split(". ")[0].rstrip(".")


Check = Callable[[Any], Iterator[Issue]]
_F = TypeVar("_F", bound=Check)
RULES: dict[str, Rule] = {}
_CHECKS: dict[str, list[tuple[Rule, Check]]] = {scope: [] for scope in SCOPES}


def _register(id: str, scope: str, severity: str, category: str, doc: str, runner: bool) -> Rule:
    if id in RULES:
        raise ValueError(f"lint rule {id!r} is registered twice")
    if scope not in SCOPES or severity not in SEVERITIES or category not in CATEGORIES:
        raise ValueError(f"lint rule {id!r}: bad scope, severity or category")
    RULES[id] = Rule(id, scope, severity, category, " ".join(doc.split()), runner)
    return RULES[id]


def rule(id: str, *, scope: str, severity: str, category: str, doc: str) -> Callable[[_F], _F]:
    """Register the decorated function as the check of rule ``id``."""
    def decorate(function: _F) -> _F:
        _CHECKS[scope].append((_register(id, scope, severity, category, doc, False), function))
        return function
    return decorate


def declare(id: str, *, scope: str, severity: str, category: str, doc: str) -> Rule:
    """Register a rule that the runner reports itself (no check function)."""
    return _register(id, scope, severity, category, doc, True)


def checks(scope: str) -> list[tuple[Rule, Check]]:
    """The registered checks of one scope, in registration order."""
    return list(_CHECKS[scope])
