"""The ``provisioning/`` tree: Grafana file provisioning, Prometheus config, the compose stack.

``provision_files()`` returns ``{relative path: text}``; the ``provision`` command
writes them (all or nothing) and ``--check`` compares. The output is
deterministic: same settings, same bytes.

    files = provision_files(StackSettings())
    files["prometheus/prometheus.yml"]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..files import generated_header, generated_yaml
from ..grafana.specs import DatasourceSpec, FolderSpec
from ..profile import AlertConfig, Profile
from ..profile.model import DEFAULT_PROBE_JOB
from ..rules import rule_groups, rules_yaml
from ..rules.slo import slo_rule_groups
from .jobs import scrape_job_name

__all__ = ["BLACKBOX_CONFIG", "DEFAULT_IMAGES", "HEADER", "RULES_FILE", "SLO_RULES_FILE", "StackSettings", "health_job",
           "health_urls",
           "provision_files"]

HEADER = generated_header("provision")
#: Images of the seed stack, pinned to releases current when last checked (2026).
DEFAULT_IMAGES: Mapping[str, str] = {
    "triton": "nvcr.io/nvidia/tritonserver:26.07-py3",
    "prometheus": "prom/prometheus:v3.13.1",
    "alertmanager": "prom/alertmanager:v0.35.0",
    "grafana": "grafana/grafana:13.1.1",
    "cadvisor": "ghcr.io/google/cadvisor:v0.60.5",
    "blackbox": "prom/blackbox-exporter:v0.25.0",
}
RULES_FILE = "prometheus/rules/triton.rules.yml"
#: The profile's SLOs ([[slo]]), when it has any: the same rules as ``triton-dash slo``.
SLO_RULES_FILE = "prometheus/rules/triton-slo.rules.yml"
DASHBOARDS_IN_GRAFANA = "/var/lib/grafana/dashboards/triton_dash"


@dataclass(frozen=True)
class StackSettings:
    """What the generated stack looks like; the defaults serve the single-GPU-box compose user."""

    datasource: DatasourceSpec = field(default_factory=DatasourceSpec)
    folder: FolderSpec = field(default_factory=FolderSpec)
    scrape_interval: str = "15s"
    triton_metrics_target: str = "triton:8002"
    #: Triton's HTTP endpoint, and the models whose /v2/models/<name>/ready the blackbox exporter probes.
    triton_http: str = "http://triton:8000"
    probed_models: tuple[str, ...] = ()
    #: The fleet's facts: the rules file follows its job, cluster label, thresholds and response cache.
    profile: Profile = field(default_factory=Profile)
    #: Alert thresholds that replace the profile's (``None``: the profile's).
    alerts: AlertConfig | None = None
    images: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_IMAGES))

    @property
    def alert_config(self) -> AlertConfig:
        return self.alerts if self.alerts is not None else self.profile.alert_config()


def grafana_datasources(settings: StackSettings) -> dict[str, Any]:
    ds = settings.datasource
    return {"apiVersion": 1, "datasources": [{
        "name": ds.name, "type": "prometheus", "uid": ds.uid, "access": "proxy", "url": ds.url,
        "isDefault": True, "editable": False,
        "jsonData": {"httpMethod": "POST", "timeInterval": settings.scrape_interval},
    }]}


def grafana_dashboard_provider(settings: StackSettings) -> dict[str, Any]:
    return {"apiVersion": 1, "providers": [{
        "name": "triton_dash", "orgId": 1, "folder": settings.folder.title, "folderUid": settings.folder.uid,
        "type": "file", "disableDeletion": False, "allowUiUpdates": False, "updateIntervalSeconds": 30,
        "options": {"path": DASHBOARDS_IN_GRAFANA},
    }]}


def prometheus_config(settings: StackSettings) -> dict[str, Any]:
    def job(name: str, target: str) -> dict[str, Any]:
        return {"job_name": name, "static_configs": [{"targets": [target]}]}

    return {
        "global": {"scrape_interval": settings.scrape_interval, "evaluation_interval": settings.scrape_interval},
        "rule_files": ["rules/*.yml"],
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": ["alertmanager:9093"]}]}]},
        "scrape_configs": [job("prometheus", "localhost:9090"),
                           # the job the rules select (the profile's, when it names one)
                           job(scrape_job_name(settings.alert_config.job), settings.triton_metrics_target),
                           job("cadvisor", "cadvisor:8080"), health_job(settings)],
    }


def health_urls(settings: StackSettings) -> list[str]:
    """Triton's live and ready endpoints, and the ready endpoint of every probed model."""
    base = settings.triton_http.rstrip("/")
    return [f"{base}/v2/health/live", f"{base}/v2/health/ready",
            *(f"{base}/v2/models/{model}/ready" for model in settings.probed_models)]


def health_job(settings: StackSettings) -> dict[str, Any]:
    """The blackbox exporter's job: each health URL is a target; the exporter does the probing."""
    return {
        "job_name": scrape_job_name(settings.alert_config.probe_job, DEFAULT_PROBE_JOB, "probe_job"),
        "metrics_path": "/probe", "params": {"module": ["triton_health"]},
        "static_configs": [{"targets": health_urls(settings)}],
        "relabel_configs": [
            {"source_labels": ["__address__"], "target_label": "__param_target"},
            {"source_labels": ["__param_target"], "target_label": "instance"},
            {"target_label": "__address__", "replacement": "blackbox:9115"},
        ],
    }


#: One module: a plain GET that must answer 200 (Triton answers 400 while not ready).
BLACKBOX_CONFIG: dict[str, Any] = {"modules": {"triton_health": {
    "prober": "http", "timeout": "5s",
    "http": {"method": "GET", "valid_status_codes": [200], "preferred_ip_protocol": "ip4"},
}}}


def _service(image: str, health_url: str, *, probe: str = "wget", start_period: str = "30s",
             **spec: Any) -> dict[str, Any]:
    """A compose service: its image and settings, a health check on ``health_url``, restarted unless stopped."""
    probe_cmd = ["curl", "-fsS"] if probe == "curl" else ["wget", "-q", "--spider"]
    health = {"test": ["CMD", *probe_cmd, health_url], "interval": "15s", "timeout": "5s", "retries": 5,
              "start_period": start_period}
    return {"image": image, **spec, "healthcheck": health, "restart": "unless-stopped"}


def docker_compose(settings: StackSettings) -> dict[str, Any]:
    images = settings.images
    return {
        "name": "triton-monitoring",
        "services": {
            "triton": _service(
                images["triton"], "http://localhost:8000/v2/health/ready",
                probe="curl",
                start_period="120s",
                command=["tritonserver", "--model-repository=/models", "--metrics-port=8002",
                         "--metrics-config=summary_latencies=true"],
                volumes=["${MODEL_REPOSITORY:-./triton/models}:/models:ro"],
                ports=["8000:8000", "8001:8001", "127.0.0.1:8002:8002"],
                shm_size="1g",
                deploy={"resources": {"reservations": {"devices": [
                    {"driver": "nvidia", "count": "all", "capabilities": ["gpu"]}]}}},
            ),
            "prometheus": _service(
                images["prometheus"], "http://localhost:9090/-/ready",
                command=["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus",
                         "--storage.tsdb.retention.time=${PROMETHEUS_RETENTION:-15d}"],
                volumes=["./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro",
                         "./prometheus/rules:/etc/prometheus/rules:ro",
                         "prometheus-data:/prometheus"],
                ports=["127.0.0.1:9090:9090"],
                depends_on={"alertmanager": {"condition": "service_started"}},
            ),
            "alertmanager": _service(
                images["alertmanager"], "http://localhost:9093/-/ready",
                command=["--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager"],
                volumes=["./alertmanager/alertmanager.yml:/etc/alertmanager/alertmanager.yml:ro",
                         "alertmanager-data:/alertmanager"],
                ports=["127.0.0.1:9093:9093"],
            ),
            "grafana": _service(
                images["grafana"], "http://localhost:3000/api/health",
                environment={
                    "GF_SECURITY_ADMIN_USER": "${GRAFANA_ADMIN_USER:?set GRAFANA_ADMIN_USER in .env}",
                    "GF_SECURITY_ADMIN_PASSWORD": "${GRAFANA_ADMIN_PASSWORD:?set GRAFANA_ADMIN_PASSWORD in .env}",
                    "GF_USERS_ALLOW_SIGN_UP": "false",
                },
                volumes=["./grafana/datasources:/etc/grafana/provisioning/datasources:ro",
                         "./grafana/dashboards:/etc/grafana/provisioning/dashboards:ro",
                         f"../dashboards:{DASHBOARDS_IN_GRAFANA}:ro",
                         "grafana-data:/var/lib/grafana"],
                ports=["3000:3000"],
                depends_on={"prometheus": {"condition": "service_healthy"}},
            ),
            "blackbox": _service(
                images["blackbox"], "http://localhost:9115/-/healthy",
                command=["--config.file=/etc/blackbox/blackbox.yml"],
                volumes=["./blackbox/blackbox.yml:/etc/blackbox/blackbox.yml:ro"],
                ports=["127.0.0.1:9115:9115"],
            ),
            "cadvisor": _service(
                images["cadvisor"], "http://localhost:8080/healthz",
                privileged=True,
                devices=["/dev/kmsg"],
                volumes=["/:/rootfs:ro", "/var/run:/var/run:ro", "/sys:/sys:ro",
                         "/var/lib/docker/:/var/lib/docker:ro", "/dev/disk/:/dev/disk:ro"],
            ),
        },
        "volumes": {"prometheus-data": {}, "alertmanager-data": {}, "grafana-data": {}},
    }


ALERTMANAGER_CONFIG = HEADER + """\
# Alerts from triton_dash's rules (prometheus/rules/) arrive here. Out of the box they are
# kept in Alertmanager's UI (http://127.0.0.1:9093) only: the 'default' receiver sends
# nothing. To be notified, give it an integration, for example a webhook:
#
#   receivers:
#     - name: default
#       webhook_configs:
#         - url: http://my-receiver.example:5001/alerts
#
# or slack_configs / pagerduty_configs / email_configs (see Alertmanager's documentation).
route:
  receiver: default
  group_by: [alertname, job, model, version]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
  routes:
    - receiver: default
      matchers: [severity="critical"]
      repeat_interval: 1h
receivers:
  - name: default
"""

ENV_EXAMPLE = """\
# Copy to .env (next to docker-compose.yml) and change the password.
GRAFANA_ADMIN_USER=admin
GRAFANA_ADMIN_PASSWORD=change-me
# Triton's model repository on the host (default: ./triton/models).
MODEL_REPOSITORY=./triton/models
PROMETHEUS_RETENTION=15d
"""

MODELS_README = """\
# Triton model repository

Put your models here (`<model>/config.pbtxt`, `<model>/1/...`), or point `MODEL_REPOSITORY`
in `.env` at your own repository. Triton starts with an empty repository too.
"""


def provision_files(settings: StackSettings | None = None) -> dict[str, str]:
    """Every file of the ``provisioning/`` tree, by path relative to it."""
    settings = settings or StackSettings()
    scrape_job_name(settings.alert_config.job)  # refuse, before anything is made, a job no scrape job satisfies
    scrape_job_name(settings.alert_config.probe_job, DEFAULT_PROBE_JOB, "probe_job")
    return {
        "docker-compose.yml": generated_yaml(docker_compose(settings), "provision"),
        ".env.example": ENV_EXAMPLE,
        "grafana/datasources/prometheus.yaml": generated_yaml(grafana_datasources(settings), "provision"),
        "grafana/dashboards/triton_dash.yaml": generated_yaml(grafana_dashboard_provider(settings), "provision"),
        "prometheus/prometheus.yml": generated_yaml(prometheus_config(settings), "provision"),
        RULES_FILE: rules_yaml(rule_groups(settings.alert_config, profile=settings.profile)),
        **({SLO_RULES_FILE: rules_yaml(slo_rule_groups(settings.profile.slo, settings.profile.cluster_label,
                                                       settings.profile.alert_job), command="slo")}
           if settings.profile.slo else {}),
        "alertmanager/alertmanager.yml": ALERTMANAGER_CONFIG,
        "blackbox/blackbox.yml": generated_yaml(BLACKBOX_CONFIG, "provision"),
        "triton/models/README.md": MODELS_README,
    }
