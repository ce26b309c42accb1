"""The second engine: every known answer and every alert scenario on VictoriaMetrics and vmalert (Debian 1.79.5).

The same synthetic fleet is imported into a real VictoriaMetrics; every target of
every built dashboard is evaluated as Grafana would (the same harness, the same
oracle) and must agree within the same 0.5 %. That tolerance holds on both
engines here because the fleet's counters grow linearly and are read at a
sample-aligned instant with four or more samples in each window: Prometheus'
edge extrapolation and MetricsQL's "previous sample, no extrapolation" rule then
give the same exact slope. Where the engines do differ (a window holding one
sample, ``0/0``, instants between samples), the README says so, and the queries
are written so both agree (every ratio is guarded with ``> 0``; see
``test_engines_differ_on_unguarded_ratios``).

``vmalert -replay`` evaluates the generated rules file over the imported data
(observed quirk of 1.79.5's replay: for one probe scenario that turned bad at
minute 6 it wrote only the alert's points at minutes 10 and 11, although the
same range query on VictoriaMetrics returns minutes 6 to 12; the scenarios turn
bad at minute 4, where it writes every point):
the recorded dashboards must show the same numbers, and each alert scenario of
``tests/test_rules.py`` must fire on vmalert exactly as on promtool.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from triton_dash.build import compile_builtin
from triton_dash.rules import AlertConfig, alert_rules, recording_rules, rule_groups, rules_yaml
from triton_dash.validate import duration_seconds

from .grafana import load_dashboards
from .support import oracle
from .support.harness import Context, cases, evaluate, judge
from .support.prometheus import Prometheus
from .support.synthetic import DURATION, EVAL_AT, T0, all_series, openmetrics
from .support.victoria import imported_victoria, replay_rules
from .test_rules import SCENARIOS, Scenario

pytestmark = pytest.mark.victoria


@pytest.fixture(scope="module")
def vm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prometheus]:
    """The fleet imported into VictoriaMetrics, and triton_dash's recording rules replayed over it by vmalert."""
    workdir = tmp_path_factory.mktemp("victoria")
    with imported_victoria(openmetrics(all_series()), workdir) as vm:
        replay_rules(vm, rules_yaml([recording_rules()]), T0, T0 + DURATION, workdir)
        yield vm


def _disagreements(ctx: Context, dashboards: dict[str, dict[str, object]]) -> list[str]:
    out = []
    for case in cases(ctx, dashboards):
        want = oracle.expected(case.stem, case.title, case.ref_id, dict(case.chosen))
        problems = judge(evaluate(ctx, dashboards[case.stem], case.expr, dict(case.chosen)), want)
        if problems:
            out.append(f"{case.id}: " + "; ".join(problems))
    return out


def test_every_target_matches_its_known_answer_on_victoria(vm: Prometheus) -> None:
    ctx = Context(vm, at=EVAL_AT)
    dashboards = oracle.fleet_dashboards(load_dashboards())
    assert sum(1 for _ in cases(ctx, dashboards)) >= 90
    assert _disagreements(ctx, dashboards) == []


def test_recorded_dashboards_after_vmalert_replay(vm: Prometheus) -> None:
    ctx = Context(vm, at=EVAL_AT)
    recorded = oracle.fleet_dashboards({c.stem: c.document for c in compile_builtin(recording_rules=True)})
    assert any(":rate1m" in c.expr for c in cases(ctx, recorded))
    assert _disagreements(ctx, recorded) == []


def test_engines_differ_on_unguarded_ratios(vm: Prometheus) -> None:
    """0/0 (the idle model) is a NaN sample on Prometheus and no series on VictoriaMetrics; '> 0' makes both empty."""
    unguarded = ('sum(rate(nv_inference_queue_duration_us{model="idle"}[1m])) '
                 '/ sum(rate(nv_inference_request_success{model="idle"}[1m]))')
    assert vm.query(unguarded, at=EVAL_AT) == {}
    assert vm.query(f"count({unguarded})", at=EVAL_AT) == {}


# --- the alert scenarios, on vmalert -------------------------------------------------------------

_TOKEN = re.compile(r"^(?P<start>-?[\d.]+)(?:(?P<sign>[+-])(?P<step>[\d.]+))?(?:x(?P<times>\d+))?$")


def expand_series(notation: str) -> list[float | None]:
    """promtool's input-series notation ("0+600x40 18000x5 _x3") -> one value per interval."""
    values: list[float | None] = []
    for token in notation.split():
        if token.startswith("_"):
            values += [None] * (int(token[2:]) if token.startswith("_x") else 1)
            continue
        match = _TOKEN.match(token)
        assert match, token
        start, times = float(match["start"]), int(match["times"] or 0)
        step = float(match["step"] or 0) * (-1 if match["sign"] == "-" else 1)
        values += [start + step * i for i in range(times + 1)]
    return values


def _openmetrics(scenario: Scenario) -> str:
    lines: dict[str, list[str]] = {}
    for item in scenario.series:
        name = item["series"].split("{", 1)[0]
        for minute, value in enumerate(expand_series(item["values"])):
            if value is not None:
                lines.setdefault(name, []).append(f"{item['series']} {value} {T0 + 60 * minute}")
    return "\n".join(line for group in lines.values() for line in group) + "\n# EOF\n"


def test_series_notation_is_expanded_as_promtool_does() -> None:
    assert expand_series("0+2x2 5x1 _x2 -1-1x1") == [0, 2, 4, 5, 5, None, None, -1, -2]


def _firing(vm: Prometheus, start: int, end: int) -> list[tuple[str, dict[str, str]]]:
    """Alerts firing at ``end``, from the ALERTS series vmalert's replay wrote.

    vmalert 1.79.5's replay writes every alert with a ``for:`` as ``pending`` only
    (observed here), so firing is derived as Prometheus defines it: active at every
    evaluation (1m apart, no gap) for at least ``for`` up to ``end``.
    """
    duration = {r["alert"]: duration_seconds(r["for"]) for r in alert_rules(AlertConfig())["rules"]}
    data = vm.api("/api/v1/query_range", query="ALERTS", start=start, end=end, step=60)
    out = []
    for series in data["result"]:
        labels = {k: v for k, v in series["metric"].items() if k not in ("__name__", "alertstate")}
        times = [int(float(t)) for t, _ in series["values"]]
        if not times or times[-1] != end:
            continue
        first = times[-1]
        for earlier, later in zip(reversed(times[:-1]), reversed(times[1:]), strict=True):
            if later - earlier > 60:
                break
            first = earlier
        if end - first >= duration[labels["alertname"]]:
            out.append((labels["alertname"], labels))
    return sorted(out, key=lambda item: item[0])


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_alert_fires_on_vmalert_as_on_promtool(name: str, tmp_path: Path) -> None:
    scenario = SCENARIOS[name]
    end = T0 + 60 * scenario.eval_minutes
    with imported_victoria(_openmetrics(scenario), tmp_path) as vm:
        replay_rules(vm, rules_yaml(rule_groups()), T0, end, tmp_path)
        got = _firing(vm, T0, end)
    if scenario.alert is None:
        assert got == []
        return
    assert [alert for alert, _ in got] == [scenario.alert], got
    labels = got[0][1]
    rule = next(r for r in alert_rules(AlertConfig())["rules"] if r["alert"] == scenario.alert)
    assert {k: labels.get(k) for k in scenario.labels} == scenario.labels
    assert labels["severity"] == rule["labels"]["severity"]
