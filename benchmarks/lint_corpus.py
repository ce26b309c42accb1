"""Precision and recall of ``lint`` on the corpus of real dashboards, per dashboard, per group and overall.

    PYTHONPATH=. python benchmarks/lint_corpus.py            # the table
    PYTHONPATH=. python benchmarks/lint_corpus.py --verbose  # and every false positive and miss
    PYTHONPATH=. python benchmarks/lint_corpus.py --format json
    PYTHONPATH=. python benchmarks/lint_corpus.py --holdout  # the held-out set (tests/fixtures/lint/holdout)

Counting as in LINT-CORPUS-SPEC (tests/support/lint_corpus.py): correctness findings at target
scope only; TP = a mistake caught by one of its rules, FP = a correctness finding on a correct target
or an unrelated one on a mistake, or any error on a target that is not PromQL.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter

from tests.support.lint_corpus import CORPUS, GROUPS, TARGETS, Score, load_corpus, score, total


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _row(name: str, group: str, result: Score) -> str:
    return (f"{name:36} {group:7} {result.tp:>4} {result.fp:>4} {result.caught:>4}/{result.mistakes:<4} "
            f"{_pct(result.precision):>8} {_pct(result.recall):>8}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--verbose", action="store_true", help="list every false positive and miss")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--holdout", action="store_true",
                        help="the held-out dashboards, judged separately and never tuned on")
    args = parser.parse_args(argv)

    entries = load_corpus(CORPUS.parent / "holdout") if args.holdout else load_corpus()
    scores = {e.slug: score(e) for e in entries}
    groups = {g: total({e.slug: scores[e.slug] for e in entries if e.group == g}) for g in GROUPS}
    overall = total(scores)
    if args.format == "json":
        def as_dict(s: Score) -> dict[str, object]:
            return {"tp": s.tp, "fp": s.fp, "caught": s.caught, "mistakes": s.mistakes,
                    "precision": s.precision, "recall": s.recall,
                    "false_positives": [w for _, w in s.false_positives], "misses": s.misses}
        print(json.dumps({"dashboards": {k: as_dict(v) for k, v in scores.items()},
                          "groups": {k: as_dict(v) for k, v in groups.items()}, "overall": as_dict(overall)},
                         indent=2))
        return 0

    header = f"{'dashboard':36} {'group':7} {'TP':>4} {'FP':>4} {'caught':>9} {'prec.':>8} {'recall':>8}"
    print(header)
    print("-" * len(header))
    for entry in entries:
        print(_row(entry.slug, entry.group, scores[entry.slug]))
    print("-" * len(header))
    for group, result in groups.items():
        floor_p, floor_r = TARGETS[group]
        wanted = f"   (target: precision >= {_pct(floor_p)}" + (f", recall >= {_pct(floor_r)})" if floor_r else ")")
        print(_row(f"group {group}", group, result) + wanted)
    print(_row("overall", "", overall))

    misses = Counter(m.split(" wants ", 1)[1].split(":", 1)[0] for m in overall.misses)
    fps = Counter(w.split("] ", 1)[1].split(":", 1)[0] for _, w in overall.false_positives)
    print("\nmost missed rules:", ", ".join(f"{k} x{v}" for k, v in misses.most_common()) or "none")
    print("false positives by rule:", ", ".join(f"{k} x{v}" for k, v in fps.most_common()) or "none")
    if args.verbose:
        print("\nfalse positives:")
        for verdict, what in overall.false_positives:
            print(f"  [{verdict}] {what}")
        print("\nmisses:")
        for what in overall.misses:
            print(f"  {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
