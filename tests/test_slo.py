"""SLO rules on promtool: each alert fires exactly when the burn-rate arithmetic says, and never otherwise.

In the style of the kubernetes-mixin's rule tests: a constant error ratio starts
at a known minute (after six clean hours, so every window sees history) and
``promtool test rules`` checks, at many evaluations, exactly which
``TritonErrorBudgetBurn`` alerts fire, with their labels and rendered
annotations, against what ``tests/support/burn.py`` computes from the counters.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from triton_dash.profile.slo import SLO, AvailabilitySLO, LatencySLO, parse_slo_tables
from triton_dash.queries import slo as q
from triton_dash.rules import rules_yaml
from triton_dash.rules.slo import ALERT_NAME, RUNBOOK_WHERE, slo_rule_groups

from .support import burn
from .support.burn import Model, steps
from .support.tools import require_binary

pytestmark = pytest.mark.prometheus

AVAILABILITY = AvailabilitySLO(name="availability", objective=99.9)
LATENCY = parse_slo_tables([{"histogram": "first-response", "threshold": "500ms", "objective": 99}])[0]
CLEAN = 360  # minutes of clean traffic before the errors start: the 6 h window sees only clean history
RATE = 1000  # requests per minute


def failing(name: str, share: float, after: int, reason: str = "BACKEND") -> Model:
    """``share`` of RATE requests fail with ``reason`` from minute CLEAN on, for ``after`` minutes."""
    bad = RATE * share
    return Model(name, success=steps((CLEAN, RATE), (after, RATE - bad)),
                 failures={reason: steps((CLEAN, 0), (after, bad))})


def slow(name: str, share: float, after: int, le: str = "500") -> Model:
    """``share`` of first responses slower than 500 ms from minute CLEAN on."""
    buckets = tuple(b if le == "500" else f"{b}.0" for b in ("100", "500", "2000", "5000"))
    return Model(name, count=steps((CLEAN + after, RATE)), fast=steps((CLEAN, RATE), (after, RATE * (1 - share))),
                 le=le, buckets=buckets)


@dataclass
class Scenario:
    slo: SLO
    models: list[Model]
    until: int  # last evaluation, minutes


SCENARIOS: dict[str, Scenario] = {
    # 2 % failing, a 99.9 % objective: burn 20; the 1 h page window crosses 14.4 after 43.2 minutes
    "burn_20_pages": Scenario(AVAILABILITY, [failing("resnet", 0.02, 120)], CLEAN + 120),
    # 0.05 %: burn 0.5, below 1: nothing in 3 hours
    "burn_half_never_alerts": Scenario(AVAILABILITY, [failing("resnet", 0.0005, 180)], CLEAN + 180),
    # half the requests CANCELED by their clients: not the service's failures, no alert
    "canceled_never_pages": Scenario(AVAILABILITY, [failing("resnet", 0.5, 120, "CANCELED")], CLEAN + 120),
    # 0.5 %: burn 5, under the page factors 14.4 and 6, over the ticket's 1: a ticket, never a page
    "slow_burn_tickets": Scenario(AVAILABILITY, [failing("resnet", 0.005, 240)], CLEAN + 240),
    # no request at all, next to a clean busy model: no SLI, no alert
    "idle_silent": Scenario(AVAILABILITY, [Model("idle", success=steps((CLEAN + 60, 0))),
                                           failing("busy", 0.0, 60)], CLEAN + 60),
    # 20 % of first responses over 500 ms against 99 %: burn 20, as for errors; le as Prometheus 2 and 3 store it
    "latency_pages": Scenario(LATENCY, [slow("llama", 0.2, 120), slow("mistral", 0.2, 120, le="500.0")],
                              CLEAN + 120),
}


def _go_float(value: float, digits: str) -> str:
    return format(value, digits)


def _annotations(slo: SLO, rule: dict[str, Any], model: str, value: float, budget_left: float | None) -> dict[str, str]:
    left = f"{budget_left * 100:.4g}%" if budget_left is not None else "unknown"
    out = {}
    for key, text in rule["annotations"].items():
        text = text.replace("{{ $labels.model }}", model).replace("{{ $labels.version }}", "1")
        text = text.replace('{{ printf "%.1f" $value }}', f"{value:.1f}")
        start = text.find("{{ with printf")
        if start >= 0:
            end = text.index("{{ end }}", start) + len("{{ end }}")
            text = text[:start] + left + text[end:]
        out[key] = text
    return out


def _alert_rules(slo: SLO) -> dict[str, dict[str, Any]]:
    group = next(g for g in slo_rule_groups([slo]) if g["name"].endswith(".alerts"))
    return {rule["labels"]["severity"]: rule for rule in group["rules"]}


def expected_alerts(scenario: Scenario, minute: int) -> list[dict[str, Any]]:
    rules = _alert_rules(scenario.slo)
    out = []
    for model in scenario.models:
        k = burn.known(scenario.slo, model)
        for severity in ("page", "ticket"):
            value = burn.firing(scenario.slo, k, severity, minute)
            if value is not None:
                out.append({"exp_labels": {"severity": severity, "slo": scenario.slo.name, "model": model.name,
                                           "version": "1"},
                            "exp_annotations": _annotations(scenario.slo, rules[severity], model.name, value,
                                                            burn.budget_remaining(scenario.slo, k, minute))})
    return out


def checkpoints(scenario: Scenario) -> list[int]:
    """Every 10 minutes after the start, plus the minute before and of every change of the firing set."""
    times = set(range(CLEAN, scenario.until + 1, 10))
    previous = None
    for minute in range(CLEAN, scenario.until + 1):
        now = [(a["exp_labels"]["model"], a["exp_labels"]["severity"]) for a in expected_alerts(scenario, minute)]
        if now != previous:
            times |= {minute - 1, minute}
        previous = now
    return sorted(times)


def promtool_test(scenario: Scenario, rules_file: Path, times: list[int] | None = None) -> dict[str, Any]:
    names = [g["name"] for g in slo_rule_groups([scenario.slo])]
    test = {"interval": "1m", "input_series": burn.input_series(scenario.models),
            "alert_rule_test": [{"eval_time": f"{m}m", "alertname": ALERT_NAME,
                                 "exp_alerts": expected_alerts(scenario, m)}
                                for m in (times or checkpoints(scenario))]}
    return {"rule_files": [str(rules_file)], "evaluation_interval": "1m", "group_eval_order": names,
            "tests": [test]}


def run_promtool(document: dict[str, Any], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    test_file = tmp_path / "slo.test.yml"
    test_file.write_text(yaml.safe_dump(document, sort_keys=False, width=1 << 20), encoding="utf-8")
    return subprocess.run([require_binary("promtool"), "test", "rules", str(test_file)], capture_output=True,
                          text=True, timeout=600)


def write_rules(slo: SLO, tmp_path: Path) -> Path:
    path = tmp_path / "slo.rules.yml"
    path.write_text(rules_yaml(slo_rule_groups([slo]), command="slo"), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_alerts_fire_exactly_when_the_arithmetic_says(name: str, tmp_path: Path) -> None:
    scenario = SCENARIOS[name]
    result = run_promtool(promtool_test(scenario, write_rules(scenario.slo, tmp_path)), tmp_path)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]


def _first(name: str, severity: str, model: int = 0) -> int | None:
    scenario = SCENARIOS[name]
    return burn.first_firing(scenario.slo, burn.known(scenario.slo, scenario.models[model]), severity,
                             scenario.until)


def test_the_scenarios_say_what_the_issue_asks() -> None:
    """Done when: 2 % from a known time pages 40 to 50 minutes later and not before; 0.05 % never within 3 h;
    CANCELED never pages; a slow burn tickets and never pages; an idle model stays silent; latency pages too."""
    page = _first("burn_20_pages", "page")
    assert page is not None and 40 <= page - CLEAN <= 50, page
    assert 43.2 < page - CLEAN <= 43.2 + 1 + 2  # the workbook's 43.2 minutes, the next evaluation, for: 2m
    assert _first("burn_half_never_alerts", "page") is None and _first("burn_half_never_alerts", "ticket") is None
    assert _first("canceled_never_pages", "page") is None and _first("canceled_never_pages", "ticket") is None
    ticket = _first("slow_burn_tickets", "ticket")
    assert ticket is not None and _first("slow_burn_tickets", "page") is None
    assert all(_first("idle_silent", s, m) is None for s in ("page", "ticket") for m in (0, 1))
    for model in (0, 1):
        latency = _first("latency_pages", "page", model)
        assert latency is not None and 40 <= latency - CLEAN <= 50


def test_a_wrong_expectation_fails(tmp_path: Path) -> None:
    """The harness can fail: claiming the 2 % burn already pages a minute early is refused by promtool."""
    scenario = SCENARIOS["burn_20_pages"]
    page = _first("burn_20_pages", "page")
    assert page is not None
    document = promtool_test(scenario, write_rules(scenario.slo, tmp_path), [page])
    document["tests"][0]["alert_rule_test"][0]["eval_time"] = f"{page - 1}m"
    assert run_promtool(document, tmp_path).returncode != 0


def test_canceled_pages_once_it_counts(tmp_path: Path) -> None:
    """The CANCELED exclusion is what keeps that scenario quiet: with no reason excluded it pages."""
    slo = AvailabilitySLO(name="availability", objective=99.9, excluded_reasons=())
    scenario = Scenario(slo, SCENARIOS["canceled_never_pages"].models, CLEAN + 30)
    assert burn.first_firing(slo, burn.known(slo, scenario.models[0]), "page", scenario.until) is not None
    result = run_promtool(promtool_test(scenario, write_rules(slo, tmp_path)), tmp_path)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]


def test_recorded_ratios_and_budget_left(tmp_path: Path) -> None:
    """The SLI recordings on every window and the budget remaining agree with the counters; none for idle."""
    busy = failing("busy", 0.001, 90)
    scenario = Scenario(AVAILABILITY, [Model("idle", success=steps((CLEAN + 90, 0))), busy], CLEAN + 90)
    k = burn.known(AVAILABILITY, busy)
    at = CLEAN + 90
    label = 'model="busy",slo="availability",version="1"'

    def nano(name: str, value: float | None) -> dict[str, Any]:
        """promtool 2.42 compares exactly: compare billionths, rounded on both sides."""
        assert value is not None
        return {"expr": f"round({name} * 1e9)", "eval_time": f"{at}m",
                "exp_samples": [{"labels": f"{{{label}}}", "value": round(value * 1e9)}]}

    tests = [nano(f"{q.ERROR_RATIO}{w}", k.ratio[w][at]) for w in q.ALERT_WINDOWS]
    left = burn.budget_remaining(AVAILABILITY, k, at)
    assert left is not None and 0 < left < 1
    tests.append(nano(q.PERIOD_ERROR_BUDGET_REMAINING, left))
    tests.append({"expr": f'{q.ERROR_RATIO}5m{{model="idle"}}', "eval_time": f"{at}m", "exp_samples": []})
    tests.append({"expr": f'{q.PERIOD_SLI}{{model="idle"}}', "eval_time": f"{at}m", "exp_samples": []})
    document = promtool_test(scenario, write_rules(AVAILABILITY, tmp_path), [at])
    document["tests"][0]["promql_expr_test"] = tests
    result = run_promtool(document, tmp_path)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]


def test_promtool_checks_the_rules(tmp_path: Path) -> None:
    slos = (AVAILABILITY, LATENCY, *parse_slo_tables([
        {"name": "ttft", "histogram": "vllm-ttft", "threshold": "1s", "objective": 95, "window": "28d"}]))
    path = tmp_path / "all.rules.yml"
    path.write_text(rules_yaml(slo_rule_groups(slos, cluster_label="cluster"), command="slo"), encoding="utf-8")
    result = subprocess.run([require_binary("promtool"), "check", "rules", str(path)], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 57 rules found" in result.stdout
    assert isinstance(LATENCY, LatencySLO)


def test_alerts_carry_no_relative_runbook_link() -> None:
    """Without a runbook URL there is no runbook_url (a relative one is a broken link in a pager); the
    description says where the runbook is. A given one is carried as is."""
    for group in slo_rule_groups([AVAILABILITY, LATENCY]):
        for rule in group["rules"]:
            if "alert" in rule:
                assert "runbook_url" not in rule["annotations"]
                assert rule["annotations"]["description"].endswith(f" Runbook: {RUNBOOK_WHERE}.")
    linked = replace(AVAILABILITY, runbook_url="https://wiki.example.com/triton/slo")
    alerts = [r for g in slo_rule_groups([linked]) for r in g["rules"] if "alert" in r]
    assert [a["annotations"]["runbook_url"] for a in alerts] == ["https://wiki.example.com/triton/slo"] * 2
    assert not any("Runbook:" in a["annotations"]["description"] for a in alerts)


def test_clusters_keep_their_label(tmp_path: Path) -> None:
    """With --cluster-label, the same model burning in two clusters pages once per cluster, labelled with it;
    the recordings keep the label."""
    scenario = SCENARIOS["burn_20_pages"]
    page = _first("burn_20_pages", "page")
    assert page is not None
    path = tmp_path / "cluster.rules.yml"
    path.write_text(rules_yaml(slo_rule_groups([scenario.slo], cluster_label="cluster"), command="slo"))
    document = promtool_test(scenario, path, [page - 1, page])
    test = document["tests"][0]
    test["input_series"] = [{**item, "series": item["series"].replace("{", f'{{cluster="{cluster}",', 1)}
                            for cluster in ("east", "west") for item in test["input_series"]]
    for check in test["alert_rule_test"]:
        check["exp_alerts"] = [{**alert, "exp_labels": {**alert["exp_labels"], "cluster": cluster}}
                               for cluster in ("east", "west") for alert in check["exp_alerts"]]
    assert len(test["alert_rule_test"][1]["exp_alerts"]) == 4  # page and ticket, in each cluster
    name = f"{q.ERROR_RATIO}1h"
    test["promql_expr_test"] = [{"expr": f"count by (cluster) ({name})", "eval_time": f"{page}m", "exp_samples": [
        {"labels": f'{{cluster="{c}"}}', "value": 1} for c in ("east", "west")]}]
    result = run_promtool(document, tmp_path)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
