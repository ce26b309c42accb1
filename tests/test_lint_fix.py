"""``lint --fix``: each recognised mistake rewritten through the query functions, everything else left byte for byte.

Offline: the rewrites of the issue's examples, idempotence, untouched targets and
panels identical in the bytes of the file, --diff and --out, exit codes, the file
mode kept. The numbers the fixed targets show are proven in test_lint_fix_numbers.py.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from triton_dash import queries
from triton_dash.analysis.promql import parse
from triton_dash.analysis.sources import load
from triton_dash.cli import main
from triton_dash.lint import lint
from triton_dash.lint.fix import fix_text
from triton_dash.lint.intent import recognise, with_placeholders
from triton_dash.lint.jsonedit import Span, patch, scan
from triton_dash.selector import MODEL_GROUPING, Selector

FIXTURES = Path(__file__).parent / "fixtures" / "lint"
EXAMPLES = FIXTURES / "fix" / "issue-examples.json"
CORPUS = FIXTURES / "corpus"
REPO = Path(__file__).resolve().parent.parent
NONE = Selector(job=None, instance=None, model=None, version=None, gpu=None)
MODEL_VAR = NONE.with_(model="$model")


def _corpus() -> list[Path]:
    return sorted(CORPUS.glob("*.json")) if CORPUS.is_dir() else []


def _panels(doc: dict[str, Any]) -> dict[Any, dict[str, Any]]:
    out = {}
    for panel in doc.get("panels", []):
        out[panel.get("id")] = panel
        out.update({p.get("id"): p for p in panel.get("panels", []) or []})
    return out


def _fixed(path: Path = EXAMPLES) -> tuple[dict[str, Any], dict[str, Any], str]:
    text = path.read_text(encoding="utf-8")
    result = fix_text(text, path.name)
    return json.loads(text), json.loads(result.text), result.text


# --- the rewrites -----------------------------------------------------------------------------------

EXPECTED = {  # panel id -> (expression the query functions write, unit)
    # A title that names a unit keeps it: the time in s is scaled into it, so the number matches the title.
    1: (f'({queries.queue_time_per_request(NONE, ("instance",))}) * 1e3', "ms"),
    2: (queries.compute_infer_time_per_request(NONE, ("model",)), "s"),
    3: (f"""({queries.queue_time_per_request(NONE.with_(model="$model", extra=(("namespace", "=", "$namespace"),)),
                                         MODEL_GROUPING)}) * 1e3""", "ms"),
    4: (queries.batch_size(NONE, ("model", "version")), "short"),
    5: ("(nv_gpu_utilization) * 100", "percent"),  # min/max 0-100 in percent: the number is scaled, not the unit
    7: (f'({queries.compute_time_per_request(NONE, ("model",))}) * 1e3', "ms"),  # had no unit: the title's
    8: (f'({queries.queue_time_per_request(NONE, ("pod",))}) * 1e6', "µs"),
    10: (queries.histogram_quantile(queries.llm.m.VLLM_TIME_TO_FIRST_TOKEN, "0.9", MODEL_VAR, MODEL_GROUPING), "s"),
    11: (queries.error_ratio(MODEL_VAR, ("model",)), "percentunit"),
}


def _unit(panel: dict[str, Any]) -> str:
    return str(((panel.get("fieldConfig") or {}).get("defaults") or {}).get("unit")
               or (panel.get("yaxes") or [{}])[0].get("format") or "")


@pytest.mark.parametrize("panel_id", sorted(EXPECTED))
def test_each_issue_example_becomes_the_query_functions_number(panel_id: int) -> None:
    _, after, _ = _fixed()
    panel = _panels(after)[panel_id]
    expr, unit = EXPECTED[panel_id]
    assert panel["targets"][0]["expr"] == expr
    assert _unit(panel) == unit


def test_the_fixed_examples_lint_clean_of_every_target_finding() -> None:
    _, after, _ = _fixed()
    report = lint(load([_write(after)]))
    assert [f for f in report.findings if f.ref_id] == []


def _write(doc: dict[str, Any], tmp: Path | None = None) -> Path:
    path = (tmp or Path(os.environ.get("TMPDIR", "/tmp"))) / f"fixed-{os.getpid()}.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_ids_titles_positions_types_legends_and_every_panel_are_kept() -> None:
    before, after, _ = _fixed()
    old, new = _panels(before), _panels(after)
    assert old.keys() == new.keys()
    for panel_id, panel in old.items():
        for key in ("id", "title", "gridPos", "type"):
            assert new[panel_id].get(key) == panel.get(key)
        assert [t.get("legendFormat") for t in new[panel_id].get("targets", [])] == \
            [t.get("legendFormat") for t in panel.get("targets", [])]
        assert [t.get("refId") for t in new[panel_id].get("targets", [])] == \
            [t.get("refId") for t in panel.get("targets", [])]


def _span_texts(text: str) -> dict[Any, str]:
    """Each panel's (and each nested panel's) exact text in the file, by id."""
    root = scan(text)
    doc = json.loads(text)
    out: dict[Any, str] = {}

    def visit(panels: list[dict[str, Any]], spans: Span) -> None:
        for panel, span in zip(panels, spans.items, strict=True):
            out[panel.get("id")] = text[span.start:span.end]
            if "panels" in panel:
                visit(panel["panels"], span.members["panels"])

    visit(doc["panels"], root.members["panels"])
    return out


def test_untouched_panels_and_the_rest_of_the_file_are_byte_identical() -> None:
    original = EXAMPLES.read_text(encoding="utf-8")
    _, _, fixed = _fixed()
    before, after = _span_texts(original), _span_texts(fixed)
    assert after[6] == before[6]  # the correct Requests/s panel
    assert after[9] != before[9]  # the row holds changed panels
    head, tail = original.index('"templating"'), fixed.index('"templating"')
    assert fixed[tail:] == original[head:]  # everything after the panels, as written
    assert fixed[:fixed.index('"panels"')] == original[:original.index('"panels"')]
    # inline objects the fixer did not change stay on their line
    assert '"gridPos": {"h": 8, "w": 12, "x": 12, "y": 16},' in fixed


def test_a_correct_target_is_left_alone_and_the_built_in_dashboards_do_not_change() -> None:
    for path in sorted((REPO / "dashboards").glob("*.json")):
        text = path.read_text(encoding="utf-8")
        result = fix_text(text, path.name)
        assert result.repairs == [] and result.text == text and not result.failed, path.name


@pytest.mark.parametrize("path", [EXAMPLES, *_corpus()], ids=lambda p: p.name)
def test_a_second_fix_changes_nothing(path: Path) -> None:
    once = fix_text(path.read_text(encoding="utf-8"), path.name)
    twice = fix_text(once.text, path.name)
    assert twice.text == once.text and twice.repairs == []


@pytest.mark.parametrize("path", [EXAMPLES, *_corpus()], ids=lambda p: p.name)
def test_every_repaired_target_is_valid_promql_and_fixes_what_it_fixed(path: Path) -> None:
    result = fix_text(path.read_text(encoding="utf-8"), path.name)
    for repair in result.repairs:
        parse(with_placeholders(repair.after))  # raises on invalid PromQL
        still = {r.rule for r in result.remaining if (r.panel, r.ref_id) == (repair.panel, repair.ref_id)}
        assert not still & set(repair.rules) - {"histogram-mixed-layouts"}, (repair, still)


@pytest.mark.parametrize("path", [EXAMPLES, *_corpus()], ids=lambda p: p.name)
def test_only_targets_and_units_change(path: Path) -> None:
    """Strip every target's expr and every unit: what is left is the same document."""
    text = path.read_text(encoding="utf-8")

    def skeleton(doc: Any) -> Any:
        if isinstance(doc, dict):
            return {k: skeleton(v) for k, v in doc.items() if k not in ("expr", "unit", "format", "fieldConfig")}
        if isinstance(doc, list):
            return [skeleton(v) for v in doc]
        return doc

    assert skeleton(json.loads(fix_text(text, path.name).text)) == skeleton(json.loads(text))


UNFIXABLE = {"title": "t", "panels": [{"id": 1, "type": "stat", "title": "Cumulative Inference Requests",
                                       "targets": [{"refId": "A", "expr": "sum(nv_inference_request_success)"}]}]}


def test_what_cannot_be_fixed_is_reported_and_fails() -> None:
    result = fix_text(json.dumps(UNFIXABLE), "cumulative.json")
    assert result.repairs == [] and not result.changed
    (left,) = [r for r in result.remaining if r.ref_id == "A"]
    assert left.rule == "counter-not-rated" and left.message.startswith("not fixed: a raw counter is a running total")
    assert result.failed


def test_exit_1_when_a_correctness_finding_is_left(tmp_path: Path) -> None:
    path = tmp_path / "cumulative.json"
    path.write_text(json.dumps(UNFIXABLE), encoding="utf-8")
    result = CliRunner().invoke(main, ["lint", "--fix", str(path)])
    assert result.exit_code == 1
    assert "left    " in result.stdout and "counter-not-rated: not fixed" in result.stdout
    ignored = CliRunner().invoke(main, ["lint", "--fix", "--ignore", "counter-not-rated", str(path)])
    assert ignored.exit_code == 0, ignored.output


def test_a_selector_keeps_the_targets_own_matchers_and_variables() -> None:
    intent = recognise('rate(nv_inference_queue_duration_us{job="triton", namespace=~"$ns", pod!="x"}[1m]) / 1000',
                       title="Queue time", unit="ms", legend="{{pod}}")
    assert intent is not None
    assert intent.selector.job == "triton" and intent.selector.model is None
    assert set(intent.selector.extra) == {("namespace", "=~", "$ns"), ("pod", "!=", "x")}
    assert intent.by == ("pod",)
    formatted = recognise('rate(nv_inference_queue_duration_us{namespace=~"${ns:regex}", model="[[model]]"}[1m])',
                          title="Queue time", unit="s")
    assert formatted is not None and formatted.selector.model == "[[model]]"
    assert formatted.selector.extra == (("namespace", "=~", "${ns:regex}"),)  # the variable as written
    on_gpu = recognise('sum by (model) (rate(nv_inference_compute_infer_duration_us{gpu_uuid="GPU-1"}[1m]))',
                       title="Inference time", unit="s")
    assert on_gpu is not None and ("gpu_uuid", "=", "GPU-1") in on_gpu.selector.extra
    assert on_gpu.expression().count('gpu_uuid="GPU-1"') == on_gpu.expression().count("rate(")


def test_hygiene_alone_keeps_the_expression_and_repairs_it_in_place() -> None:
    """A right number with a fixed window and an unguarded denominator: windows and a guard, nothing else."""
    doc = {"title": "t", "panels": [{"id": 1, "type": "timeseries", "title": "Batch size",
                                     "targets": [{"refId": "A", "expr": "sum(rate(nv_inference_count[1m])) / "
                                                                        "sum(rate(nv_inference_exec_count[1m]))"}]}]}
    (repair,) = fix_text(json.dumps(doc), "batch.json").repairs
    assert repair.after == ("sum(rate(nv_inference_count[$__rate_interval])) / "
                            "(sum(rate(nv_inference_exec_count[$__rate_interval])) > 0)")
    assert repair.meaning == "" and repair.unit_after == repair.unit_before


def test_a_duration_rate_not_shown_as_a_time_is_not_rewritten() -> None:
    """µs of queueing per second, titled as such, is a deliberate number: only its window is fixed."""
    doc = {"title": "t", "panels": [{"id": 1, "type": "timeseries", "title": "Queue µs per second",
                                     "fieldConfig": {"defaults": {"unit": "short"}},
                                     "targets": [{"refId": "A",
                                                  "expr": "sum(rate(nv_inference_queue_duration_us[30s]))"}]}]}
    result = fix_text(json.dumps(doc), "rate.json")
    (repair,) = result.repairs
    assert repair.after == "sum(rate(nv_inference_queue_duration_us[$__rate_interval]))" and repair.meaning == ""


# --- the command --------------------------------------------------------------------------------------

def _copy(tmp_path: Path, source: Path = EXAMPLES, mode: int = 0o640) -> Path:
    path = tmp_path / source.name
    path.write_bytes(source.read_bytes())
    path.chmod(mode)
    return path


def test_fix_in_place_is_atomic_and_keeps_the_mode(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    result = CliRunner().invoke(main, ["lint", "--fix", str(path)])
    assert result.exit_code == 0, result.output  # only hygiene (no datasource variable) is left
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert path.read_text(encoding="utf-8") == fix_text(EXAMPLES.read_text(encoding="utf-8"), "x").text
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temporary file left
    assert "9 targets fixed" in result.stdout


def test_diff_prints_a_unified_diff_and_writes_nothing(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    before = path.stat().st_mtime_ns, path.read_bytes()
    result = CliRunner().invoke(main, ["lint", "--fix", "--diff", str(path)])
    assert result.exit_code == 0
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before
    assert result.stdout.startswith(f"--- a/{path}\n+++ b/{path}\n@@ ")
    assert '+        {"refId": "A", "expr": "(sum by (instance) (rate(nv_inference_queue_duration_us' in result.stdout
    as_json = CliRunner().invoke(main, ["lint", "--fix", "--diff", "--format", "json", str(path)])
    body = json.loads(as_json.stdout)
    assert body[0]["diff"] == result.stdout and len(body[0]["repairs"]) == 9


def test_out_writes_elsewhere_and_leaves_the_input(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    original = path.read_bytes()
    out = tmp_path / "fixed"
    result = CliRunner().invoke(main, ["lint", "--fix", "--out", str(out), str(path)])
    assert result.exit_code == 0
    assert path.read_bytes() == original
    assert json.loads((out / path.name).read_text(encoding="utf-8")) != json.loads(original)


def test_exit_0_when_the_fix_leaves_a_clean_dashboard(tmp_path: Path) -> None:
    """A built-in dashboard with one classic mistake put in: --fix makes it lint clean again."""
    doc = json.loads((REPO / "dashboards" / "triton-overview.json").read_text(encoding="utf-8"))
    panel = next(p for p in doc["panels"] if p.get("title") == "Queue time per request")
    panel["targets"][0]["expr"] = 'rate(nv_inference_queue_duration_us{job=~"$job"}[30s]) / 1000'
    path = tmp_path / "overview.json"
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    assert "Queue time per request" in CliRunner().invoke(main, ["lint", str(path)]).stdout
    result = CliRunner().invoke(main, ["lint", "--fix", str(path)])
    assert result.exit_code == 0, result.output
    after = CliRunner().invoke(main, ["lint", str(path)])
    assert after.exit_code == 0 and after.stdout.strip() == "0 errors, 0 warnings in 1 dashboard"
    fixed = next(p for p in json.loads(path.read_text())["panels"] if p.get("title") == "Queue time per request")
    assert fixed["targets"][0]["expr"] == queries.queue_time_per_request(NONE.with_(job="$job"), MODEL_GROUPING)
    assert "1 target fixed, 0 findings left" in result.stdout


def test_the_exit_status_is_lints_gate_on_what_is_left(tmp_path: Path) -> None:
    """A hard-coded datasource uid (an ERROR, hygiene) is left by --fix: exit 0 as lint's own, unless selected."""
    doc = json.loads((REPO / "dashboards" / "triton-overview.json").read_text(encoding="utf-8"))
    panel = next(p for p in doc["panels"] if p.get("title") == "Queue time per request")
    panel["targets"][0]["expr"] = 'rate(nv_inference_queue_duration_us{job=~"$job"}[30s]) / 1000'
    panel["datasource"] = {"type": "prometheus", "uid": "P1809F7CD0C75ACF3"}
    path = tmp_path / "overview.json"
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    plain = CliRunner().invoke(main, ["lint", "--format", "json", str(path)])
    assert any(f["rule"] == "datasource-hardcoded" and f["severity"] == "error" and f["category"] == "hygiene"
               for f in json.loads(plain.stdout)["findings"])
    as_lint = CliRunner().invoke(main, ["lint", "--ignore", "duration-rate-as-time,rate-interval", str(path)])
    result = CliRunner().invoke(main, ["lint", "--fix", "--diff", str(path)])
    assert (as_lint.exit_code, result.exit_code) == (0, 0), result.output
    summary = CliRunner().invoke(main, ["lint", "--fix", "--out", str(tmp_path / "out"), str(path)])
    assert summary.exit_code == 0
    assert summary.stdout.strip().splitlines()[-1].endswith(
        "; none fails lint (no error-level correctness finding): exit 0")
    selected = CliRunner().invoke(main, ["lint", "--fix", "--select", "hygiene,correctness", "--out",
                                         str(tmp_path / "sel"), str(path)])
    assert selected.exit_code == 1
    assert selected.stdout.strip().splitlines()[-1].endswith("; 1 of them fails lint (error-level correctness): "
                                                              "exit 1")
    left = CliRunner().invoke(main, ["lint", "--fix", "--out", str(tmp_path / "cum"), str(_unfixable(tmp_path))])
    assert left.exit_code == 1 and "of them fail" in left.stdout.strip().splitlines()[-1]


def _unfixable(tmp_path: Path) -> Path:
    path = tmp_path / "cumulative.json"
    path.write_text(json.dumps(UNFIXABLE), encoding="utf-8")
    return path


def test_lint_help_states_the_fix_exit_codes_as_the_code_behaves() -> None:
    text = " ".join(CliRunner().invoke(main, ["lint", "--help"]).stdout.split())
    assert ("0 when no error-level correctness finding is left (warnings and hygiene errors may remain: the "
            "summary counts them), 1 when one is left (or an error of a rule selected by name), 2 when an input "
            "or the configuration cannot be read") in text
    doc = " ".join((REPO / "docs" / "lint-fix.md").read_text(encoding="utf-8").split())
    assert "**0**: no error-level correctness finding is left" in doc
    assert "**1**: at least one error-level correctness finding is left" in doc


def test_loki_targets_and_a_dashboard_without_findings_are_left_as_they_are() -> None:
    for path in (CORPUS / "triton-mlops-logs.json", REPO / "dashboards" / "triton-llm.json"):
        text = path.read_text(encoding="utf-8")
        assert fix_text(text, path.name).text == text


@pytest.mark.parametrize(("name", "content"), [("bad.json", None), ("bad.json", "{not json"),
                                               ("bad.json", '{"title": "no panels"}'),
                                               ("my.dashboard.py", "dashboard = None")])
def test_exit_2_when_an_input_cannot_be_read(tmp_path: Path, name: str, content: str | None) -> None:
    path = tmp_path / name
    good = _copy(tmp_path)
    before = good.read_bytes()
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(main, ["lint", "--fix", str(good), str(path)])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and len(result.stderr.strip().splitlines()) == 1
    assert good.read_bytes() == before  # nothing written when one input is bad


@pytest.mark.parametrize("args", [["--diff"], ["--out", "x"], ["--fix"], ["--fix", "--diff", "--out", "x"]])
def test_option_mistakes_are_usage_errors(args: list[str]) -> None:
    extra = [str(EXAMPLES)] if args != ["--fix"] else []
    result = CliRunner().invoke(main, ["lint", *args, *extra])
    assert result.exit_code == 2 and "Error" in result.stderr


# --- the JSON editor ----------------------------------------------------------------------------------

def test_patch_keeps_a_minified_file_minified_and_a_wrapped_dashboard_wrapped() -> None:
    text = '{"dashboard":{"panels":[{"id":1,"targets":[{"expr":"a"}]}]},"overwrite":true}'
    new = {"panels": [{"id": 1, "targets": [{"expr": "b"}], "fieldConfig": {"defaults": {"unit": "s"}}}]}
    assert patch(text, new, ("dashboard",)) == (
        '{"dashboard":{"panels":[{"id":1,"targets":[{"expr":"b"}],"fieldConfig":{"defaults":{"unit":"s"}}}]},'
        '"overwrite":true}')


def test_patch_changes_nothing_when_nothing_changed() -> None:
    text = '{\n    "a": 1.0,\n    "b": "\\u00b5s",  "c": [1,2]\n}\n'
    assert patch(text, json.loads(text)) == text


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
                     | st.text(max_size=5), lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.text(max_size=4), inner, max_size=4), max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(before=_JSON, after=_JSON, indent=st.sampled_from([None, 1, 2, 4, "\t"]), ascii_only=st.booleans())
def test_patch_writes_exactly_the_new_document_and_nothing_when_nothing_changed(
        before: Any, after: Any, indent: Any, ascii_only: bool) -> None:
    text = json.dumps(before, indent=indent, ensure_ascii=ascii_only)
    assert patch(text, before) == text
    assert json.loads(patch(text, after)) == after


def test_line_endings_and_a_byte_order_mark_are_kept(tmp_path: Path) -> None:
    text = EXAMPLES.read_text(encoding="utf-8").replace("\n", "\r\n")
    path = tmp_path / "crlf.json"
    path.write_bytes(("\ufeff" + text).encode("utf-8"))
    assert CliRunner().invoke(main, ["lint", "--fix", str(path)]).exit_code == 0
    fixed = path.read_bytes().decode("utf-8")
    assert fixed.startswith("\ufeff") and "\n" not in fixed.replace("\r\n", "")
    assert fixed[1:].replace("\r\n", "\n") == fix_text(EXAMPLES.read_text(encoding="utf-8"), "x").text


# --- a title that names a unit ------------------------------------------------------------------------

def _time_panel(title: str, unit: str | None, *exprs: str) -> dict[str, Any]:
    panel: dict[str, Any] = {"id": 1, "type": "timeseries", "title": title,
                             "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
                             "targets": [{"refId": chr(65 + i), "expr": e} for i, e in enumerate(exprs)]}
    if unit is not None:
        panel["fieldConfig"] = {"defaults": {"unit": unit}, "overrides": []}
    return panel


REQUEST_TIME = queries.request_time_per_request(NONE, ("model", "version"))


@pytest.mark.parametrize(("title", "unit", "expr", "shown"), [
    # the review's case: the title says microseconds; the number must be in microseconds, not 0.012 (s)
    ("Average Inference Duration (us)", None, f"({REQUEST_TIME}) * 1e6", "µs"),
    ("Average Inference Duration (µs)", "µs", f"({REQUEST_TIME}) * 1e6", "µs"),
    ("Average Inference Duration (us)", "us", f"({REQUEST_TIME}) * 1e6", "us"),
    ("Average Inference Duration (microseconds)", "s", f"({REQUEST_TIME}) * 1e6", "µs"),
    ("Average Inference Duration (ms)", None, f"({REQUEST_TIME}) * 1e3", "ms"),
    ("Average Inference Duration [milliseconds]", "ms", f"({REQUEST_TIME}) * 1e3", "ms"),
    ("Average Inference Duration (seconds)", None, REQUEST_TIME, "s"),
    ("Average Inference Duration", None, REQUEST_TIME, "s"),  # no unit named: seconds, Grafana scales them
])
def test_a_fixed_time_is_shown_in_the_unit_its_title_names(title: str, unit: str | None, expr: str,
                                                           shown: str) -> None:
    doc = {"title": "d", "uid": "d", "panels": [_time_panel(title, unit, "rate(nv_inference_request_duration_us[5m])")]}
    result = fix_text(json.dumps(doc), "d.json")
    (panel,) = json.loads(result.text)["panels"]
    assert panel["title"] == title
    assert (panel["targets"][0]["expr"], _unit(panel)) == (expr, shown)
    assert not [r for r in result.remaining if r.ref_id]
    assert fix_text(result.text, "d.json").text == result.text  # a second fix changes nothing


def test_a_title_that_still_names_another_unit_than_the_panel_is_reported() -> None:
    # Another target stays in ms, so the panel keeps ms: the new one is scaled into ms; the title says us.
    other = f'({queries.queue_time_per_request(NONE, ("model", "version"))}) * 1e3'  # correct, in ms: untouched
    doc = {"title": "d", "uid": "d", "panels": [_time_panel("Inference Duration (us)", "ms",
                                                            "rate(nv_inference_request_duration_us[5m])", other)]}
    result = fix_text(json.dumps(doc), "d.json")
    (panel,) = json.loads(result.text)["panels"]
    assert _unit(panel) == "ms"
    assert panel["targets"][0]["expr"] == f"({REQUEST_TIME}) * 1e3"
    notes = [r for r in result.remaining if r.rule == "panel-units" and r.ref_id == "A"]
    assert [n.message for n in notes] == ["not fixed: the title names µs but the panel shows ms: rename the panel "
                                          "or change its unit"]


@pytest.mark.parametrize(("title", "unit"), [
    ("Latency (us)", "µs"), ("Latency (µs)", "µs"), ("Latency (μs)", "µs"), ("Latency (microseconds)", "µs"),
    ("Latency (ms)", "ms"), ("Latency (milliseconds)", "ms"), ("Latency [ms]", "ms"), ("Latency (in ms)", "ms"),
    ("(ns) latency", "ns"), ("Latency (s)", "s"), ("Latency", None), ("Request(s) per model", None),
    ("Latency (ms) vs (us)", None), ("GPU (%)", None),
])
def test_title_unit(title: str, unit: str | None) -> None:
    from triton_dash.lint.units import title_unit

    assert title_unit(title) == unit
