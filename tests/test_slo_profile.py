"""SLO definitions: the [[slo]] tables and --latency flags, bucket boundaries, le spellings, the slo command."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from triton_dash.cli import main
from triton_dash.profile.slo import (
    BURN_WINDOWS,
    HISTOGRAMS,
    AvailabilitySLO,
    LatencySLO,
    burn_factor,
    le_spellings,
    parse_latency_flag,
    parse_slo_tables,
)
from triton_dash.queries import slo as q
from triton_dash.validate import InvalidValue

from .support.tools import require_binary


def test_tables_become_slos_with_defaults() -> None:
    availability, latency, ttft = parse_slo_tables([
        {"objective": 99.9},
        {"kind": "latency", "histogram": "first-response", "threshold": "0.5s", "objective": "99", "window": "28d",
         "model": "llama.*", "job": "triton-prod"},
        {"name": "ttft", "histogram": "vllm:time_to_first_token_seconds", "threshold": "250ms", "objective": 95},
    ])
    assert isinstance(availability, AvailabilitySLO) and availability.excluded_reasons == ("CANCELED",)
    assert (availability.name, availability.window, availability.job, availability.model) == (
        "availability", "30d", None, ".+")  # job None: the profile's job, else triton
    assert availability.error_budget == 0.001
    assert isinstance(latency, LatencySLO) and latency.threshold == 500 and latency.window == "28d"
    assert latency.name == "latency-first-response-500ms" and latency.error_budget == 0.01
    assert isinstance(ttft, LatencySLO) and ttft.threshold == 0.25 and ttft.histogram is HISTOGRAMS["vllm-ttft"]


@pytest.mark.parametrize(("tables", "says"), [
    ([{"objectiv": 99}], "slo[0]: unknown key 'objectiv'"),
    ([{"window": "30d"}], "slo[0]: key 'objective' is missing"),
    ([{"objective": 99.9}, {"objective": 100}], "slo[1].objective=100 leaves no error budget"),
    ([{"objective": "high"}], "slo[0].objective='high' is not a number"),
    ([{"objective": 99, "window": "7d"}], "slo[0].window='7d': use one of 28d, 30d"),
    ([{"objective": 99, "exclude_reasons": ["TIMEOUT"]}], "slo[0].exclude_reasons: 'TIMEOUT' is not a Triton"),
    ([{"objective": 99, "exclude_reasons": ["REJECTED", "CANCELED", "BACKEND", "OTHER"]}], "nothing could ever"),
    ([{"objective": 99, "threshold": "1s"}], "slo[0].threshold applies to latency SLOs"),
    ([{"kind": "latency", "objective": 99, "histogram": "first-response"}], "slo[0]: key 'threshold' is missing"),
    ([{"histogram": "first-response", "threshold": "400ms", "objective": 99}],
     "slo[0].threshold=400ms is not a bucket boundary of nv_inference_first_response_histogram_ms (buckets 100ms, "
     "500ms, 2000ms, 5000ms); the nearest are 100ms and 500ms"),
    ([{"histogram": "vllm-e2e", "threshold": "70s", "objective": 99}], "the nearest are 60s."),
    ([{"histogram": "nv_inference_request_duration_us", "threshold": "1s", "objective": 99}],
     "no latency SLO without a histogram"),
    ([{"objective": 99}, {"objective": 98}], "two SLOs are named 'availability'"),
    ([{"objective": 99, "name": "My SLO"}], "must be lower-case letters"),
    ([{"objective": 99, "runbook_url": "wiki"}], "slo[0].runbook_url='wiki' has no scheme"),
])
def test_bad_tables_name_the_key(tables: list[dict[str, object]], says: str) -> None:
    with pytest.raises(InvalidValue) as error:
        parse_slo_tables(tables)
    assert says in str(error.value) and "\n" not in str(error.value)


def test_custom_buckets_make_other_thresholds_valid() -> None:
    (slo,) = parse_slo_tables([{"histogram": "first-response", "threshold": "250ms", "buckets": [50, 250, 1000],
                                "objective": 99}])
    assert isinstance(slo, LatencySLO) and slo.le == ("250", "250.0")


def test_le_as_triton_prints_it_and_as_prometheus_3_stores_it() -> None:
    assert le_spellings(500) == ("500", "500.0")
    assert le_spellings(1.0) == ("1", "1.0")
    assert le_spellings(0.5) == ("0.5",)
    assert le_spellings(2.5) == ("2.5",)
    assert le_spellings(1e6) == ("1000000", "1e+06")
    assert le_spellings(100000) == ("100000", "100000.0")
    assert le_spellings(0.00001) == ("1e-05",)
    (slo,) = parse_slo_tables([{"histogram": "first-response", "threshold": "500ms", "objective": 99}])
    assert 'le=~"500|500\\\\.0"' in q.bad_rate(slo, "5m")


def test_latency_flag() -> None:
    assert parse_latency_flag("first-response:500ms:99", window="28d") == {
        "kind": "latency", "histogram": "first-response", "threshold": "500ms", "objective": "99", "window": "28d"}
    assert parse_latency_flag("vllm:e2e_request_latency_seconds:5s:99.5")["histogram"] == (
        "vllm:e2e_request_latency_seconds")
    with pytest.raises(InvalidValue, match="HISTOGRAM:THRESHOLD:OBJECTIVE"):
        parse_latency_flag("first-response")


def test_burn_factors_follow_the_workbook() -> None:
    thirty, twenty_eight = AvailabilitySLO(name="a", objective=99.9), AvailabilitySLO(name="b", objective=99.9,
                                                                                      window="28d")
    assert [burn_factor(thirty, w) for w in BURN_WINDOWS] == [14.4, 6, 3, 1]
    assert [burn_factor(twenty_eight, w) for w in BURN_WINDOWS] == [13.44, 5.6, 2.8, pytest.approx(0.933333)]


def test_idle_model_has_no_sli() -> None:
    """The ratio is guarded: no valid request, no series (rather than 0 errors = 100 %)."""
    assert q.error_ratio(AvailabilitySLO(name="a", objective=99), "5m").endswith(") > 0)")


def test_slo_command_writes_rules_promtool_accepts(tmp_path: Path) -> None:
    """Done when: 'slo --availability 99.9 --window 30d' writes rules promtool accepts."""
    out = tmp_path / "slo.rules.yml"
    result = CliRunner().invoke(main, ["slo", "--availability", "99.9", "--window", "30d", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {out} (1 SLO: availability)\n"
    assert out.read_text().startswith("# Generated by 'python -m triton_dash slo'")
    checked = subprocess.run([require_binary("promtool"), "check", "rules", str(out)], capture_output=True,
                             text=True, timeout=60)
    assert checked.returncode == 0 and "SUCCESS: 19 rules found" in checked.stdout, checked.stdout + checked.stderr
    again = CliRunner().invoke(main, ["slo", "--availability", "99.9", "--check", "-o", str(out)])
    assert again.exit_code == 0, again.output
    drift = CliRunner().invoke(main, ["slo", "--availability", "99.5", "--check", "-o", str(out)])
    assert drift.exit_code == 1 and "out of date" in drift.output


def test_slo_command_prometheusrule_and_stdout() -> None:
    result = CliRunner().invoke(main, ["slo", "--availability", "99.5", "--latency", "first-response:2000ms:99",
                                       "--model", "llama.*", "--exclude-reasons", "", "--format", "prometheusrule",
                                       "--release", "prom", "-o", "-"])
    assert result.exit_code == 0, result.output
    manifest = yaml.safe_load(result.output)
    assert manifest["kind"] == "PrometheusRule" and manifest["metadata"]["labels"] == {"release": "prom"}
    groups = [g["name"] for g in manifest["spec"]["groups"]]
    assert groups == [f"triton_dash.slo.{n}.{p}" for n in ("availability", "latency-first-response-2000ms")
                      for p in ("sli", "meta", "alerts")]
    first = manifest["spec"]["groups"][0]["rules"][0]["expr"]
    assert 'model=~"llama.*"' in first and "reason" not in first  # nothing excluded: every failure counts


def test_slo_command_reads_the_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without flags, the profile's [[slo]] tables, its job and its cluster label; a flag overrides its key."""
    (tmp_path / "triton-dash.toml").write_text(
        'job = "triton-prod"\ncluster_label = "cluster"\n\n[[slo]]\nobjective = 99.5\n\n'
        '[[slo]]\nhistogram = "vllm-ttft"\nthreshold = "1s"\nobjective = 95\nname = "ttft"\n')
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["slo", "-o", "-"])
    assert result.exit_code == 0, result.output
    groups = yaml.safe_load(result.output)["groups"]
    assert [g["name"] for g in groups][::3] == ["triton_dash.slo.availability.sli", "triton_dash.slo.ttft.sli"]
    first = groups[0]["rules"][0]["expr"]
    assert 'job=~"triton-prod"' in first and first.startswith("sum by (cluster, model, version)")
    assert 'vector(0.995)' in groups[1]["rules"][0]["expr"]
    flagged = CliRunner().invoke(main, ["slo", "--availability", "99.9", "--job", "other", "-o", "-"])
    groups = yaml.safe_load(flagged.output)["groups"]
    assert len(groups) == 3 and 'job=~"other"' in groups[0]["rules"][0]["expr"]
    (tmp_path / "triton-dash.toml").write_text('[[slo]]\nobjective = 100\n')
    broken = CliRunner().invoke(main, ["slo", "-o", "-"])
    assert broken.exit_code != 0 and "slo[0].objective=100 leaves no error budget" in broken.output


def test_help_has_an_example() -> None:
    result = CliRunner().invoke(main, ["slo", "--help"])
    assert result.exit_code == 0 and "python -m triton_dash slo --availability 99.9" in result.output
