"""``check --set``: the value a Grafana variable holds, written into valid PromQL for every character.

A real Prometheus 2.42 holds series whose label values have dots and colons (instances), a backslash and a
double quote (models), and two jobs. Each ``--set`` must run without a rejected query and select exactly
the series Grafana would: a regex for ``=~`` matchers, a literal for ``=`` matchers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from triton_dash.cli import main

from .support.prometheus import Prometheus, backfilled_prometheus

pytestmark = pytest.mark.prometheus

T0 = 1767225600
END = T0 + 1800
AT = T0 + 1500
BACKSLASH_MODEL = "a\\b"
QUOTE_MODEL = 'say "hi"'
SERIES = [
    ("triton", "10.0.0.1:8002", "resnet"),
    ("triton", "10.0.0.2:8002", "resnet"),
    ("triton", "10x0x0x1:8002", "resnet"),  # what an unescaped '.' in a literal would also select
    ("prometheus", "127.0.0.1:9090", BACKSLASH_MODEL),
    ("other", "127.0.0.1:9091", QUOTE_MODEL),
]


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _openmetrics() -> str:
    lines = ["# TYPE demo_requests gauge"]
    for job, instance, model in SERIES:
        labels = f'job="{job}",instance="{instance}",model="{_label(model)}"'
        lines += [f"demo_requests{{{labels}}} 1 {t}" for t in range(T0, END + 1, 15)]
    return "\n".join([*lines, "# EOF"]) + "\n"


def _panel(title: str, expr: str) -> dict[str, Any]:
    return {"type": "stat", "title": title, "datasource": {"type": "prometheus", "uid": "${datasource}"},
            "targets": [{"refId": "A", "expr": expr}]}


DASHBOARD = {
    "title": "Values", "uid": "check-values",
    "templating": {"list": [
        {"name": "datasource", "type": "datasource", "query": "prometheus"},
        {"name": "job", "type": "query", "query": "label_values(demo_requests, job)", "includeAll": True},
        {"name": "instance", "type": "query", "query": "label_values(demo_requests{job=~\"$job\"}, instance)",
         "includeAll": True, "multi": True},
        {"name": "node", "type": "custom", "query": "10.0.0.1:8002", "current": {"value": "10.0.0.1:8002"}},
        {"name": "model", "type": "query", "query": "label_values(demo_requests, model)", "includeAll": True},
        {"name": "exact_model", "type": "custom", "query": "resnet", "current": {"value": "resnet"}},
    ]},
    "panels": [
        _panel("By instance regex", 'count by (instance) (demo_requests{job=~"$job", instance=~"$instance"})'),
        _panel("By node literal", 'count by (instance) (demo_requests{instance="$node"})'),
        _panel("By model regex", 'count by (model) (demo_requests{model=~"$model"})'),
        _panel("By model literal", 'count by (model) (demo_requests{model="$exact_model"})'),
    ],
}


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prometheus]:
    with backfilled_prometheus(_openmetrics(), tmp_path_factory.mktemp("values")) as prom:
        yield prom


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("values-dash") / "values.json"
    path.write_text(json.dumps(DASHBOARD))
    return path


def run(prom: Prometheus, dashboard: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["check", "--prometheus", prom.url, str(dashboard), "--at", str(AT),
                                     "--lookback", "1h", "--format", "json", *args], env={"PROMETHEUS_TOKEN": ""})


def _series(result: Result) -> dict[str, tuple[str, int]]:
    """panel title -> (status, number of series), with every query accepted by Prometheus."""
    panels = json.loads(result.stdout)["panels"]
    assert [p["title"] for p in panels if p["status"] == "error"] == [], panels
    return {p["title"]: (p["status"], sum(t["series"] for t in p["targets"])) for p in panels}


def test_values_found_by_label_values_with_dots_colons_backslash_and_quote(prometheus: Prometheus,
                                                                          dashboard: Path) -> None:
    """'All' is the alternation of every value, regex-escaped and then escaped for the PromQL string."""
    found = _series(run(prometheus, dashboard))
    assert found["By instance regex"] == ("ok", 5)
    assert found["By model regex"] == ("ok", 3)  # resnet, a\b and say "hi": each value matched literally
    assert found["By node literal"] == ("ok", 1)
    assert found["By model literal"] == ("ok", 1)


@pytest.mark.parametrize(("settings", "expected"), [
    # a regex for =~ matchers: dots and colons, an escaped dot, an alternation
    (("instance=10.0.0.1:8002",), {"By instance regex": 2}),  # '.' matches any character: 10x0x0x1 too
    (("instance=10\\.0\\.0\\.1:8002",), {"By instance regex": 1}),
    (("job=triton|prometheus",), {"By instance regex": 4}),
    (("job=triton.*", "instance=10\\.0\\.0\\.(1|2):8002"), {"By instance regex": 2}),
    (("model=a\\\\b",), {"By model regex": 1}),  # the regex a\\b matches the value a\b
    (("model=say \"hi\"",), {"By model regex": 1}),
    (("model=resnet|say \"hi\"|a\\\\b",), {"By model regex": 3}),
    # a literal for = matchers: every character as is
    (("node=10.0.0.1:8002",), {"By node literal": 1}),
    (("exact_model=a\\b",), {"By model literal": 1}),
    (("exact_model=say \"hi\"",), {"By model literal": 1}),
])
def test_set_values_run_as_grafana_runs_them(prometheus: Prometheus, dashboard: Path, settings: tuple[str, ...],
                                            expected: dict[str, int]) -> None:
    args = [arg for setting in settings for arg in ("--set", setting)]
    found = _series(run(prometheus, dashboard, *args))
    assert {title: found[title] for title in expected} == {title: ("ok", n) for title, n in expected.items()}


def test_an_invalid_regex_is_one_line_before_any_query(prometheus: Prometheus, dashboard: Path) -> None:
    result = run(prometheus, dashboard, "--set", "model=resnet[")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith("Error: --set model='resnet[' is not a valid regex")


def test_a_literal_may_hold_regex_characters(prometheus: Prometheus, dashboard: Path) -> None:
    """exact_model is only used with =: 'resnet[' is a literal, and simply matches nothing."""
    result = run(prometheus, dashboard, "--set", "exact_model=resnet[")
    assert _series(result)["By model literal"][1] == 0


def test_an_unknown_variable_names_the_ones_that_exist(prometheus: Prometheus, dashboard: Path) -> None:
    result = run(prometheus, dashboard, "--set", "nosuchvar=1")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: --set nosuchvar: the dashboards have no variable 'nosuchvar'; their variables: datasource, "
        "exact_model, instance, job, model, node"]
