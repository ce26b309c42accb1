"""The profile: one config file every command reads, so two commands in one folder cannot disagree."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from triton_dash.analysis.promql import parse, selectors
from triton_dash.build import compile_builtin
from triton_dash.cli import main
from triton_dash.profile import AlertConfig, Profile, ProfileError, load_profile
from triton_dash.profile.slo import AvailabilitySLO
from triton_dash.rules import rule_groups
from triton_dash.rules.slo import slo_rule_groups
from triton_dash.selector import ResponseCache, Selector

FLEET = """\
job = "triton-prod"
cluster_label = "cluster"
response_cache = "off"

[alerts]
queue_time_seconds = "250ms"
error_ratio = 0.02
"""


def _run(args: list[str], cwd: Path) -> str:
    result = CliRunner().invoke(main, args, catch_exceptions=False, env={"PWD": str(cwd)})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def fleet_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "triton-dash.toml").write_text(FLEET)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_defaults_without_a_file(tmp_path: Path) -> None:
    loaded = load_profile(cwd=tmp_path)
    assert loaded.profile == Profile()
    assert loaded.path is None
    assert set(loaded.origin.values()) == {"default"}
    assert loaded.profile.alert_config() == AlertConfig()


def test_file_then_pyproject_then_flags(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.triton-dash]\njob = "from-pyproject"\n')
    loaded = load_profile(cwd=tmp_path)
    assert loaded.profile.job == "from-pyproject"
    assert loaded.origin["job"] == "pyproject.toml [tool.triton-dash]"
    (tmp_path / "triton-dash.toml").write_text('job = "from-toml"\nrecording_rules = true\n')
    loaded = load_profile(cwd=tmp_path, overrides={"job": ("from-flag", "--job"), "cluster_label": (None, "--x")})
    assert loaded.profile.job == "from-flag" and loaded.origin["job"] == "--job"
    assert loaded.profile.recording_rules is True and loaded.origin["recording_rules"] == "triton-dash.toml"
    assert loaded.origin["cluster_label"] == "default"
    other = tmp_path / "other.toml"
    other.write_text('rate_window = "2m"\n')
    loaded = load_profile(other, cwd=tmp_path)
    assert loaded.profile.job is None and loaded.profile.rate_window == "2m"


def test_a_pyproject_without_the_table_is_not_a_profile(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.triton-dash.lint]\nexclude = []\n')
    assert load_profile(cwd=tmp_path).profile.job is None


@pytest.mark.parametrize(("text", "says"), [
    ('cluster_labels = "c"\n', "unknown key 'cluster_labels'"),
    ('recording_rules = "yes"\n', "recording_rules = 'yes' must be true or false"),
    ('gpu_source = "nvml"\n', "gpu_source='nvml' is not one of triton, dcgm"),
    ('cluster_label = "model"\n', "a label Triton already uses"),
    ("alerts = 3\n", "alerts must be a table"),
    ('[alerts]\nnot_a_threshold = 1\n', "unknown alert setting 'not_a_threshold'"),
    ('[alerts]\nqueue_time_seconds = "soon"\n', "neither seconds (0.1) nor a duration"),
])
def test_bad_profiles_are_one_line_naming_file_and_key(tmp_path: Path, text: str, says: str) -> None:
    (tmp_path / "triton-dash.toml").write_text(text)
    with pytest.raises(ProfileError) as raised:
        load_profile(cwd=tmp_path)
    message = str(raised.value)
    assert message.startswith(str(tmp_path / "triton-dash.toml")) and says in message
    assert "\n" not in message


def test_selectors_groupings_and_alerts_come_from_the_profile() -> None:
    fleet = Profile(job="triton-prod", cluster_label="cluster", recording_rules=True, response_cache="off",
                    rate_window="2m", alerts=(("error_ratio", 0.02),))
    assert fleet.response_cache is ResponseCache.OFF
    dash = fleet.dashboard_selector()
    assert (dash.job, dash.recording_rules, dash.cluster_label, dash.response_cache) == (
        "$job", True, "cluster", ResponseCache.OFF)
    fixed = fleet.fixed_selector()
    assert fixed == Selector.fixed(job="triton-prod", rate_interval="2m", response_cache=ResponseCache.OFF)
    assert fleet.grouping(("job", "model")) == ("cluster", "job", "model")
    config = fleet.alert_config()
    assert (config.job, config.rate_window, config.cluster_label, config.error_ratio) == (
        "triton-prod", "2m", "cluster", 0.02)
    assert config.grouping == ("cluster", "job", "model", "version")


def _exprs(doc: dict[str, Any]) -> list[str]:
    out = []
    for panel in doc["panels"]:
        for inner in [panel, *panel.get("panels", [])]:
            out += [target["expr"] for target in inner.get("targets", [])]
    return out


def _recorded_names(exprs: list[str]) -> set[str]:
    names = set()
    for expr in exprs:
        text = re.sub(r"\$\{?(\w+)\}?", r"\1", expr.replace("$__rate_interval", "5m"))
        names |= {use.name for use in selectors(parse(text)) if ":" in use.name and not use.name.startswith("vllm:")}
    return names


@pytest.mark.parametrize("profile", [
    Profile(recording_rules=True),
    Profile(recording_rules=True, cluster_label="cluster"),
    Profile(recording_rules=True, cluster_label="region", response_cache="off"),
    Profile(recording_rules=True, response_cache="on"),
], ids=["recorded", "clustered", "region-cache-off", "cache-on"])
def test_every_recorded_series_a_dashboard_reads_is_written_by_the_rules(profile: Profile) -> None:
    """The bug the profile removes: dashboards reading recordings the rules (with other flags) never write."""
    read = set()
    for compiled in compile_builtin(profile=profile):
        read |= _recorded_names(_exprs(compiled.document))
    written = {rule["record"] for group in rule_groups(profile=profile) for rule in group["rules"] if "record" in rule}
    # the triton-slo dashboard reads what 'slo' writes (its own command, not 'rules')
    slo_groups = slo_rule_groups([AvailabilitySLO(name="availability", objective=99.9)],
                                 cluster_label=profile.cluster_label)
    written |= {rule["record"] for group in slo_groups for rule in group["rules"] if "record" in rule}
    assert read, "the recorded dashboards read no recorded series"
    assert read <= written, sorted(read - written)


def test_a_mismatch_is_what_separate_flags_used_to_give() -> None:
    """Sanity of the check above: dashboards with a cluster label, rules without, disagree."""
    read = set()
    for compiled in compile_builtin(profile=Profile(recording_rules=True, cluster_label="cluster")):
        read |= _recorded_names(_exprs(compiled.document))
    written = {rule["record"] for group in rule_groups(profile=Profile()) for rule in group["rules"]
               if "record" in rule}
    assert {name for name in read - written if not name.startswith("slo:")}


def test_response_cache_off_divides_compute_times_by_successes_alone() -> None:
    def compute(profile: Profile) -> str:
        doc = next(c.document for c in compile_builtin(profile=profile) if c.stem == "triton-overview")
        panel = next(p for p in doc["panels"] if p["title"] == "Inference time per request")
        return str(panel["targets"][0]["expr"])

    auto, on, off = (compute(Profile(response_cache=mode)) for mode in ("auto", "on", "off"))
    assert "nv_cache_num_hits_per_model" in auto and " * 0" in auto
    assert "nv_cache_num_hits_per_model" in on and " * 0" not in on
    assert "nv_cache_num_hits_per_model" not in off and off.count("nv_inference_request_success") == 1


def test_one_file_changes_every_command(fleet_dir: Path) -> None:
    """The issue's "done when": job, cluster_label and response_cache in triton-dash.toml, no flag given."""
    _run(["build", "-o", "out"], fleet_dir)
    overview = json.loads((fleet_dir / "out" / "triton-overview.json").read_text())
    names = [v["name"] for v in overview["templating"]["list"]]
    assert names[:3] == ["datasource", "cluster", "job"]
    job_var = next(v for v in overview["templating"]["list"] if v["name"] == "job")
    assert 'job=~"triton-prod"' in str(job_var["query"])
    exprs = _exprs(overview)
    assert all('cluster=~"$cluster"' in e for e in exprs if "nv_inference_request_success" in e)
    assert not any(" * 0" in e for e in exprs), "response_cache=off still reads the cache-hit fallback"

    _run(["rules", "-o", "rules.yml"], fleet_dir)
    groups = yaml.safe_load((fleet_dir / "rules.yml").read_text())["groups"]
    records = [r for g in groups for r in g["rules"] if "record" in r]
    assert all(r["record"].startswith("cluster_job_model_version") for r in records)
    alerts = {r["alert"]: r for g in groups for r in g["rules"] if "alert" in r}
    assert 'up{job=~"triton-prod"}' in alerts["TritonTargetDown"]["expr"]
    assert "> 0.25" in alerts["TritonQueueTimeHigh"]["expr"] and "> 0.02" in alerts["TritonModelErrorRatioHigh"]["expr"]
    assert "by (cluster, job, model, version)" in alerts["TritonModelErrorRatioHigh"]["expr"]

    _run(["provision", "-o", "prov"], fleet_dir)
    assert (fleet_dir / "prov/prometheus/rules/triton.rules.yml").read_text() == (fleet_dir / "rules.yml").read_text()

    _run(["autoscale", "--format", "keda", "--target", "100", "--metric", "requests", "-o", "so.yaml"], fleet_dir)
    assert 'job=~"triton-prod"' in (fleet_dir / "so.yaml").read_text()

    shown = json.loads(_run(["config", "--format", "json"], fleet_dir))
    assert shown["profile"]["job"] == "triton-prod" and shown["origin"]["job"] == "triton-dash.toml"
    assert shown["profile"]["alerts"]["queue_time_seconds"] == 0.25
    assert shown["origin"]["rate_window"] == "default"


def test_flags_override_the_file(fleet_dir: Path) -> None:
    _run(["rules", "--cluster-label", "region", "--set", "job=other", "--set", "error_ratio=0.1", "-o", "r.yml"],
         fleet_dir)
    text = (fleet_dir / "r.yml").read_text()
    assert "region_job_model_version" in text and 'job=~"other"' in text and "> 0.1" in text
    assert "> 0.25" in text  # the file's queue threshold is kept


def test_no_recording_rules_switches_the_profile_off_for_one_run(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "triton-dash.toml").write_text('recording_rules = true\n')
    monkeypatch.chdir(tmp_path)

    def reads_recordings(out: str) -> bool:
        doc = json.loads((tmp_path / out / "triton-overview.json").read_text())
        return any(":rate1m" in e for e in _exprs(doc))

    _run(["build", "-o", "profile"], tmp_path)
    _run(["build", "--no-recording-rules", "-o", "off"], tmp_path)
    _run(["build", "--recording-rules", "-o", "on"], tmp_path)
    assert (reads_recordings("profile"), reads_recordings("off"), reads_recordings("on")) == (True, False, True)
    assert (tmp_path / "off" / "triton-overview.json").read_text() == compile_builtin(profile=Profile())[
        [c.stem for c in compile_builtin()].index("triton-overview")].text
    (tmp_path / "triton-dash.toml").write_text('recording_rules = false\n')
    _run(["build", "--recording-rules", "-o", "on2"], tmp_path)
    assert reads_recordings("on2")
    (tmp_path / "my.dashboard.py").write_text("import grafanalib.core as G\ndashboard = G.Dashboard(title='t')\n")
    mixed = CliRunner().invoke(main, ["build", "--no-recording-rules", "my.dashboard.py", "-o", "x"])
    assert mixed.exit_code == 1 and "apply to the built-in dashboards" in mixed.stderr
    assert not (tmp_path / "x").exists()


def test_config_toml_round_trips(fleet_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    text = _run(["config", "--format", "toml"], fleet_dir)
    other = tmp_path_factory.mktemp("again") / "triton-dash.toml"
    other.write_text(text)
    assert load_profile(other).profile.alert_config() == load_profile(cwd=fleet_dir).profile.alert_config()
    again, first = load_profile(other).profile, load_profile(cwd=fleet_dir).profile
    assert again.with_(alerts=()) == first.with_(alerts=()) or (again.alerts == () == first.alerts)
    assert {k: v for k, v in vars(again).items() if k != "alerts"} == {
        k: v for k, v in vars(first).items() if k != "alerts"}


def test_config_credits_only_the_thresholds_the_file_sets(fleet_dir: Path) -> None:
    """[alerts] sets queue_time_seconds and error_ratio: only those are the file's, in every format."""
    shown = json.loads(_run(["config", "--format", "json"], fleet_dir))
    mine = {"alerts.queue_time_seconds", "alerts.error_ratio"}
    thresholds = {k: v for k, v in shown["origin"].items() if k.startswith("alerts.")}
    assert {k for k, v in thresholds.items() if v == "triton-dash.toml"} == mine
    assert len(thresholds) == len(shown["profile"]["alerts"]) > 10
    assert set(thresholds.values()) == {"triton-dash.toml", "default"}
    text = _run(["config"], fleet_dir).splitlines()
    assert re.search(r"^ {4}queue_time_seconds +0\.25 +\[triton-dash\.toml\]$", "\n".join(text), re.M)
    assert re.search(r"^ {4}stalled_for +\"5m\" +\[default\]$", "\n".join(text), re.M)
    toml = _run(["config", "--format", "toml"], fleet_dir).splitlines()
    assert "error_ratio = 0.02  # triton-dash.toml" in toml
    assert sum(line.endswith("# triton-dash.toml") for line in toml[toml.index("[alerts]  # triton-dash.toml"):]) \
        == 3  # the table and its two keys


def test_lint_reads_exclusions_from_the_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "triton-dash.toml").write_text('[lint]\nexclude = [{rule = "panel-units", reason = "mine"}]\n')
    (tmp_path / "d.json").write_text(json.dumps(compile_builtin()[0].document))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["lint", "d.json"], catch_exceptions=False)
    assert "triton-dash.toml: exclusion panel-units matches no finding" in result.stdout
    assert load_profile(cwd=tmp_path).profile.lint == (("exclude", [{"rule": "panel-units", "reason": "mine"}]),)


def test_rules_only_one_group(tmp_path: Path) -> None:
    for only, kind in (("recording", "record"), ("alerts", "alert")):
        out = tmp_path / f"{only}.yml"
        result = CliRunner().invoke(main, ["rules", "--only", only, "--cluster-label", "cluster", "-o", str(out)])
        assert result.exit_code == 0, result.output
        groups = yaml.safe_load(out.read_text())["groups"]
        assert len(groups) == 1 and all(kind in rule for rule in groups[0]["rules"])


def test_push_builds_the_dashboards_the_profile_describes(fleet_dir: Path) -> None:
    from .support.grafana_stub import GrafanaState, grafana_stub

    with grafana_stub(GrafanaState()) as (url, state):
        result = CliRunner().invoke(main, ["push", "--url", url, "--user", "admin", "--password", "admin"],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
        stored = json.dumps(state.dashboards)
    assert "triton-overview" in state.dashboards
    assert 'cluster=~\\"$cluster\\"' in stored and 'job=~\\"triton-prod\\"' in stored


def test_provision_writes_the_profiles_slo_rules_as_slo_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "triton-dash.toml").write_text('cluster_label = "cluster"\n[[slo]]\nname = "avail"\n'
                                               'kind = "availability"\nobjective = 99.9\n')
    monkeypatch.chdir(tmp_path)
    _run(["provision", "-o", "prov"], tmp_path)
    _run(["slo", "-o", "slo.yml"], tmp_path)
    provisioned = tmp_path / "prov" / "prometheus" / "rules" / "triton-slo.rules.yml"
    assert provisioned.read_text() == (tmp_path / "slo.yml").read_text()
    assert "cluster" in provisioned.read_text()


def test_a_ratio_given_as_a_percentage_says_the_unit(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["rules", "--set", "error_ratio=5%", "-o", str(tmp_path / "r.yml")])
    assert result.exit_code == 1
    assert "error_ratio='5%' is not a number; give a share between 0 and 1 (0.05 means 5 %)" in result.stderr
    assert not (tmp_path / "r.yml").exists()
