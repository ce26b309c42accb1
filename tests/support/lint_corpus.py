"""The lint corpus: real third-party dashboards with hand-written verdicts, and how ``lint`` is scored on them.

Shared by ``tests/test_lint_corpus.py`` and ``benchmarks/lint_corpus.py`` (the format is
``LINT-CORPUS-SPEC``: ``tests/fixtures/lint/corpus/<slug>.json`` as published and
``<slug>.expected.yaml``, one entry per target).

    from tests.support.lint_corpus import load_corpus, score
    for entry in load_corpus():
        result = score(entry)
        print(entry.slug, result.tp, result.fp, result.caught, result.mistakes)

Counting: only *correctness* findings at target scope count; a finding is matched to a target by
panel id (when the finding carries one) or panel title, and refId (``#n`` for the n-th target
without one). TP: a correctness finding on a ``mistake`` target whose rule is in ``rules`` (one per
target). FP: a correctness finding on a ``correct`` target, or on a ``mistake`` target with a rule in
neither ``rules`` nor ``also``; any error on a ``not-promql`` target. ``debatable``: neither.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from triton_dash.analysis.sources import Dashboard, load
from triton_dash.lint import RULES, Finding, lint
from triton_dash.lint.registry import HYGIENE

__all__ = ["CORPUS", "GROUPS", "HYGIENE_RULES", "SPEC_RULES", "TARGETS", "VERDICTS", "CorpusEntry", "Score",
           "TargetRef", "corpus_targets", "findings_for", "is_correctness", "load_corpus", "score", "total"]

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "lint" / "corpus"
VERDICTS = ("mistake", "correct", "debatable", "not-promql")
GROUPS = ("triton", "llm")
#: Rules that do not change the number a target shows (LINT-CORPUS-SPEC: hygiene); every other
#: target-level rule is a correctness rule. Prefixes end in "-".
HYGIENE_RULES = ("rate-interval", "rate-interval-too-short", "irate-in-panel", "unguarded-denominator",
                 "unused-exclusion", "panel-", "template-", "datasource-")
#: Rule ids a verdict may name (LINT-CORPUS-SPEC): the existing ones and the meaning-level ones.
SPEC_RULES = frozenset({
    "promql-parse", "rate-interval", "rate-interval-too-short", "irate-in-panel", "counter-not-rated",
    "gauge-under-rate", "ratio-of-counters-aggregated", "duration-per-execution", "unguarded-denominator",
    "summary-quantile-aggregated", "histogram-quantile-without-le", "removed-family", "category-summed",
    "unknown-metric", "duration-rate-as-time", "wrong-denominator", "batch-size-ratio", "ratio-unit",
    "histogram-mixed-layouts", "quantile-of-quantile"})
#: Targets per group (LINT-CORPUS-SPEC): precision and recall floors, None = no target.
TARGETS: dict[str, tuple[float | None, float | None]] = {"triton": (0.95, 0.90), "llm": (0.90, None)}


def is_correctness(rule: str) -> bool:
    """Not in the spec's hygiene list, and not a rule the registry itself files under hygiene."""
    registered = RULES.get(rule)
    if registered is not None and registered.category == HYGIENE:
        return False
    return not any(rule == h or (h.endswith("-") and rule.startswith(h)) for h in HYGIENE_RULES)


@dataclass(frozen=True)
class TargetRef:
    """One target as the corpus names it: the panel (id, title) and its ref."""

    panel_id: int | None
    panel: str
    ref: str
    target: Mapping[str, Any]
    panel_json: Mapping[str, Any]


def _panels(doc: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for panel in doc.get("panels", []) or []:
        if isinstance(panel, Mapping):
            yield panel
            yield from (p for p in panel.get("panels", []) or [] if isinstance(p, Mapping))
    for row in doc.get("rows", []) or []:
        if isinstance(row, Mapping):
            yield from (p for p in row.get("panels", []) or [] if isinstance(p, Mapping))


def corpus_targets(doc: Mapping[str, Any]) -> Iterator[TargetRef]:
    """Every target of every panel (legacy rows[] and nested row panels too), as the corpus lists them."""
    for panel in _panels(doc):
        unnamed = 0
        for target in panel.get("targets", []) or []:
            if not isinstance(target, Mapping):
                continue
            ref = str(target.get("refId") or "")
            if not ref:
                unnamed += 1
                ref = f"#{unnamed}"
            panel_id = panel.get("id") if isinstance(panel.get("id"), int) else None
            yield TargetRef(panel_id, str(panel.get("title") or ""), ref, target, panel)


@dataclass
class CorpusEntry:
    slug: str
    path: Path
    expected: dict[str, Any]

    @property
    def group(self) -> str:
        return str(self.expected["group"])

    @property
    def targets(self) -> list[dict[str, Any]]:
        return list(self.expected.get("targets") or [])

    def dashboard(self) -> Dashboard:
        (item,) = load([self.path])
        return item


def load_corpus(root: Path = CORPUS) -> list[CorpusEntry]:
    """Every ``<slug>.json`` with its ``<slug>.expected.yaml``, by slug."""
    out = []
    for path in sorted(root.glob("*.json")):
        slug = path.name[: -len(".json")]
        expected = yaml.safe_load((root / f"{slug}.expected.yaml").read_text(encoding="utf-8"))
        out.append(CorpusEntry(slug, path, expected))
    return out


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    mistakes: int = 0
    caught: int = 0
    false_positives: list[tuple[str, str]] = field(default_factory=list)  # (verdict, what)
    misses: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)  # correctness findings no corpus target matches

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.mistakes += other.mistakes
        self.caught += other.caught
        self.false_positives += other.false_positives
        self.misses += other.misses
        self.unmatched += other.unmatched

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.caught / self.mistakes if self.mistakes else None


def _key(expected: Mapping[str, Any]) -> tuple[int | None, str, str]:
    return expected.get("panel_id"), str(expected.get("panel") or ""), str(expected.get("ref") or "")


def _matches(finding: Finding, expected: Mapping[str, Any], panel_targets: int) -> bool:
    panel_id, title, ref = _key(expected)
    found_id = getattr(finding, "panel_id", None)
    if found_id is not None and panel_id is not None and found_id != panel_id:
        return False
    # the title decides too: real dashboards repeat panel ids
    if finding.panel and finding.panel != (title.strip() or "(untitled)"):
        return False
    found_ref = finding.ref_id or ""
    if found_ref == ref:
        return True
    # today's findings carry no ref for a target without refId
    return not found_ref and (ref.startswith("#") or panel_targets == 1)


def findings_for(entry: CorpusEntry) -> list[Finding]:
    return lint([entry.dashboard()]).findings


def score(entry: CorpusEntry, findings: Sequence[Finding] | None = None) -> Score:
    """TP/FP/recall of ``findings`` (default: today's ``lint``) against the entry's verdicts."""
    if findings is None:
        findings = findings_for(entry)
    expected = entry.targets
    per_panel: dict[tuple[int | None, str], int] = {}
    for e in expected:
        per_panel[(e.get("panel_id"), str(e.get("panel") or ""))] = per_panel.get(
            (e.get("panel_id"), str(e.get("panel") or "")), 0) + 1
    hits: dict[int, list[Finding]] = {}
    result = Score()
    for finding in findings:
        rule = RULES.get(finding.rule)
        if not finding.panel or rule is None or rule.scope != "target":  # dashboard or panel level
            continue
        matched = [i for i, e in enumerate(expected)
                   if _matches(finding, e, per_panel[(e.get("panel_id"), str(e.get("panel") or ""))])]
        for i in matched[:1]:
            hits.setdefault(i, []).append(finding)
        if not matched and is_correctness(finding.rule):
            result.unmatched.append(f"{entry.slug}: {finding.panel} [{finding.ref_id}] {finding.rule}")
    for i, e in enumerate(expected):
        found = hits.get(i, [])
        where = f"{entry.slug}: {e.get('panel')} [{e.get('ref')}]"
        verdict, rules, also = e["verdict"], set(e.get("rules") or ()), set(e.get("also") or ())
        correctness = [f for f in found if is_correctness(f.rule)]
        if verdict == "mistake":
            result.mistakes += 1
            caught = [f for f in correctness if f.rule in rules]
            if caught:
                result.tp += 1
                result.caught += 1
            else:
                result.misses.append(f"{where} wants {'/'.join(sorted(rules)) or '(no rule)'}: {e.get('expr')}")
            for f in correctness:
                if f.rule not in rules and f.rule not in also:
                    result.fp += 1
                    result.false_positives.append((verdict, f"{where} {f.rule}: {f.message}"))
        elif verdict == "correct":
            for f in correctness:
                result.fp += 1
                result.false_positives.append((verdict, f"{where} {f.rule}: {f.message}"))
        elif verdict == "not-promql":
            for f in found:
                if f.severity == "error":
                    result.fp += 1
                    result.false_positives.append((verdict, f"{where} {f.rule}: {f.message}"))
    return result


def total(scores: Mapping[str, Score]) -> Score:
    out = Score()
    for item in scores.values():
        out.add(item)
    return out

