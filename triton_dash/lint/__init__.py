"""``lint``: wrong numbers and dashboard mistakes in any Grafana dashboard, offline.

    from triton_dash.analysis.sources import load
    from triton_dash.lint import Selection, lint
    report = lint(load([Path("their-dashboard.json")]), selection=Selection.parse(["correctness"]))
    for finding in report.findings:          # correctness first (errors, warnings), hygiene after
        print(finding.severity, finding.rule, finding.where, finding.message)
        print(finding.expression, finding.part)
    sys.exit(1 if report.failing() else 0)   # error-level correctness findings fail a CI gate

The findings API (stable; ``lint --fix`` and scripts read it, and ``--format json`` writes it):

:class:`Finding` (frozen dataclass)
    ``rule`` (id, see ``docs/lint-rules.md``), ``severity`` (``error`` | ``warning`` | ``info``),
    ``category`` (``correctness``: the number is wrong or missing | ``hygiene``), ``dashboard`` (title),
    ``panel`` (title; ``""`` for a dashboard finding, ``"(untitled)"``), ``panel_id`` (int or None),
    ``ref`` (the target's refId, or ``"#N"``, its 1-based position in ``targets``, when it has none;
    ``""`` above target scope), ``expression`` (the target's expression as written, variables
    unexpanded; ``""`` above target scope), ``part`` (the offending part of ``expression``, ``""`` when
    it is the whole or cannot be cut out), ``message`` (what is wrong and what to write instead),
    ``source`` (the file). ``ref_id`` is an alias of ``ref``; ``where`` is "dashboard / panel [ref]".
:class:`LintReport`
    ``findings`` (errors and warnings, sorted: correctness errors, correctness warnings, then hygiene),
    ``info`` (severity ``info`` findings, e.g. a name nobody catalogued: never a problem), ``excluded``
    (finding, exclusion) pairs, ``not_checked`` (:class:`NotChecked`: dashboard, panel, ref, reason such as
    ``"not checked: loki"`` or ``"library panel <uid>"``), ``dashboards``; ``errors``, ``warnings``, ``infos``,
    ``failing(explicit)``, ``text(verbose=)``, ``json()``.
:class:`Selection`
    ``Selection.parse(select, ignore)`` as ruff's ``--select``/``--ignore``: rule ids, ``correctness``,
    ``hygiene``, ``ALL``.

Rules: :data:`RULES` (the registry, :mod:`triton_dash.lint.registry`); the checks in
:mod:`~triton_dash.lint.checks` (dashboard, panel), :mod:`~triton_dash.lint.promql_checks` and
:mod:`~triton_dash.lint.meaning` (targets). Which targets are PromQL:
:mod:`~triton_dash.analysis.datasources`. Exclusions: :mod:`~triton_dash.lint.config`.
"""

from __future__ import annotations

from .checks import UNUSED_EXCLUSION
from .findings import Finding, LintReport, NotChecked
from .registry import CATEGORIES, CORRECTNESS, ERROR, HYGIENE, INFO, RULES, WARNING, Rule
from .runner import Selection, SelectionError, lint

__all__ = ["CATEGORIES", "CORRECTNESS", "ERROR", "HYGIENE", "INFO", "RULES", "UNUSED_EXCLUSION", "WARNING", "Finding",
           "LintReport", "NotChecked", "Rule", "Selection", "SelectionError", "lint"]
