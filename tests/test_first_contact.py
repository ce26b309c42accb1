"""The small things a new user met in their first hour (issue 15), each as the user meets it: through the CLI.

Exit statuses, everywhere: 0 success; 1 a failure (a value the tool rejects, a file that does not compile, a
server that refuses, problems found); 2 a usage error (click's own, and a missing or unreadable input file).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from triton_dash.cli import main

ENV = {"GRAFANA_URL": "", "GRAFANA_TOKEN": "", "PROMETHEUS_URL": "", "PROMETHEUS_TOKEN": ""}


def cli(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env={**ENV, **(env or {})})


def one_error_line(result: Result) -> str:
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


@pytest.mark.parametrize("args", [
    ("build", "nosuch.dashboard.py"),
    ("push", "--dry-run", "nosuch.json"),
    ("autoscale", "--from-capacity", "nosuch.json", "-o", "-"),
    ("lint", "nosuch.json"),
    ("check", "--prometheus", "http://127.0.0.1:9", "nosuch.json"),
])
def test_a_missing_input_file_is_a_usage_error_everywhere(args: tuple[str, ...], tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli(*args)
    assert result.exit_code == 2
    assert "nosuch.json" in one_error_line(result) or "nosuch.dashboard.py" in one_error_line(result)
    assert list(tmp_path.iterdir()) == []


def test_lint_advises_a_sum_over_a_sum(tmp_path: Path) -> None:
    expr = "avg by (model) (rate(nv_inference_queue_duration_us[5m]) / rate(nv_inference_request_success[5m]))"
    doc = {"title": "T", "uid": "t", "panels": [{"type": "timeseries", "title": "Q", "targets": [
        {"refId": "A", "expr": expr}]}]}
    path = tmp_path / "t.json"
    path.write_text(json.dumps(doc))
    findings = json.loads(cli("lint", str(path), "--format", "json").stdout)["findings"]
    (advice,) = [f["message"] for f in findings if f["rule"] == "ratio-of-counters-aggregated"]
    assert advice.endswith("aggregate first, sum by (...) (rate(a)) / sum by (...) (rate(b))")


def test_check_hint_for_host_and_port_without_scheme() -> None:
    result = cli("check", "--prometheus", "localhost:9090")
    assert one_error_line(result) == ("Error: --prometheus='localhost:9090' has no scheme; write "
                                      "http://localhost:9090")
    other = cli("check", "--prometheus", "ftp://prom")
    assert "e.g. http://localhost:9090" in one_error_line(other)


def test_push_names_where_the_url_came_from() -> None:
    flag = cli("push", "--url", "ftp://x", "--dry-run")
    assert one_error_line(flag).startswith("Error: --url='ftp://x' has scheme 'ftp'")
    env = cli("push", "--dry-run", env={"GRAFANA_URL": "ftp://x"})
    assert one_error_line(env).startswith("Error: GRAFANA_URL='ftp://x' has scheme 'ftp'")


def test_push_takes_dashboard_py_files(tmp_path: Path) -> None:
    from triton_dash.cli.push import _documents

    source = tmp_path / "mine.dashboard.py"
    source.write_text("import grafanalib.core as G\nfrom triton_dash.panels import queue_time_per_request\n"
                      "dashboard = G.Dashboard(title='Mine', panels=[queue_time_per_request()])\n")
    (doc,) = _documents((source,))
    assert doc["uid"] == "mine" and doc["panels"][0]["title"] == "Queue time per request"
    assert "contacts Grafana" in cli("push", "--help").stdout


def test_autoscale_names_a_model_that_is_not_in_the_capacity_file(tmp_path: Path) -> None:
    rows = tmp_path / "cap.json"
    rows.write_text(json.dumps([{"model": "llama", "target_per_pod": 14.0}, {"model": "bert", "target_per_pod": 3.0}]))
    result = cli("autoscale", "--from-capacity", str(rows), "--model", "nosuch", "-o", "-")
    assert result.exit_code == 1
    assert one_error_line(result) == f"Error: {rows}: has no model 'nosuch' (models: bert, llama)"
    several = cli("autoscale", "--from-capacity", str(rows), "-o", "-")
    assert "pick one with --model (models: bert, llama)" in one_error_line(several)


def test_capacity_plot_without_matplotlib_fails_before_any_query(monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path) -> None:
    import triton_dash.cli.capacity as command

    monkeypatch.setattr(command, "can_plot", lambda: False)
    # Port 9 answers nothing: had the analysis started first, the error would be about Prometheus.
    result = cli("capacity", "--prometheus", "http://127.0.0.1:9", "--from", "0", "--to", "600", "--slo-queue",
                 "100ms", "--plot", str(tmp_path / "knee.png"))
    assert result.exit_code == 1
    assert one_error_line(result) == ("Error: --plot needs matplotlib: pip install -e '.[plot]' in a clone of "
                                      "triton_dash, or pip install 'triton-dash[plot]'")


def test_rules_take_durations_where_the_setting_is_seconds() -> None:
    result = cli("rules", "--set", "queue_time_seconds=100ms", "-o", "-")
    assert result.exit_code == 0, result.output
    groups = yaml.safe_load(result.stdout)["groups"]
    (queue,) = [r for g in groups for r in g["rules"] if r.get("alert") == "TritonQueueTimeHigh"]
    assert queue["expr"].endswith("> 0.1")
    bad = cli("rules", "--set", "queue_time_seconds=fast", "-o", "-")
    assert one_error_line(bad) == ("Error: alert setting queue_time_seconds='fast' is neither seconds (0.1) nor a "
                                   "duration (100ms)")


def test_counts_are_written_with_plurals(tmp_path: Path) -> None:
    source = tmp_path / "one.dashboard.py"
    source.write_text("import grafanalib.core as G\nfrom triton_dash.panels import queue_time_per_request\n"
                      "from triton_dash.dashboards import triton_variables\n"
                      "dashboard = G.Dashboard(title='One', templating=G.Templating(list=triton_variables()),\n"
                      "    panels=[G.RowPanel(title='R'), queue_time_per_request()])\n")
    out = tmp_path / "out"
    built = cli("build", str(source), "-o", str(out))
    assert built.exit_code == 0, built.output
    assert built.stdout.strip() == f"wrote {out / 'one.json'} ('One', uid one, 1 panel in 1 row)"
    assert built.stderr == ""  # every variable the panel uses is defined: no note
    again = cli("build", str(source), "-o", str(out), "--check")
    assert again.stdout.strip() == f"1 file in {out} is up to date"


def test_build_adds_the_triton_variables_a_dashboard_lacks_and_warns_of_unknown_ones(tmp_path: Path) -> None:
    source = tmp_path / "bare.dashboard.py"
    source.write_text("import grafanalib.core as G\nfrom triton_dash.panels import queue_time_per_request\n"
                      "dashboard = G.Dashboard(title='Bare', panels=[queue_time_per_request(),\n"
                      "    G.TimeSeries(title='Mine', targets=[G.Target(expr='sum(up{team=~\"$team\"})')])])\n")
    out = tmp_path / "out"
    result = cli("build", str(source), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"note: {source}: added the Triton variables datasource, job, instance, model, version, which the panels "
        "use and the dashboard did not define (define them, e.g. templating=G.Templating(list=triton_variables()), "
        "to choose them yourself)",
        f"warning: {source}: the panels use $team, which no variable of the dashboard defines: those panels will "
        "show No data"]
    doc = json.loads((out / "bare.json").read_text())
    assert [v["name"] for v in doc["templating"]["list"]] == ["datasource", "job", "instance", "model", "version"]
