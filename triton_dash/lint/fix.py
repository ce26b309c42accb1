"""``lint --fix``: the dashboard you already have, with the numbers the linter found wrong made right.

The linter's own findings (:mod:`triton_dash.lint`, one target at a time) say
what is wrong; the fixer decides what the panel means to show
(:mod:`triton_dash.lint.intent`: the title, the unit, the legend, the metrics) and:

- a correctness finding (a duration rate shown as a time, the wrong
  denominator, requests/executions as batch size, a sum of ratios, a removed
  family, a category gauge summed ...) is repaired by rewriting the target
  through the project's query functions, with the target's own label matchers
  and variables and its grouping; the number then has the unit of the new
  expression (``s`` for times), set on the panel, or scaled into the panel's
  unit when the panel fixes an axis range or keeps other targets in it, or
  into the unit its title names ("Duration (us)" stays in µs: the number shown
  matches the title; a title left naming another unit is reported);
- a hygiene finding keeps the expression as written (:mod:`triton_dash.lint.rewrite`):
  a fixed window becomes ``$__rate_interval``, ``irate`` becomes ``rate``, a
  denominator that can be 0 gets ``> 0``; raw counters in a ratio are rated;
- a 0-1 family in a ``percent`` panel is multiplied by 100 (its thresholds, min
  and max are in percent).

Panel ids, titles, positions, types and legends are never touched; targets
without findings are left byte for byte, and so is every other byte of the
file (:mod:`triton_dash.lint.jsonedit` rewrites only the values that change;
the file is not re-serialised). What cannot be recognised is reported, not
guessed. Fixing a fixed dashboard changes nothing.

    from triton_dash.lint.fix import fix_text
    result = fix_text(Path("their-dashboard.json").read_text(), "their-dashboard.json")
    print(result.text)            # the repaired file
    for repair in result.repairs:
        print(repair.panel, repair.before, "->", repair.after)
"""

from __future__ import annotations

import copy
import difflib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from ..analysis.sources import Dashboard
from ..analysis.variables import targets
from ..metrics import MetricKind
from . import CORRECTNESS, RULES, LintReport, Selection, lint
from .config import Exclusion
from .intent import is_ratio, panel_unit, recognise
from .jsonedit import patch
from .rewrite import guard_denominators, rate_raw_counters, windows
from .units import SECONDS_BASED, same_unit, scale_factor, title_unit

__all__ = ["FIXED_BY_UNIT", "FIXED_IN_PLACE", "NOT_FIXED", "FixError", "FixOptions", "FixResult",
           "Remaining",
           "Repair", "fix_file", "fix_summary", "fix_text", "outputs"]

#: Rules repaired in the expression as written: the window and irate.
#: (also: counters read directly inside a ratio are rated, and a denominator that can be 0 is guarded).
FIXED_IN_PLACE = frozenset({"rate-interval", "rate-interval-too-short", "irate-in-panel", "unguarded-denominator"})
#: Rules repaired by scaling the number into the panel's unit (a 0-1 family in a percent panel: * 100).
FIXED_BY_UNIT = frozenset({"ratio-unit"})
#: Rules the fixer does not act on: the expression does not parse, or the metric is not known.
#: Every other correctness rule is fixed by rewriting the target from its recognised meaning.
NOT_FIXED = frozenset({"promql-parse", "unknown-metric"})

_RAW_TOTAL = ("a raw counter is a running total since the server started, which may be what the panel means; "
              "rate(...) is per second, increase(...[$__range]) the total over the time range")


class FixError(ValueError):
    """The input cannot be read as a dashboard; one line naming the file."""


@dataclass(frozen=True)
class Repair:
    """One target changed: why, and what it became."""

    panel: str
    panel_id: Any
    ref_id: str
    rules: tuple[str, ...]
    before: str
    after: str
    meaning: str  # what the new expression shows ("" for window-only repairs)
    unit_before: str
    unit_after: str


@dataclass(frozen=True)
class Remaining:
    """A finding still there after the fix, and why the fixer left it."""

    rule: str
    severity: str
    category: str
    panel: str
    ref_id: str
    message: str


@dataclass(frozen=True)
class FixOptions:
    """Which rules the fixer acts on and reports (``lint``'s --select/--ignore and exclusions)."""

    selection: Selection = field(default_factory=Selection)
    exclusions: tuple[Exclusion, ...] = ()
    types: Mapping[str, MetricKind] | None = None  # lint --types: metric types for names no catalogue knows


def _remaining(rule: str, panel: str, ref: str, message: str) -> Remaining:
    known = RULES.get(rule)
    return Remaining(rule, known.severity if known else "error", known.category if known else CORRECTNESS,
                     panel, ref, message)


@dataclass
class FixResult:
    source: str
    original: str
    text: str
    repairs: list[Repair] = field(default_factory=list)
    remaining: list[Remaining] = field(default_factory=list)
    report: LintReport | None = None  # lint of the fixed dashboard
    explicit: tuple[str, ...] = ()  # rules selected by name: their errors fail too, as in lint

    @property
    def changed(self) -> bool:
        return self.text != self.original

    @property
    def failing(self) -> list[Remaining]:
        """What is left that would fail ``lint`` (its gate): error-level correctness findings, and errors of
        rules selected by name. Warnings and other hygiene errors do not fail."""
        return [r for r in self.remaining
                if r.severity == "error" and (r.category == CORRECTNESS or r.rule in self.explicit)]

    @property
    def failed(self) -> bool:
        """``lint --fix`` exits 1: something left fails lint's gate (:attr:`failing`)."""
        return bool(self.failing)

    def diff(self) -> str:
        return "".join(difflib.unified_diff(self.original.splitlines(keepends=True),
                                            self.text.splitlines(keepends=True),
                                            fromfile=f"a/{self.source}", tofile=f"b/{self.source}"))

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "changed": self.changed, "repairs": [asdict(r) for r in self.repairs],
                "remaining": [asdict(r) for r in self.remaining]}


def _title(panel: Mapping[str, Any]) -> str:
    return str(panel.get("title") or "").strip() or "(untitled)"


def _ref(panel: Mapping[str, Any], target: Mapping[str, Any]) -> str:
    """The target's refId, or "#N" (its 1-based position), as lint names it."""
    if target.get("refId"):
        return str(target["refId"])
    return f"#{next(i for i, t in enumerate(panel.get('targets') or [], 1) if t is target)}"


def _target_findings(doc: Mapping[str, Any], panel: Mapping[str, Any], target: Mapping[str, Any],
                     options: FixOptions) -> dict[str, str]:
    """rule -> message for the target-scope findings of one target, from the linter itself."""
    single = {**doc, "panels": [{**panel, "targets": [target]}]}
    single.pop("rows", None)
    found: dict[str, str] = {}
    for finding in lint([Dashboard("fix", single)], options.exclusions, options.selection, options.types).findings:
        rule = RULES.get(finding.rule)
        if rule is not None and rule.scope == "target":
            found.setdefault(finding.rule, finding.message)
    return found


def _set_unit(panel: dict[str, Any], unit: str) -> None:
    defaults = ((panel.get("fieldConfig") or {}).get("defaults") or {})
    axes = panel.get("yaxes")
    if not defaults.get("unit") and isinstance(axes, list) and axes and isinstance(axes[0], dict) \
            and axes[0].get("format"):
        axes[0]["format"] = unit
        return
    panel.setdefault("fieldConfig", {}).setdefault("defaults", {})["unit"] = unit


@dataclass
class _Plan:
    panel: dict[str, Any]
    target: dict[str, Any]
    rules: dict[str, str]
    expr: str
    unit: str = ""  # the unit the new expression is in; "" when its meaning did not change
    meaning: str = ""
    fixed: set[str] = field(default_factory=set)  # the rules this plan repairs


def _plan(panel: dict[str, Any], target: dict[str, Any], rules: dict[str, str],
          remaining: list[Remaining]) -> _Plan:
    title, expr, unit = _title(panel), str(target["expr"]), panel_unit(panel)
    ref = _ref(panel, target)
    plan = _Plan(panel, target, rules, expr)
    rewrite = {rule for rule in rules if rule not in RULES or RULES[rule].category == CORRECTNESS}
    rewrite -= FIXED_IN_PLACE | FIXED_BY_UNIT | NOT_FIXED
    if rewrite:
        intent = recognise(expr, title=title, unit=unit, legend=str(target.get("legendFormat") or ""))
        if intent is not None:
            plan.expr, plan.unit, plan.meaning = intent.expression(), intent.unit, intent.meaning.text
            plan.fixed = set(rules) - NOT_FIXED
            return plan
        if "counter-not-rated" in rewrite and is_ratio(expr):
            plan.expr = rate_raw_counters(expr)
            rewrite.discard("counter-not-rated")
            plan.fixed.add("counter-not-rated")
            rules = {**rules, "unguarded-denominator": "the rated denominator can be 0"}
        for rule in sorted(rewrite):
            why = _RAW_TOTAL if rule == "counter-not-rated" else "what the panel means to show is not recognised"
            remaining.append(_remaining(rule, title, ref, f"not fixed: {why} ({rules[rule]})"))
    if "unguarded-denominator" in rules:
        guarded = guard_denominators(plan.expr)
        if guarded is not None:
            plan.expr = guarded
            plan.fixed.add("unguarded-denominator")
    plan.expr = windows(plan.expr, set(rules))
    plan.fixed |= set(rules) & (FIXED_IN_PLACE - {"unguarded-denominator"})
    if FIXED_BY_UNIT & set(rules):
        plan.unit = "percentunit"  # the only ratio-unit mistake recognised: a 0-1 family shown as percent
        plan.fixed |= FIXED_BY_UNIT & set(rules)
    return plan


def _bounded(panel: Mapping[str, Any]) -> bool:
    """Whether the panel fixes its axis in its unit (min/max), so a new unit would misplace it."""
    defaults = ((panel.get("fieldConfig") or {}).get("defaults") or {})
    axes = panel.get("yaxes") or []
    left = axes[0] if axes and isinstance(axes[0], Mapping) else {}
    return any(source.get(key) not in (None, "") for source in (defaults, left) for key in ("min", "max"))


def _apply(panel: dict[str, Any], plans: list[_Plan], others: int, remaining: list[Remaining]) -> None:
    """Give the new numbers a unit the panel can show.

    A 0-1 number in a ``percent`` panel is multiplied by 100 (its thresholds, min and max are in percent);
    a time in a panel with another time unit is scaled into it when the panel has an axis range or other
    targets left as they were. Otherwise a time goes into the unit its title names ("Duration (us)": µs, so
    the number shown matches the title) and the panel gets that unit; else the panel gets the new number's
    unit (``s``, ``percentunit``). A title that still names another unit than the panel shows is reported.
    """
    unit = panel_unit(panel)
    named = title_unit(_title(panel))
    untouched = others + sum(not p.unit for p in plans)
    for p in plans:
        factor = scale_factor(p.unit, unit) if p.unit and p.unit != unit else None
        if factor and (p.unit == "percentunit" or untouched or _bounded(panel)):
            p.expr, p.unit = f"({p.expr}) * {factor}", unit
        elif p.unit == "s" and named and named != "s":
            into = unit if same_unit(unit, named) else named
            p.expr, p.unit = f"({p.expr}) * {scale_factor('s', into)}", into
    new_units = {p.unit for p in plans if p.unit and p.unit != unit}
    if len(new_units) == 1 and not untouched and all(p.unit for p in plans):
        _set_unit(panel, new_units.pop())
    elif new_units:
        for p in plans:
            if p.unit and p.unit != unit:
                remaining.append(_remaining("panel-units", _title(panel), _ref(panel, p.target),
                                            f"not fixed: this target now shows {p.meaning or p.unit} ({p.unit}); "
                                            f"the panel's unit is {unit or '(none)'}"))
    for p in plans:
        p.target["expr"] = p.expr


def _title_disagrees(fixed: Mapping[str, Any], repairs: Sequence[Repair]) -> list[Remaining]:
    """Repaired targets whose panel's title names another time unit than the panel now shows."""
    repaired = {(r.panel, r.ref_id) for r in repairs if r.meaning or r.unit_after != r.unit_before}
    notes = []
    for panel, target in targets(fixed):
        title, ref = _title(panel), _ref(panel, target)
        named, shown = title_unit(title), panel_unit(panel)
        if (title, ref) in repaired and named and shown in SECONDS_BASED and not same_unit(shown, named):
            notes.append(_remaining("panel-units", title, ref, f"not fixed: the title names {named} but the panel "
                                    f"shows {shown}: rename the panel or change its unit"))
    return notes


def _repair_pass(original: Mapping[str, Any], fixed: dict[str, Any],
                 options: FixOptions) -> tuple[list[Repair], list[Remaining]]:
    """One pass over every target of ``fixed`` (changed in place); findings are taken on ``original``'s copy."""
    pairs = list(targets(fixed))
    unfixed: list[Remaining] = []
    by_panel: dict[int, list[_Plan]] = {}
    for panel, target in pairs:
        rules = _target_findings(original, panel, target, options)
        if rules:
            by_panel.setdefault(id(panel), []).append(_plan(panel, target, rules, unfixed))
    repairs = []
    for plans in by_panel.values():
        panel = plans[0].panel
        before = {id(p.target): (str(p.target["expr"]), panel_unit(panel)) for p in plans}
        others = sum(1 for t in panel.get("targets") or [] if isinstance(t, dict) and t.get("expr")) - len(plans)
        _apply(panel, plans, others, unfixed)
        for p in plans:
            old_expr, old_unit = before[id(p.target)]
            if p.expr != old_expr or panel_unit(panel) != old_unit:
                repairs.append(Repair(_title(panel), panel.get("id"), _ref(panel, p.target),
                                      tuple(sorted(p.fixed)), old_expr, p.expr, p.meaning, old_unit,
                                      panel_unit(panel)))
    return repairs, unfixed


#: A repair can uncover another (a counter rated in a ratio now has a denominator to guard); passes stop
#: when nothing changes, so that fixing a fixed dashboard changes nothing.
MAX_PASSES = 3


def _dashboard_path(document: Any) -> tuple[str, ...]:
    if isinstance(document, Mapping) and isinstance(document.get("dashboard"), Mapping):
        return ("dashboard",)
    if isinstance(document, Mapping) and isinstance(document.get("spec"), Mapping) and "panels" in document["spec"]:
        return ("spec",)
    return ()


def fix_text(text: str, source: str, options: FixOptions | None = None) -> FixResult:
    """Repair one dashboard's JSON text; :class:`FixError` when it is not a dashboard."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FixError(f"{source}: not JSON (line {exc.lineno}: {exc.msg})") from exc
    path = _dashboard_path(document)
    doc: Any = document
    for key in path:
        doc = doc[key]
    if not isinstance(doc, dict) or not isinstance(doc.get("panels", []), list) or (
            "panels" not in doc and "rows" not in doc):
        raise FixError(f"{source}: not a Grafana dashboard (no 'panels')")
    options = options or FixOptions()
    fixed = copy.deepcopy(doc)
    result = FixResult(source, text, text, explicit=options.selection.explicit)
    merged: dict[tuple[str, str, Any], Repair] = {}
    unfixed: list[Remaining] = []
    for _ in range(MAX_PASSES):
        repairs, unfixed = _repair_pass(fixed, fixed, options)
        if not repairs:
            break
        for repair in repairs:
            where = (repair.panel, repair.ref_id, repair.panel_id)
            first = merged.get(where)
            merged[where] = repair if first is None else replace(
                repair, rules=tuple(sorted({*first.rules, *repair.rules})), before=first.before,
                unit_before=first.unit_before, meaning=repair.meaning or first.meaning)
    result.repairs = list(merged.values())
    if result.repairs:
        result.text = patch(text, fixed, path)
    result.report = lint([Dashboard(source, fixed)], options.exclusions, options.selection, options.types)
    result.remaining = [Remaining(f.rule, f.severity, f.category, f.panel, f.ref_id, f.message)
                        for f in result.report.findings]
    why = {(r.rule, r.panel, r.ref_id): r for r in unfixed}
    result.remaining = [why.pop((r.rule, r.panel, r.ref_id), r) for r in result.remaining]
    result.remaining += [r for r in why.values() if r.rule not in NOT_FIXED]
    result.remaining += _title_disagrees(fixed, result.repairs)
    return result


def fix_file(path: Path, options: FixOptions | None = None) -> FixResult:
    """:func:`fix_text` of a file; :class:`FixError` when it cannot be read."""
    if path.suffix == ".py":
        raise FixError(f"{path}: --fix repairs dashboard JSON; a *.dashboard.py is code: change the code, "
                       "or fix the JSON it builds")
    try:
        text = path.read_bytes().decode("utf-8")  # not read_text: keep \r\n line endings as they are
    except OSError as exc:
        raise FixError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError:
        raise FixError(f"{path}: not a text file") from None
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    result = fix_text(text[len(bom):], str(path), options)
    if bom:
        result.original, result.text = bom + result.original, bom + result.text
    return result


def outputs(results: Sequence[FixResult], out_dir: Path | None) -> dict[Path, str]:
    """Where each changed dashboard is written: over itself, or into ``out_dir`` under its own name."""
    files: dict[Path, str] = {}
    for result in results:
        if out_dir is not None:
            files[out_dir / Path(result.source).name] = result.text
        elif result.changed:
            files[Path(result.source)] = result.text
    return files


def fix_summary(results: Sequence[FixResult]) -> str:
    """What was repaired and what is left, one line each, then a count."""
    lines = []
    hygiene = 0
    for result in results:
        for r in result.repairs:
            unit = f"; unit {r.unit_before or '(none)'} -> {r.unit_after}" if r.unit_after != r.unit_before else ""
            what = f" ({r.meaning})" if r.meaning else ""
            lines.append(f"fixed   {result.source} / {r.panel} [{r.ref_id}] {','.join(r.rules)}{what}{unit}")
        for left in result.remaining:
            if not left.ref_id and left.rule in RULES and RULES[left.rule].scope != "target":
                hygiene += 1  # dashboard and panel hygiene: lint lists them; --fix does not touch them
                continue
            where = f" / {left.panel}" + (f" [{left.ref_id}]" if left.ref_id else "") if left.panel else ""
            lines.append(f"left    {result.source}{where} {left.rule}: {left.message}")
    repaired = sum(len(r.repairs) for r in results)
    count = sum(len(r.remaining) for r in results)
    if hygiene:
        lines.append(f"{hygiene} dashboard and panel finding{'s' * (hygiene != 1)} (variables, datasources, "
                     "descriptions, units) are not --fix's to repair: run lint to list them")
    failing = sum(len(r.failing) for r in results)
    gate = (f"{failing} of them fail{'s' * (failing == 1)} lint (error-level correctness): exit 1" if failing
            else "none fails lint (no error-level correctness finding): exit 0")
    lines.append(f"{repaired} target{'s' * (repaired != 1)} fixed, {count} finding{'s' * (count != 1)} left "
                 f"in {len(results)} dashboard{'s' * (len(results) != 1)}; {gate}")
    return "\n".join(lines)
