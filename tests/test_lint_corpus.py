"""``lint`` on real third-party dashboards, against verdicts written by hand target by target.

The corpus (``tests/fixtures/lint/corpus``, sources and licences in its ``SOURCES.md``) is the
ground truth: the first group of tests checks the corpus itself (every file loads and lints without
crashing, every target of every dashboard has exactly one verdict, the required input forms are
there); the second group measures the linter against it with the targets of LINT-CORPUS-SPEC.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache

import pytest

from tests.support.lint_corpus import (
    CORPUS,
    GROUPS,
    SPEC_RULES,
    TARGETS,
    VERDICTS,
    CorpusEntry,
    Score,
    corpus_targets,
    load_corpus,
    score,
    total,
)
from triton_dash.analysis.promql import parse
from triton_dash.lint import Finding, lint

ENTRIES = load_corpus()
SLUGS = [e.slug for e in ENTRIES]
BY_SLUG = {e.slug: e for e in ENTRIES}


@cache
def _findings(slug: str) -> tuple[Finding, ...]:
    return tuple(lint([BY_SLUG[slug].dashboard()]).findings)


@cache
def _score(slug: str) -> Score:
    return score(BY_SLUG[slug], _findings(slug))


def _group(group: str) -> Score:
    return total({e.slug: _score(e.slug) for e in ENTRIES if e.group == group})


# --- the corpus itself ---------------------------------------------------------------------------

def test_corpus_is_large_and_varied_enough() -> None:
    repos = {str(e.expected["source"]).split("@", 1)[0] for e in ENTRIES}
    assert len(ENTRIES) >= 18 and len(repos) >= 18, (len(ENTRIES), sorted(repos))
    assert {e.group for e in ENTRIES} == set(GROUPS)
    docs = {e.slug: e.dashboard().document for e in ENTRIES}
    assert any(doc.get("rows") and int(doc.get("schemaVersion") or 0) < 16 for doc in docs.values()), \
        "no legacy rows[] dashboard"
    datasources = Counter(t["datasource"] for e in ENTRIES for t in e.targets)
    assert datasources["loki"] >= 1, datasources


def test_sources_lists_every_dashboard_with_commit_and_licence() -> None:
    text = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip().strip("`"): line for line in text.splitlines()
            if line.startswith("|") and line.count("|") >= 6}
    for entry in ENTRIES:
        assert entry.slug in rows, f"{entry.slug} missing from SOURCES.md"
        repo, rest = str(entry.expected["source"]).split("@", 1)
        commit = rest.split(":", 1)[0]
        assert re.fullmatch(r"[0-9a-f]{40}", commit), entry.expected["source"]
        assert repo in rows[entry.slug] and commit in rows[entry.slug], entry.slug


@pytest.mark.parametrize("slug", SLUGS)
def test_dashboard_loads_and_lints_without_crash(slug: str) -> None:
    entry = BY_SLUG[slug]
    json.loads(entry.path.read_text(encoding="utf-8"))  # stored as published: plain JSON
    assert entry.dashboard().document
    _findings(slug)


@pytest.mark.parametrize("slug", SLUGS)
def test_expected_file_lists_every_target_exactly_once(slug: str) -> None:
    entry = BY_SLUG[slug]
    assert entry.expected["dashboard"] == slug
    assert entry.expected["group"] in GROUPS
    document = entry.dashboard().document
    actual = [(t.panel_id, t.panel, t.ref, t.target.get("expr") or "") for t in corpus_targets(document)]
    listed = [(t.get("panel_id"), t.get("panel"), str(t.get("ref")), t.get("expr")) for t in entry.targets]
    assert listed == actual, "the expected file must list every target, in order, with its verbatim expr"
    for target in entry.targets:
        where = f"{slug}: {target['panel']} [{target['ref']}]"
        assert target["verdict"] in VERDICTS, where
        assert str(target.get("why") or "").strip(), f"{where}: say why"
        assert set(target.get("rules") or ()) <= SPEC_RULES, where
        assert set(target.get("also") or ()) <= SPEC_RULES, where
        if target["verdict"] == "mistake":
            assert target.get("rules") or target.get("fixable") is False, f"{where}: a mistake names its rules"
            assert isinstance(target.get("fixable"), bool), f"{where}: fixable true or false"
        if target.get("fixable"):
            assert target.get("right"), f"{where}: a fixable mistake gives the right PromQL"
        if target["verdict"] == "not-promql":
            assert target["datasource"] != "prometheus", where


_MACROS = {"__rate_interval": "1m", "__interval": "15s", "__range": "1h"}
_VARIABLE = re.compile(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)")
_FIXED_RATE_WINDOW = re.compile(r"\b(?:rate|irate|increase)\((?:[^()\[]|\([^()]*\))*\[\d")


@pytest.mark.parametrize("slug", SLUGS)
def test_every_right_expression_is_promql_with_rate_interval_windows(slug: str) -> None:
    """What lint --fix is measured against must itself be right: valid PromQL, no fixed rate windows."""
    for target in BY_SLUG[slug].targets:
        right = target.get("right")
        if not right:
            continue
        where = f"{slug}: {target['panel']} [{target['ref']}]"
        assert not _FIXED_RATE_WINDOW.search(right), f"{where}: use [$__rate_interval] in {right}"
        concrete = _VARIABLE.sub(lambda m: _MACROS.get(m[1] or m[2], "x"), right)
        parse(concrete)  # raises on invalid PromQL
        if " / " in right and target["verdict"] == "mistake":
            assert "> 0)" in right, f"{where}: guard the denominator, / (x > 0), in {right}"


# --- the linter against the corpus (LINT-CORPUS-SPEC targets) -------------------------------------

@pytest.mark.parametrize("group", GROUPS)
def test_group_precision_and_recall_meet_the_targets(group: str) -> None:
    result = _group(group)
    precision_floor, recall_floor = TARGETS[group]
    problems = []
    if precision_floor is not None and (result.precision or 0.0) < precision_floor:
        problems.append(f"precision {result.precision} < {precision_floor} (TP {result.tp}, FP {result.fp})")
    if recall_floor is not None and (result.recall or 0.0) < recall_floor:
        problems.append(f"recall {result.recall} < {recall_floor} ({result.caught}/{result.mistakes})")
    assert not problems, f"{group}: " + "; ".join(problems)


@pytest.mark.parametrize("slug", SLUGS)
def test_every_mistake_is_caught_by_one_of_its_rules(slug: str) -> None:
    entry: CorpusEntry = BY_SLUG[slug]
    wanted = [t for t in entry.targets if t["verdict"] == "mistake" and t.get("rules")]
    missed = [m for m in _score(slug).misses if "(no rule)" not in m]
    assert not missed, f"{len(missed)} of {len(wanted)} mistakes missed:\n" + "\n".join(missed)


def _false_positives(slug: str, verdict: str) -> list[str]:
    return [what for kind, what in _score(slug).false_positives if kind == verdict]


@pytest.mark.parametrize("slug", SLUGS)
def test_no_correct_target_gets_a_correctness_finding(slug: str) -> None:
    found = _false_positives(slug, "correct")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("slug", SLUGS)
def test_mistakes_get_no_unrelated_correctness_finding(slug: str) -> None:
    found = _false_positives(slug, "mistake")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("slug", SLUGS)
def test_targets_that_are_not_promql_get_no_error(slug: str) -> None:
    found = _false_positives(slug, "not-promql")
    assert not found, "\n".join(found)
