"""``triton-dash provision``: deterministic, committed tree current, Prometheus config valid, compose coherent."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from triton_dash.cli import main
from triton_dash.dashboards.variables import DEFAULT_DATASOURCE_UID
from triton_dash.deploy.compose import DASHBOARDS_IN_GRAFANA, StackSettings, provision_files
from triton_dash.validate import InvalidValue

from .grafana import REPO
from .support.tools import missing, require_binary

TREE = REPO / "provisioning"


def test_provision_is_deterministic(tmp_path: Path) -> None:
    runner = CliRunner()
    for out in ("a", "b"):
        assert runner.invoke(main, ["provision", "-o", str(tmp_path / out)]).exit_code == 0
    first = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*") if p.is_file()}
    second = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*") if p.is_file()}
    assert first == second and len(first) == len(provision_files())


def test_committed_tree_equals_a_fresh_run() -> None:
    for name, text in provision_files().items():
        assert (TREE / name).read_text(encoding="utf-8") == text, f"provisioning/{name} is stale"
    assert CliRunner().invoke(main, ["provision", "--check", "-o", str(TREE)]).exit_code == 0


@pytest.mark.prometheus
def test_promtool_accepts_the_prometheus_config() -> None:
    promtool = require_binary("promtool")
    result = subprocess.run([promtool, "check", "config", str(TREE / "prometheus/prometheus.yml")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_prometheus_scrapes_and_alerts() -> None:
    config = yaml.safe_load((TREE / "prometheus/prometheus.yml").read_text())
    jobs = {j["job_name"]: j["static_configs"][0]["targets"] for j in config["scrape_configs"]}
    assert jobs == {"prometheus": ["localhost:9090"], "triton": ["triton:8002"], "cadvisor": ["cadvisor:8080"],
                    "triton-health": ["http://triton:8000/v2/health/live", "http://triton:8000/v2/health/ready"]}
    assert config["rule_files"] == ["rules/*.yml"]
    assert (TREE / "prometheus/rules/triton.rules.yml").is_file()
    assert config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] == ["alertmanager:9093"]


def test_alertmanager_config_is_valid() -> None:
    amtool = shutil.which("amtool")
    if amtool is None:
        missing("amtool")
    result = subprocess.run([str(amtool), "check-config", str(TREE / "alertmanager/alertmanager.yml")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_datasource_uid_is_the_dashboards_default() -> None:
    datasources = yaml.safe_load((TREE / "grafana/datasources/prometheus.yaml").read_text())["datasources"]
    assert [d["uid"] for d in datasources] == [DEFAULT_DATASOURCE_UID]
    assert datasources[0]["url"] == "http://prometheus:9090" and datasources[0]["isDefault"] is True
    for stem in ("triton-overview", "triton-stack"):
        doc = yaml.safe_load((REPO / "dashboards" / f"{stem}.json").read_text())
        assert doc["templating"]["list"][0]["current"]["value"] == DEFAULT_DATASOURCE_UID


COMPOSE = yaml.safe_load((TREE / "docker-compose.yml").read_text()) if (TREE / "docker-compose.yml").exists() else {}


def test_compose_services_images_and_health_checks() -> None:
    services = COMPOSE["services"]
    assert set(services) == {"triton", "prometheus", "alertmanager", "grafana", "cadvisor", "blackbox"}
    for name, service in services.items():
        image = service["image"]
        assert not image.endswith(":latest") and re.search(r":v?\d+\.\d+", image), f"{name}: unpinned {image}"
        assert service["healthcheck"]["test"][0] == "CMD", name
    health = {n: " ".join(s["healthcheck"]["test"]) for n, s in services.items()}
    assert "/v2/health/ready" in health["triton"]
    assert "/-/ready" in health["prometheus"]
    assert "/api/health" in health["grafana"]
    assert "/-/ready" in health["alertmanager"]
    gpu = services["triton"]["deploy"]["resources"]["reservations"]["devices"][0]
    assert gpu["driver"] == "nvidia" and gpu["capabilities"] == ["gpu"]
    assert "networks" not in COMPOSE and "ipam" not in str(COMPOSE)  # no hard-coded subnets


def test_compose_references_files_that_exist() -> None:
    for name, service in COMPOSE["services"].items():
        for volume in service.get("volumes", []):
            source = re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", volume.split(":")[0])
            if source.startswith("."):
                assert (TREE / source).exists(), f"{name}: {source} does not exist"
    mounts = [v for v in COMPOSE["services"]["grafana"]["volumes"] if DASHBOARDS_IN_GRAFANA in v]
    assert mounts == [f"../dashboards:{DASHBOARDS_IN_GRAFANA}:ro"]
    provider = yaml.safe_load((TREE / "grafana/dashboards/triton_dash.yaml").read_text())["providers"][0]
    assert provider["options"]["path"] == DASHBOARDS_IN_GRAFANA


def test_credentials_come_from_env() -> None:
    text = (TREE / "docker-compose.yml").read_text()
    environment = COMPOSE["services"]["grafana"]["environment"]
    assert "change-me" not in text
    for key in ("GF_SECURITY_ADMIN_USER", "GF_SECURITY_ADMIN_PASSWORD"):
        assert environment[key].startswith("${"), f"{key} is not taken from .env"
    required = set(re.findall(r"\$\{([A-Z_]+)(?::[?-])", text))
    example = (TREE / ".env.example").read_text()
    for variable in required:
        assert re.search(rf"^{variable}=", example, re.MULTILINE), f"{variable} missing from .env.example"


def test_blackbox_config_is_accepted_by_the_real_exporter(tmp_path: Path) -> None:
    from triton_dash.deploy.compose import provision_files

    config = tmp_path / "blackbox.yml"
    config.write_text(provision_files()["blackbox/blackbox.yml"])
    binary = require_binary("prometheus-blackbox-exporter")
    result = subprocess.run([binary, f"--config.file={config}", "--config.check"], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def _provision_with(tmp_path: Path, job: str) -> tuple[int, str, Path]:
    profile = tmp_path / "triton-dash.toml"
    profile.write_text(f"job = {job!r}\n", encoding="utf-8")
    out = tmp_path / "stack"
    result = CliRunner().invoke(main, ["provision", "--config", str(profile), "-o", str(out)])
    return result.exit_code, result.output, out


def test_the_scrape_job_is_the_profile_job_the_rules_select(tmp_path: Path) -> None:
    """job = "triton-prod": prometheus.yml scrapes Triton as triton-prod, and every rule's job matcher takes it."""
    code, output, out = _provision_with(tmp_path, "triton-prod")
    assert code == 0, output
    config = yaml.safe_load((out / "prometheus/prometheus.yml").read_text())
    names = [j["job_name"] for j in config["scrape_configs"]]
    assert names == ["prometheus", "triton-prod", "cadvisor", "triton-health"]
    selected = re.findall(r'job=~"([^"]*)"', (out / "prometheus/rules/triton.rules.yml").read_text())
    triton_jobs = {j for j in selected if j != "triton-health"}
    assert triton_jobs == {"triton-prod"}
    assert all(re.fullmatch(j, "triton-prod") for j in triton_jobs)


def test_a_regex_job_that_matches_the_default_keeps_triton(tmp_path: Path) -> None:
    code, output, out = _provision_with(tmp_path, "triton|triton-canary")
    assert code == 0, output
    config = yaml.safe_load((out / "prometheus/prometheus.yml").read_text())
    assert [j["job_name"] for j in config["scrape_configs"]][1] == "triton"


def test_a_regex_job_the_scrape_config_cannot_satisfy_is_refused(tmp_path: Path) -> None:
    code, output, out = _provision_with(tmp_path, "prod-.*")
    assert code == 1
    assert output.count("\n") == 1 and output.startswith("Error: job='prod-.*' is a regex that does not match")
    assert not out.exists()


def test_a_probe_job_regex_the_stack_cannot_scrape_under_is_refused(tmp_path: Path) -> None:
    from triton_dash.profile import Profile

    with pytest.raises(InvalidValue, match=re.escape("probe_job='health-.*' is a regex")):
        provision_files(StackSettings(profile=Profile(probe_job="health-.*")))
    files = provision_files(StackSettings(profile=Profile(probe_job="triton-probes")))
    assert "job_name: triton-probes" in files["prometheus/prometheus.yml"]
    assert 'job=~"triton-probes"' in files["prometheus/rules/triton.rules.yml"]
