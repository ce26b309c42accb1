"""Every panel of the triton-slo dashboard shows the known answer, on a real Prometheus 2.42 and on
VictoriaMetrics 1.79.5 (the rules replayed by vmalert).

Eight hours of traffic with constant error shares, backfilled with promtool; the
SLO rules of ``python -m triton_dash slo`` are evaluated over them with
``promtool tsdb create-blocks-from rules`` in two passes (the metadata rules read
the SLI recordings, which promtool's backfill only sees once they are blocks).
``ALERTS`` is written as Prometheus writes it, at the minutes when
``tests/support/burn.py`` says the ticket alert is pending or firing (the
promtool tests in ``test_slo.py`` prove those minutes against the rules).

Known answers, from the shares alone: with bad share ``e`` and objective ``o``,
SLI = 1 - e, budget left = 1 - e / (1 - o), burn rate = e / (1 - o) on every
window, time to exhaustion = max(budget left, 0) x 30 d / burn rate.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from triton_dash.build import compile_builtin
from triton_dash.profile.slo import BURN_WINDOWS, SLO, AvailabilitySLO, burn_factor, parse_slo_tables
from triton_dash.rules import rules_yaml
from triton_dash.rules.slo import ALERT_NAME, slo_rule_groups

from .support import burn
from .support.burn import Model, steps
from .support.harness import Context, cases, evaluate, judge
from .support.prometheus import NO_SCRAPES, Labels, Prometheus, backfill, backfill_rules, run_prometheus
from .support.tools import require_binary
from .support.victoria import imported_victoria, replay_rules

pytestmark = pytest.mark.prometheus

T0 = 1767225600  # 2026-01-01T00:00:00Z, on a 2 h block boundary
MINUTES = 480
EVAL_MINUTE = MINUTES
AVAILABILITY = AvailabilitySLO(name="availability", objective=99.9)
LATENCY = parse_slo_tables([{"histogram": "first-response", "threshold": "500ms", "objective": 99}])[0]
SLOS: tuple[SLO, ...] = (AVAILABILITY, LATENCY)
N = MINUTES

#: model -> (its SLO, bad share): a 0.05 % (+1 % CANCELED, not counted), b 0.2 % (burn 2: a ticket), llm 0.5 %
MODELS: dict[str, tuple[SLO, float, Model]] = {
    "a": (AVAILABILITY, 0.0005, Model("a", success=steps((N, 999.5)),
                                      failures={"BACKEND": steps((N, 0.5)), "CANCELED": steps((N, 10))})),
    "b": (AVAILABILITY, 0.002, Model("b", success=steps((N, 998)), failures={"BACKEND": steps((N, 2))})),
    "idle": (AVAILABILITY, 0.0, Model("idle", success=steps((N, 0)))),
    "llm": (LATENCY, 0.005, Model("llm", count=steps((N, 100)), fast=steps((N, 99.5)))),
}


def _alerts_series() -> list[tuple[str, list[float | None]]]:
    """ALERTS as Prometheus writes it: 1 while pending, then 1 under alertstate="firing"."""
    out = []
    for name, (slo, _, model) in MODELS.items():
        k = burn.known(slo, model)
        for severity in ("page", "ticket"):
            labels = (f'alertname="{ALERT_NAME}",model="{name}",severity="{severity}",slo="{slo.name}",'
                      'version="1"')
            firing = [1.0 if burn.firing(slo, k, severity, m) is not None else None for m in range(MINUTES + 1)]
            pending = [1.0 if burn.condition(slo, k, severity, m) is not None and firing[m] is None else None
                       for m in range(MINUTES + 1)]
            if any(firing):
                out.append((f'ALERTS{{{labels},alertstate="firing"}}', firing))
            if any(pending):
                out.append((f'ALERTS{{{labels},alertstate="pending"}}', pending))
    return out


def openmetrics() -> str:
    families: dict[str, list[str]] = {}
    series = [(item["series"], [float(v) for v in item["values"].split()])
              for item in burn.input_series([model for _, _, model in MODELS.values()])]
    for text, values in [*series, *_alerts_series()]:
        name = text.split("{", 1)[0]
        families.setdefault(name, []).extend(
            f"{text} {value:g} {T0 + 60 * minute}" for minute, value in enumerate(values) if value is not None)
    lines = []
    for name in sorted(families):
        lines.append(f"# TYPE {name} {'gauge' if name == 'ALERTS' else 'unknown'}")
        lines += families[name]
    return "\n".join([*lines, "# EOF"]) + "\n"


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prometheus]:
    workdir = tmp_path_factory.mktemp("slo-dashboard")
    tsdb = backfill(openmetrics(), workdir)
    groups = slo_rule_groups(SLOS)
    for part in (".sli", ".meta"):  # the meta rules read the SLI recordings: a second pass
        rules = rules_yaml([g for g in groups if g["name"].endswith(part)], command="slo")
        with run_prometheus(NO_SCRAPES, workdir, tsdb) as prom:
            blocks = backfill_rules(prom, rules, T0, T0 + 60 * MINUTES, workdir, eval_interval="1m")
        for block in blocks:
            block.rename(tsdb / block.name)
        (workdir / "rule-blocks").rmdir()
    with run_prometheus(NO_SCRAPES, workdir, tsdb) as prom:
        yield prom


def _labels(**kw: str) -> Labels:
    return frozenset(kw.items())


def _per_model(value: Any) -> dict[Labels, float]:
    """``value(slo, share)`` for every model with traffic (the idle one has no SLI: no series)."""
    return {_labels(slo=slo.name, model=name, version="1"): value(slo, share)
            for name, (slo, share, _) in MODELS.items() if name != "idle"}


def _left(slo: SLO, share: float) -> float:
    return 1 - share / slo.error_budget


def _burn(slo: SLO, share: float) -> float:
    return share / slo.error_budget


def _exhaustion(slo: SLO, share: float) -> float:
    return max(_left(slo, share), 0) * slo.period_hours * 3600 / _burn(slo, share)


def _firing_now() -> dict[Labels, float]:
    out = {}
    for name, (slo, _, model) in MODELS.items():
        for severity in ("page", "ticket"):
            if burn.firing(slo, burn.known(slo, model), severity, EVAL_MINUTE) is not None:
                out[_labels(slo=slo.name, severity=severity, model=name, version="1")] = 1.0
    return out


def oracle() -> dict[tuple[str, str], dict[Labels, float]]:
    answers: dict[tuple[str, str], dict[Labels, float]] = {
        ("Objective", "A"): {_labels(slo=s.name): s.objective_ratio for s in SLOS},
        ("SLI over the window", "A"): _per_model(lambda slo, share: 1 - share),
        ("Error budget remaining", "A"): _per_model(_left),
        ("Error budget remaining (trend)", "A"): _per_model(_left),
        ("Budget exhausted in", "A"): _per_model(_exhaustion),
        ("Burn-rate alerts firing", "A"): _firing_now(),
    }
    for w in BURN_WINDOWS:
        title = f"Burn rate {w.long} / {w.short} ({w.severity})"
        answers[(title, "A")] = answers[(title, "B")] = _per_model(_burn)
        answers[(title, "C")] = {_labels(slo=s.name): burn_factor(s, w) for s in SLOS}
    return answers


def test_the_scenario_shows_what_matters() -> None:
    """b's burn of 2 raises a ticket (not a page); a's and llm's budgets are half spent; b's is overspent."""
    assert _firing_now() == {_labels(slo="availability", severity="ticket", model="b", version="1"): 1.0}
    assert _per_model(_left)[_labels(slo="availability", model="a", version="1")] == pytest.approx(0.5)
    assert _per_model(_left)[_labels(slo="availability", model="b", version="1")] == pytest.approx(-1)
    assert _per_model(_exhaustion)[_labels(slo="availability", model="a", version="1")] == pytest.approx(30 * 86400)


def test_every_slo_panel_shows_its_known_answer(prometheus: Prometheus) -> None:
    require_binary("promtool")
    dashboards = {c.stem: c.document for c in compile_builtin() if c.stem == "triton-slo"}
    ctx = Context(prometheus, at=T0 + 60 * EVAL_MINUTE)
    answers = oracle()
    seen, failures = set(), []
    for case in cases(ctx, dashboards):
        key = (case.title, case.ref_id)
        assert key in answers, f"no known answer for {key}"
        seen.add(key)
        problems = judge(evaluate(ctx, dashboards[case.stem], case.expr, dict(case.chosen)), answers[key])
        if problems:
            failures.append(f"{case.id}: " + "; ".join(problems))
    assert not failures, "\n".join(failures)
    assert seen == set(answers)


def test_budget_remaining_is_request_weighted(prometheus: Prometheus) -> None:
    """The window-long ratio is sum(bad) / sum(valid) over the recorded 5 m rates, not a mean of ratios."""
    at = T0 + 60 * EVAL_MINUTE
    got = prometheus.query('slo:triton_request_error:ratio_rate30d{model="b"}', at=at)
    assert got == {_labels(slo="availability", model="b", version="1"): pytest.approx(0.002, rel=1e-6)}
    assert prometheus.query('slo:period_sli:ratio{model="idle"}', at=at) == {}


@pytest.mark.victoria
def test_every_slo_panel_on_victoria_metrics(tmp_path: Path) -> None:
    """The same data in VictoriaMetrics 1.79.5, the same rules replayed by vmalert (SLI group, then metadata):
    every panel shows the same known answers."""
    groups = slo_rule_groups(SLOS)
    with imported_victoria(openmetrics(), tmp_path) as vm:
        for part in (".sli", ".meta"):
            rules = rules_yaml([g for g in groups if g["name"].endswith(part)], command="slo")
            replay_rules(vm, rules, T0, T0 + 60 * MINUTES, tmp_path, "-datasource.queryStep=1m")
        dashboards = {c.stem: c.document for c in compile_builtin() if c.stem == "triton-slo"}
        ctx = Context(vm, at=T0 + 60 * EVAL_MINUTE)
        answers = oracle()
        failures = []
        for case in cases(ctx, dashboards):
            problems = judge(evaluate(ctx, dashboards[case.stem], case.expr, dict(case.chosen)),
                             answers[(case.title, case.ref_id)])
            if problems:
                failures.append(f"{case.id}: " + "; ".join(problems))
    assert not failures, "\n".join(failures)


#: The options Grafana's published gauge panel schema requires (grafana-foundation-sdk's gauge.jsonschema.json,
#: Options.required); without one the dashboard fails the schema check CI runs.
GAUGE_REQUIRED_OPTIONS = {"showThresholdLabels", "showThresholdMarkers", "sizing", "minVizWidth", "reduceOptions",
                          "minVizHeight", "orientation"}


def test_every_gauge_carries_the_options_the_published_schema_requires() -> None:
    from triton_dash.build import compile_builtin

    gauges = [p for c in compile_builtin() for p in c.document["panels"] if p.get("type") == "gauge"]
    assert gauges
    for panel in gauges:
        assert set(panel["options"]) >= GAUGE_REQUIRED_OPTIONS, (panel["title"], sorted(panel["options"]))
