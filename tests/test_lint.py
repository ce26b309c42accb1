"""``lint``: each classic mistake gives exactly its rule id; our dashboards give none; exclusions work."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from triton_dash.analysis.sources import load
from triton_dash.cli import main
from triton_dash.lint import RULES, lint
from triton_dash.lint.config import Exclusion

FIXTURES = Path(__file__).parent / "fixtures" / "lint"
CLASSIC = FIXTURES / "classic-mistakes.json"
EXPECTED: dict[str, list[str]] = json.loads((FIXTURES / "classic-mistakes.expected.json").read_text())


def _by_panel(path: Path) -> dict[str, list[str]]:
    report = lint(load([path]))
    out: dict[str, list[str]] = {}
    for finding in report.findings:
        out.setdefault(finding.panel, []).append(finding.rule)
    return out


def test_each_classic_mistake_gives_exactly_its_rule() -> None:
    found = _by_panel(CLASSIC)
    expected = {("(untitled)" if title == "" else title): rules for title, rules in EXPECTED.items()}
    assert found == expected


def test_every_rule_is_exercised_by_a_fixture() -> None:
    seen = {f.rule for path in FIXTURES.glob("*.json") if not path.name.endswith(".expected.json")
            for f in lint(load([path])).findings}
    assert set(RULES) - seen == set()


def test_an_export_like_nvidias_is_caught() -> None:
    report = lint(load([FIXTURES / "exported-dashboard.json"]))
    assert sorted({f.rule for f in report.findings}) == [
        "datasource-hardcoded", "datasource-input", "rate-interval", "template-datasource", "template-instance",
        "template-job", "template-refresh", "unguarded-denominator"]


def test_built_in_dashboards_lint_clean() -> None:
    report = lint(load())
    assert report.findings == [] and report.dashboards == 3
    committed = sorted((Path(__file__).parent.parent / "dashboards").glob("*.json"))
    assert len(committed) == 3 and lint(load(committed)).findings == []


def test_recorded_built_in_dashboards_lint_clean(tmp_path: Path) -> None:
    assert CliRunner().invoke(main, ["build", "--recording-rules", "-o", str(tmp_path)]).exit_code == 0
    assert lint(load(sorted(tmp_path.glob("*.json")))).findings == []


def test_cli_exit_codes_and_json(tmp_path: Path) -> None:
    clean = CliRunner().invoke(main, ["lint"])
    assert clean.exit_code == 0 and clean.stdout.strip() == "0 errors, 0 warnings in 3 dashboards"
    bad = CliRunner().invoke(main, ["lint", str(CLASSIC), "--format", "json"])
    assert bad.exit_code == 1
    body = json.loads(bad.stdout)
    assert body["errors"] == 13 and body["warnings"] == 7
    first = body["findings"][0]
    assert set(first) == {"rule", "severity", "dashboard", "panel", "ref_id", "message", "source"}


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
