"""``lint``: each classic mistake gives exactly its rule id; our dashboards give none; exclusions work."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from triton_dash.analysis.sources import Dashboard, load
from triton_dash.cli import main
from triton_dash.lint import RULES, Selection, lint
from triton_dash.lint.config import Exclusion, find_config, load_config

FIXTURES = Path(__file__).parent / "fixtures" / "lint"
CLASSIC = FIXTURES / "classic-mistakes.json"
EXPECTED: dict[str, list[str]] = json.loads((FIXTURES / "classic-mistakes.expected.json").read_text())


def _by_panel(path: Path) -> dict[str, list[str]]:
    report = lint(load([path]))
    out: dict[str, list[str]] = {}
    for finding in [*report.findings, *report.info]:
        out.setdefault(finding.panel, []).append(finding.rule)
    return out


def test_each_classic_mistake_gives_exactly_its_rule() -> None:
    found = _by_panel(CLASSIC)
    expected = {("(untitled)" if title == "" else title): rules for title, rules in EXPECTED.items()}
    assert found == expected


def test_every_rule_is_exercised_by_a_fixture() -> None:
    seen = {f.rule for path in FIXTURES.glob("*.json") if not path.name.endswith(".expected.json")
            for f in lint(load([path])).findings}
    runner_only = {"unused-exclusion"}  # reported by the runner for a configuration: test_exclusions_...
    assert set(RULES) - seen - runner_only == set()


def test_an_export_like_nvidias_is_caught() -> None:
    report = lint(load([FIXTURES / "exported-dashboard.json"]))
    # ${DS_PROMETHEUS} in every panel is one cause, reported once (datasource-input), not once per panel
    assert sorted({f.rule for f in report.findings}) == [
        "datasource-input", "rate-interval", "template-datasource", "template-instance",
        "template-job", "template-refresh", "unguarded-denominator"]


def test_built_in_dashboards_lint_clean() -> None:
    report = lint(load())
    assert report.findings == [] and report.dashboards == 4
    committed = sorted((Path(__file__).parent.parent / "dashboards").glob("*.json"))
    assert len(committed) == 4 and lint(load(committed)).findings == []


def test_recorded_built_in_dashboards_lint_clean(tmp_path: Path) -> None:
    assert CliRunner().invoke(main, ["build", "--recording-rules", "-o", str(tmp_path)]).exit_code == 0
    assert lint(load(sorted(tmp_path.glob("*.json")))).findings == []


def test_cli_exit_codes_and_json(tmp_path: Path) -> None:
    clean = CliRunner().invoke(main, ["lint"])
    assert clean.exit_code == 0 and clean.stdout.strip() == "0 errors, 0 warnings in 4 dashboards"
    bad = CliRunner().invoke(main, ["lint", str(CLASSIC), "--format", "json"])
    assert bad.exit_code == 1
    body = json.loads(bad.stdout)
    assert body["errors"] == 13 and body["warnings"] == 7
    first = body["findings"][0]
    assert set(first) == {"rule", "severity", "category", "dashboard", "panel", "panel_id", "ref", "expression",
                          "part", "message", "source"}
    assert first["category"] == "correctness" and first["severity"] == "error" and first["expression"]
    ranks = [(f["category"] != "correctness", f["severity"] != "error") for f in body["findings"]]
    assert ranks == sorted(ranks)


def test_exclusions_and_unused_exclusions(tmp_path: Path) -> None:
    config = tmp_path / ".triton-dash-lint.yaml"
    config.write_text(
        "exclude:\n"
        "  - rule: irate-in-panel\n    panel: irate\n    reason: last-two-samples view is wanted here\n"
        "  - rule: rate-interval\n    dashboard: classic-mistakes\n    reason: fixed 30s window on purpose\n"
        "  - rule: removed-family\n    panel: No such panel\n    reason: stale\n")
    result = CliRunner().invoke(main, ["lint", str(CLASSIC), "--config", str(config)])
    lines = result.stdout.splitlines()
    assert not any("irate-in-panel" in line or " rate-interval " in line for line in lines)
    unused = [line for line in lines if "unused-exclusion" in line]
    assert unused == [f"WARNING unused-exclusion               {config}: exclusion removed-family "
                      "panel='No such panel' matches no finding: remove it"]
    assert lines[-1] == "13 errors, 6 warnings in 1 dashboard (2 excluded)"


def test_config_from_pyproject(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.triton-dash.lint]\nexclude = [{rule = "panel-units", panel = "No unit", reason = "a count"}]\n')
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["lint", str(CLASSIC)])
    assert "panel-units" not in result.stdout and "(1 excluded)" in result.stdout


EXCLUDE_ONE = 'rule = "panel-units", panel = "No unit", reason = "a count"'


@pytest.mark.parametrize(("name", "text"), [
    ("triton-dash.toml", f'job = "triton"\n[lint]\nexclude = [{{{EXCLUDE_ONE}}}]\n'),
    ("triton-dash.toml", f'job = "triton"\n\n[[lint.exclude]]\n{EXCLUDE_ONE.replace(", ", chr(10))}\n'),
    ("triton-dash.toml", f'lint = {{exclude = [{{{EXCLUDE_ONE}}}]}}\njob = "triton"\n'),
    ("triton-dash.toml", f'[lint]\n[[lint.exclude]]\n{EXCLUDE_ONE.replace(", ", chr(10))}\n'),
    ("pyproject.toml", f'[tool.triton-dash.lint]\nexclude = [{{{EXCLUDE_ONE}}}]\n'),
    ("pyproject.toml", f'[project]\nname = "x"\n[[tool.triton-dash.lint.exclude]]\n'
                       f'{EXCLUDE_ONE.replace(", ", chr(10))}\n'),
    ("pyproject.toml", f'[tool.triton-dash]\njob = "triton"\nlint = {{exclude = [{{{EXCLUDE_ONE}}}]}}\n'),
    ("pyproject.toml", f'[tool]\ntriton-dash = {{lint = {{exclude = [{{{EXCLUDE_ONE}}}]}}}}\n'),
])
def test_config_from_toml_in_any_valid_form(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str,
                                            text: str) -> None:
    (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    assert find_config(tmp_path) == tmp_path / name
    (exclusion,) = load_config(tmp_path / name, {"panel-units"})
    assert (exclusion.rule, exclusion.panel, exclusion.reason) == ("panel-units", "No unit", "a count")
    result = CliRunner().invoke(main, ["lint", str(CLASSIC)])
    assert "panel-units" not in result.stdout and "(1 excluded)" in result.stdout, result.stdout


@pytest.mark.parametrize(("name", "text"), [
    ("triton-dash.toml", 'job = "triton"\n# [lint] is only a comment here\n'),
    ("pyproject.toml", '[tool.other]\nx = "[tool.triton-dash.lint]"\n'),
    ("pyproject.toml", '[tool.triton-dash]\njob = "triton"\n'),
])
def test_a_toml_without_a_lint_table_is_not_the_lint_config(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text)
    assert find_config(tmp_path) is None


@pytest.mark.parametrize(("text", "says"), [
    ('[lint\nexclude = []\n', "triton-dash.toml: not valid TOML"),
    ('lint = 3\n', "triton-dash.toml: lint must be a table"),
    ('[lint.exclude]\nrule = "panel-units"\n', "expected exclude = [...] under [lint], or [[lint.exclude]] tables"),
    ('[[lint.exclude]]\nrule = "panel-units"\n', "exclusion 1 (panel-units) has no reason"),
])
def test_a_bad_lint_table_in_the_profile_is_one_line_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             text: str, says: str) -> None:
    (tmp_path / "triton-dash.toml").write_text(text)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["lint", str(CLASSIC)])
    assert result.exit_code == 2
    assert says in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_lint_help_names_every_config_file() -> None:
    text = " ".join(CliRunner().invoke(main, ["lint", "--help"]).stdout.split())
    assert ".triton-dash-lint.yaml" in text and "triton-dash.toml" in text and "pyproject.toml" in text


def test_exclusion_matches_by_dashboard_title_or_uid() -> None:
    doc = {"title": "T", "uid": "u"}
    assert Exclusion("r", "why", dashboard="T").matches("r", doc, "p")
    assert Exclusion("r", "why", dashboard="u").matches("r", doc, "p")
    assert not Exclusion("r", "why", dashboard="other").matches("r", doc, "p")
    assert not Exclusion("r", "why", panel="q").matches("r", doc, "p")


def test_any_grafana_shape_is_read(tmp_path: Path) -> None:
    doc = json.loads(CLASSIC.read_text())
    wrapped = tmp_path / "api.json"
    wrapped.write_text(json.dumps({"dashboard": doc, "meta": {}}))
    k8s = tmp_path / "k8s.json"
    k8s.write_text(json.dumps({"apiVersion": "dashboard.grafana.app/v1", "kind": "Dashboard", "spec": doc}))
    assert _by_panel(wrapped) == _by_panel(CLASSIC) == _by_panel(k8s)


MEANING = FIXTURES / "meaning-mistakes.json"
MEANING_EXPECTED: dict[str, list[str]] = json.loads((FIXTURES / "meaning-mistakes.expected.json").read_text())


def test_each_meaning_level_mistake_gives_exactly_its_rule() -> None:
    """Rates of time totals, wrong denominators, batch size, ratio units, categories, layouts, quantiles."""
    found = {title: sorted(rules) for title, rules in _by_panel(MEANING).items()}
    assert found == {title: sorted(rules) for title, rules in MEANING_EXPECTED.items() if rules}


def test_foreign_families_are_known_by_type_not_by_suffix() -> None:
    report = lint(load([MEANING]))
    (info,) = report.info
    assert (info.panel, info.rule, info.severity) == ("App requests", "unknown-metric", "info")  # not ours
    assert not any(f.panel in ("Upstream vLLM running", "Router healthy pods") for f in report.findings)


def test_targets_that_are_not_promql_are_listed_not_parsed() -> None:
    report = lint(load([MEANING]))
    assert [(n.panel, n.ref, n.reason) for n in report.not_checked] == [
        ("Triton errors in logs", "A", "loki"), ("Requests and logs", "B", "loki"),
        ("Shared queue panel", "", "library panel triton-lib-1")]
    text = report.text(verbose=True)
    assert "Triton errors in logs [A]: not checked: loki" in text
    assert "not checked: loki" not in report.text()
    assert "3 not checked (see --verbose)" in report.text()


def test_targets_without_refid_are_numbered_and_expressions_shown() -> None:
    report = lint(load([MEANING]))
    (fixed,) = [f for f in report.findings if f.panel == "No refIds"]
    assert fixed.ref == "#2"
    assert fixed.part == 'rate(nv_inference_request_failure{job=~"$job", instance=~"$instance"}[5m])'
    lines = report.text().splitlines()
    at = next(i for i, line in enumerate(lines) if "No refIds [#2]" in line)
    assert lines[at + 1] == f"    {fixed.expression}"
    assert lines[at + 2] == "    " + " " * fixed.expression.index(fixed.part) + "^" * len(fixed.part)


def test_one_cause_in_many_panels_is_one_line() -> None:
    lines = lint(load([MEANING])).text().splitlines()
    (line,) = [line for line in lines if "ratio-unit" in line and "0-1 ratio" in line]
    assert "3 targets (GPU utilisation [A], KV cache used [A], GPU memory used [A])" in line


def test_legacy_rows_are_checked_like_panels() -> None:
    found = _by_panel(FIXTURES / "legacy-rows.json")
    assert found == {"": ["template-job", "template-instance"],
                     "Queue time": ["duration-rate-as-time", "rate-interval"], "GPU": ["ratio-unit"]}


def test_select_ignore_and_the_ci_gate() -> None:
    hygiene_only = CliRunner().invoke(main, ["lint", str(FIXTURES / "exported-dashboard.json")])
    assert hygiene_only.exit_code == 0  # hygiene errors (datasource-input) do not fail by default
    strict = CliRunner().invoke(main, ["lint", "--select", "hygiene", str(FIXTURES / "exported-dashboard.json")])
    assert strict.exit_code == 1
    only = CliRunner().invoke(main, ["lint", "--select", "ratio-unit,batch-size-ratio", "--format", "json",
                                     str(MEANING)])
    assert only.exit_code == 1
    assert {f["rule"] for f in json.loads(only.stdout)["findings"]} == {"ratio-unit", "batch-size-ratio"}
    ignored = CliRunner().invoke(main, ["lint", "--ignore", "correctness", "--format", "json", str(MEANING)])
    assert ignored.exit_code == 0
    assert {f["category"] for f in json.loads(ignored.stdout)["findings"]} == {"hygiene"}
    bad = CliRunner().invoke(main, ["lint", "--select", "no-such-rule", str(MEANING)])
    assert bad.exit_code == 2 and bad.output.startswith("Error: unknown rule or category 'no-such-rule'")


@pytest.mark.parametrize(("written", "expanded"), [
    ("$__rate_interval_ms", "60000"), ("$__interval_ms", "15000"), ("$__range_s", "3600"), ("$__range_ms", "3600000"),
    ("${__to:date:seconds}", "1767225600"), ("$__to", "1767225600000"), ("${__from:date:seconds}", "1767222000"),
    ("${__from:date}", "2025-12-31T23:00:00.000Z"), ("$__all", ".*"), ("${job:regex}", "a"), ("${job:pipe}", "a"),
    ("${job:csv}", "a"), ("[[job]]", "a"), ("${__user.login}", "__user_login"),
])
def test_every_grafana_macro_and_format_expands(written: str, expanded: str) -> None:
    from triton_dash.analysis.variables import expand

    assert expand(written, {"job": "a"}) == expanded


def test_rule_table_in_docs_is_current() -> None:
    """docs/lint-rules.md is generated from the registry: python -m triton_dash.lint.docs > docs/lint-rules.md."""
    from triton_dash.lint.docs import rule_table

    committed = (Path(__file__).parent.parent / "docs" / "lint-rules.md").read_text(encoding="utf-8")
    assert committed == rule_table()
    assert all(f"| `{rule}` |" in committed for rule in RULES)


def test_every_rule_is_registered_with_its_facts() -> None:
    from triton_dash.lint.registry import CATEGORIES, SCOPES, SEVERITIES, checks

    assert all(r.category in CATEGORIES and r.scope in SCOPES and r.severity in SEVERITIES and r.doc
               for r in RULES.values())
    runner_reported = {r.id for r in RULES.values() if r.reported_by_runner}
    assert runner_reported == {"promql-parse", "unused-exclusion"}
    checked = {rule.id for scope in SCOPES for rule, _ in checks(scope)}
    assert checked == set(RULES) - runner_reported  # no registered no-op check


def _dashboard(*targets: dict[str, object], unit: str = "ms", title: str = "Queue time") -> list[Dashboard]:
    panel = {"id": 1, "type": "timeseries", "title": title, "description": "d",
             "datasource": {"type": "prometheus", "uid": "${datasource}"},
             "fieldConfig": {"defaults": {"unit": unit}}, "targets": list(targets)}
    doc = {"title": "t", "templating": {"list": [{"name": "datasource", "type": "datasource", "query": "prometheus"}]},
           "panels": [panel]}
    return [Dashboard("inline", doc)]


def _correctness(dashboards: list[Dashboard]) -> list[str]:
    return [f.rule for f in lint(dashboards, selection=Selection.parse(["correctness"])).findings]


def test_a_number_only_fed_to_an_expression_is_not_judged_by_its_presentation() -> None:
    a = {"refId": "A", "expr": "sum(rate(nv_inference_queue_duration_us[$__rate_interval]))"}
    b = {"refId": "B", "expr": "sum(rate(nv_inference_request_success[$__rate_interval]))", "hide": True}
    math = {"refId": "C", "datasource": {"type": "__expr__", "uid": "__expr__"}, "type": "math",
            "expression": "$A / $B"}
    assert _correctness(_dashboard(a, b, math)) == []
    assert _correctness(_dashboard(a)) == ["duration-rate-as-time"]


def test_unknown_total_is_a_hint_and_types_come_from_a_scrape(tmp_path: Path) -> None:
    raw = {"refId": "A", "expr": "sum(my_app_requests_total)"}
    gauge = {"refId": "B", "expr": "rate(my_app_queue_length[$__rate_interval])"}
    report = lint(_dashboard(raw, gauge, unit="short", title="App"))
    assert report.findings == [] and {f.rule for f in report.info} == {"counter-not-rated", "unknown-metric"}
    scrape = tmp_path / "metrics.prom"
    scrape.write_text("# TYPE my_app_requests counter\nmy_app_requests_total 3\n"
                      "# TYPE my_app_queue_length gauge\nmy_app_queue_length 1\n")
    from triton_dash.lint.exposition import load_types

    typed = lint(_dashboard(raw, gauge, unit="short", title="App"), types=load_types([scrape]))
    assert sorted(f.rule for f in typed.findings) == ["counter-not-rated", "gauge-under-rate"] and not typed.info
    metadata = tmp_path / "metadata.json"
    metadata.write_text(json.dumps({"status": "success", "data": {"my_app_queue_length": [{"type": "gauge"}]}}))
    result = CliRunner().invoke(main, ["lint", "--types", str(metadata), "--format", "json", str(CLASSIC)])
    assert result.exit_code == 1
    bad = CliRunner().invoke(main, ["lint", "--types", str(tmp_path / "missing.prom"), str(CLASSIC)])
    assert bad.exit_code == 2 and bad.output.startswith("Error: ") and len(bad.output.splitlines()) == 1


def test_an_axis_label_presents_a_time() -> None:
    target = {"refId": "A", "expr": "rate(nv_inference_queue_duration_us[$__rate_interval]) / 1000"}
    (dashboard,) = _dashboard(target, unit="short", title="Queue")
    assert _correctness([dashboard]) == []
    dashboard.document["panels"][0]["fieldConfig"]["defaults"]["custom"] = {"axisLabel": "queue time (ms)"}
    assert _correctness([dashboard]) == ["duration-rate-as-time"]


@pytest.mark.parametrize(("panel_ds", "target_ds", "expr", "language"), [
    (None, None, "rate(x[5m])", "prometheus"),  # the default datasource
    ({"type": "loki", "uid": "abc"}, None, '{app="t"}', "loki"),
    ("$logs", None, '{app="t"}', "loki"),  # a datasource variable whose query is loki
    ("${DS_LOKI}", None, '{app="t"}', "loki"),  # an export placeholder, typed by __inputs
    ("${DS_PROMETHEUS}", None, "up", "prometheus"),
    ({"type": "datasource", "uid": "-- Mixed --"}, {"uid": "$logs"}, '{app="t"}', "loki"),
    ({"type": "datasource", "uid": "-- Mixed --"}, {"type": "prometheus", "uid": "x"}, "up", "prometheus"),
    ("-- Mixed --", None, "up", "prometheus"),
    ("Loki", None, '{app="t"}', "loki"),  # a legacy reference by name
    (None, None, '{container="triton"} |~ "ERROR"', "loki"),  # the default datasource, but LogQL
    ({"type": "__expr__", "uid": "__expr__"}, None, None, "__expr__"),
    ("-- Grafana --", None, None, "grafana"),
])
def test_the_datasource_decides_the_language(panel_ds: object, target_ds: object, expr: object,
                                             language: str) -> None:
    from triton_dash.analysis.datasources import language as language_of

    doc = {"templating": {"list": [{"name": "logs", "type": "datasource", "query": "loki"}]},
           "__inputs": [{"name": "DS_LOKI", "type": "datasource", "pluginId": "loki"},
                        {"name": "DS_PROMETHEUS", "type": "datasource", "pluginId": "prometheus"}]}
    target = {"refId": "A", **({"expr": expr} if expr else {}), **({"datasource": target_ds} if target_ds else {})}
    assert language_of(doc, {"datasource": panel_ds} if panel_ds else {}, target) == language


def test_a_datasource_variable_named_like_an_export_placeholder_is_fine() -> None:
    """A dashboard whose templating defines DS_PROMETHEUS: ${DS_PROMETHEUS} is its variable, not a placeholder."""
    target = {"refId": "A", "expr": "sum(rate(nv_inference_request_success[$__rate_interval]))"}
    (dashboard,) = _dashboard(target, unit="reqps", title="Requests")
    doc = dashboard.document
    doc["templating"]["list"][0]["name"] = "DS_PROMETHEUS"
    doc["panels"][0]["datasource"] = {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}
    rules = {f.rule for f in lint([dashboard]).findings}
    assert not rules & {"datasource-hardcoded", "datasource-input", "template-datasource"}


@pytest.mark.parametrize(("title", "unit", "expr", "rules"), [
    ("Queue Time (milliseconds)", "short", "rate(nv_inference_queue_duration_us[30s]) / 1000",
     ["duration-rate-as-time"]),
    ("Compute Time by Model", "ms", "sum(rate(nv_inference_compute_infer_duration_us[30s])) by (model) / 1000",
     ["duration-rate-as-time"]),
    ("Queue Time", "s", "rate(vllm:request_queue_time_seconds_sum[$__rate_interval])", ["duration-rate-as-time"]),
    ("Queue time", "ms", "nv_inference_queue_duration_us / nv_inference_count / 1000",
     ["counter-not-rated", "counter-not-rated", "wrong-denominator", "wrong-denominator"]),
    ("Average Batch Size", "short", "rate(nv_inference_request_success[$__rate_interval]) / "
     "rate(nv_inference_exec_count[$__rate_interval])", ["batch-size-ratio"]),
    ("GPU utilisation", "percent", "nv_gpu_utilization", ["ratio-unit"]),
    ("TRT-LLM general", "short", "avg(nv_trt_llm_general_metrics)", ["category-summed"]),
    ("DRAM active", "percentunit", "rate(DCGM_FI_PROF_DRAM_ACTIVE[$__rate_interval])", ["gauge-under-rate"]),
    ("PCIe TX", "Bps", "rate(DCGM_FI_PROF_PCIE_TX_BYTES[$__rate_interval])", ["gauge-under-rate"]),
    ("Running", "short", 'vllm:num_requests_running{model_name="m"}', []),
    ("KV cache", "percentunit", "vllm:kv_cache_usage_perc", []),
    ("Prefix hits", "short", "rate(vllm:prefix_cache_hits_total[$__rate_interval])", []),
    ("Healthy pods", "short", "vllm:healthy_pods_total", []),
    ("Macros", "short", "sum(rate(nv_inference_count[$__rate_interval])) * $__rate_interval_ms / 1000 + 0 * "
     "($__to - $__from) + 0 * ${__to:date:seconds} + 0 * $__range_s + 0 * $__interval_ms", []),
])
def test_the_issues_own_examples(title: str, unit: str, expr: str, rules: list[str]) -> None:
    """Issue 16's examples, each as the one target of a panel: exactly the rules it names, and nothing else."""
    assert sorted(_correctness(_dashboard({"refId": "A", "expr": expr}, unit=unit, title=title))) == rules


def test_a_loki_panel_and_a_vllm_dashboard_get_no_triton_advice() -> None:
    loki = {"refId": "A", "expr": '{container="triton_server"} |~ "ERROR"', "datasource": {"type": "loki"}}
    vllm = {"refId": "B", "expr": "sum(vllm:num_requests_running)"}
    report = lint(_dashboard(loki, vllm, unit="short", title="Logs and load"))
    assert [f.rule for f in report.findings] == [] and [n.reason for n in report.not_checked] == ["loki"]


def test_check_and_lint_share_which_targets_are_promql() -> None:
    """analysis.variables.targets (what check queries) leaves out Loki targets, as lint does."""
    from triton_dash.analysis.variables import targets

    doc = json.loads(MEANING.read_text())
    panels = {p["title"] for p, _ in targets(doc)}
    assert "Triton errors in logs" not in panels and "Requests and logs" in panels
    assert [t["refId"] for p, t in targets(doc) if p["title"] == "Requests and logs"] == ["A"]


def test_tokens_per_engine_step_may_be_called_batch_size() -> None:
    expr = ("rate(vllm:iteration_tokens_total_sum[$__rate_interval]) / "
            "rate(vllm:iteration_tokens_total_count[$__rate_interval])")
    assert _correctness(_dashboard({"refId": "A", "expr": expr}, unit="short", title="Batch size (tokens)")) == []


def test_a_newer_triton_family_declared_by_the_scrape_is_not_a_typo(tmp_path: Path) -> None:
    from triton_dash.lint.exposition import parse_types

    target = {"refId": "A", "expr": "histogram_quantile(0.9, sum by (le, model) "
                                    "(rate(nv_inference_queue_duration_histogram_us_bucket[$__rate_interval])))"}
    assert _correctness(_dashboard(target, unit="µs", title="Queue p90")) == ["unknown-metric"]
    types = parse_types("# TYPE nv_inference_queue_duration_histogram_us histogram\n")
    report = lint(_dashboard(target, unit="µs", title="Queue p90"), selection=Selection.parse(["correctness"]),
                  types=types)
    assert report.findings == []


def test_a_raw_counter_titled_total_is_a_warning_a_raw_counter_shown_as_a_rate_an_error() -> None:
    target = {"refId": "A", "expr": "sum(nv_inference_request_success)"}
    (total,) = lint(_dashboard(target, unit="short", title="Total requests"),
                    selection=Selection.parse(["counter-not-rated"])).findings
    assert total.severity == "warning" and "increase(nv_inference_request_success[$__range])" in total.message
    (rate,) = lint(_dashboard(target, unit="reqps", title="Total requests"),
                   selection=Selection.parse(["counter-not-rated"])).findings
    assert rate.severity == "error"


def test_a_library_panel_is_checked_when_the_export_holds_its_model() -> None:
    doc = json.loads(MEANING.read_text())
    doc["__elements"] = {"triton-lib-1": {"name": "Shared queue panel", "kind": 1, "model": {
        "type": "timeseries", "title": "Shared queue panel", "description": "d",
        "datasource": {"type": "prometheus", "uid": "${datasource}"}, "fieldConfig": {"defaults": {"unit": "ms"}},
        "targets": [{"refId": "A", "expr": 'rate(nv_inference_queue_duration_us{job=~"$job", '
                                           'instance=~"$instance"}[$__rate_interval]) / 1000'}]}}}
    report = lint([Dashboard("inline", doc)])
    assert "Shared queue panel" not in {n.panel for n in report.not_checked}
    assert ("Shared queue panel", "duration-rate-as-time") in {(f.panel, f.rule) for f in report.findings}
