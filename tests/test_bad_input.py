"""A catalogue of bad inputs to every command: one line, a non-zero exit, nothing written, no secret shown.

Each case runs the real command line in a fresh folder holding a snapshot of
files, and asserts: the exit status; for expected failures (exit 1) exactly one
stderr line, starting ``Error:``, naming the bad value and what to do; for usage
errors (exit 2) click's usage text ending in such a line; no traceback; no
secret anywhere in the output; and every file in the folder byte-for-byte as it
was. A property-based pass then feeds arbitrary strings to the options.
"""

from __future__ import annotations

import hashlib
import json
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import responses
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triton_dash.build import compile_builtin
from triton_dash.cli import main
from triton_dash.rules import AlertConfig

from .support.grafana_stub import GrafanaState, grafana_stub

TOKEN = "glsa_TOPSECRET_0123456789"
PASSWORD = "hunter2-PASSWORD-xyz"
STUB = "{stub}"  # replaced by the local Grafana stub's URL

DASHBOARD = compile_builtin()[0].document
GOOD_JSON = json.dumps(DASHBOARD)
USER_FILE = 'import grafanalib.core as G\nfrom triton_dash import panels as p\n'


def _user(body: str) -> str:
    return USER_FILE + textwrap.dedent(body)


#: Files every case starts with (the snapshot): a built dashboard, an old output, a plain file.
SEED = {
    "dash.json": GOOD_JSON,
    "dashboards/triton-overview.json": "old content\n",
    "afile": "not a folder\n",
    "rules.yml": "# earlier rules\n",
}


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str, ...]
    says: tuple[str, ...]  # substrings of the error line
    exit: int = 1
    env: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()


def case(id: str, *args: str, says: str | tuple[str, ...], exit: int = 1, env: dict[str, str] | None = None,
         files: dict[str, str] | None = None, secrets: tuple[str, ...] = ()) -> Case:
    return Case(id, args, (says,) if isinstance(says, str) else says, exit, env or {}, files or {}, secrets)


GRAFANA = {"GRAFANA_URL": "http://127.0.0.1:9", "GRAFANA_TOKEN": TOKEN}

CASES = [
    # --- config (the profile)
    case("config-unknown-key", "config", files={"triton-dash.toml": 'jobs = "triton"\n'},
         says=("triton-dash.toml: unknown key 'jobs'", "known keys: job,")),
    case("config-bad-dcgm-pod-label", "config", files={"triton-dash.toml": 'dcgm_pod_label = "podname"\n'},
         says="dcgm_pod_label='podname'; use one of pod, exported_pod, pod_name"),
    case("config-bad-toml", "config", files={"triton-dash.toml": "job = \n"}, says="triton-dash.toml: not valid TOML"),
    case("config-bad-cache", "config", files={"triton-dash.toml": 'response_cache = "maybe"\n'},
         says="response_cache='maybe' is not one of auto, on, off"),
    case("config-bad-regex", "config", files={"triton-dash.toml": 'job = "("\n'}, says="job='(' is not a valid regex"),
    case("config-fleet-key-in-alerts", "config", files={"triton-dash.toml": '[alerts]\njob = "x"\n'},
         says="alerts.job is a fact of the fleet"),
    case("config-bad-threshold", "build", files={"triton-dash.toml": '[alerts]\nerror_ratio = 2\n'},
         says="error_ratio=2"),
    case("config-not-a-string", "rules", files={"triton-dash.toml": "cluster_label = 3\n"},
         says="cluster_label = 3 must be a string"),
    case("config-missing-file", "config", "--config", "nope.toml", says="nope.toml: no such file", exit=2),
    case("config-pyproject", "config", files={"pyproject.toml": '[tool.triton-dash]\nrate_window = "5 minutes"\n'},
         says=("pyproject.toml", "rate_window='5 minutes' is not a Prometheus duration")),
    # --- build
    case("build-missing-file", "build", "missing.dashboard.py", exit=2, says="missing.dashboard.py: no such file"),
    case("build-syntax-error", "build", "bad.dashboard.py", files={"bad.dashboard.py": "dashboard = (\n"},
         says=("bad.dashboard.py: syntax error at line", )),
    case("build-no-dashboard", "build", "none.dashboard.py", files={"none.dashboard.py": "x = 1\n"},
         says="defines no module-level `dashboard` object"),
    case("build-not-a-dashboard", "build", "str.dashboard.py", files={"str.dashboard.py": "dashboard = 'x'\n"},
         says="`dashboard` is a str, not a grafanalib Dashboard"),
    case("build-user-code-raises", "build", "boom.dashboard.py",
         files={"boom.dashboard.py": "raise RuntimeError('boom')\n"}, says=("RuntimeError: boom", "(line 1)")),
    case("build-invalid-uid", "build", "u.dashboard.py",
         files={"u.dashboard.py": _user('dashboard = G.Dashboard(title="x", uid="a b", panels=[])\n')},
         says=("invalid dashboard uid 'a b'", "1-40 letters")),
    case("build-uid-too-long", "build", "u.dashboard.py",
         files={"u.dashboard.py": _user(f'dashboard = G.Dashboard(title="x", uid="{"a" * 41}", panels=[])\n')},
         says="invalid dashboard uid"),
    case("build-duplicate-uid", "build", "a.dashboard.py", "b.dashboard.py",
         files={name: _user('dashboard = G.Dashboard(title="x", uid="same", panels=[])\n')
                for name in ("a.dashboard.py", "b.dashboard.py")},
         says="duplicate dashboard uid 'same'"),
    case("build-bad-selector-regex", "build", "r.dashboard.py",
         files={"r.dashboard.py": _user('''
             from triton_dash.selector import Selector
             dashboard = G.Dashboard(title="x", uid="r", panels=[p.success_rate(selector=Selector(model="res(net"))])
         ''')}, says=("selector model='res(net' is not a valid regex", "position")),
    case("build-bad-rate-window", "build", "w.dashboard.py",
         files={"w.dashboard.py": _user('''
             from triton_dash.selector import Selector
             dashboard = G.Dashboard(title="x", uid="w", panels=[
                 p.success_rate(selector=Selector(rate_interval="5 minutes"))])
         ''')}, says="rate_interval='5 minutes' is not a Prometheus duration"),
    case("build-overlapping-panels", "build", "o.dashboard.py",
         files={"o.dashboard.py": _user('''
             a = p.success_rate(title="A"); a.gridPos = G.GridPos(h=8, w=12, x=0, y=0)
             b = p.error_ratio(title="B"); b.gridPos = G.GridPos(h=8, w=12, x=4, y=2)
             dashboard = G.Dashboard(title="x", uid="o", panels=[a, b])
         ''')}, says="panels 'A' and 'B' overlap"),
    case("build-recording-rules-with-files", "build", "--recording-rules", "dash.json",
         says="--gpu-source and --dcgm-pod-label apply to the built-in dashboards"),
    case("build-gpu-source-with-files", "build", "--gpu-source", "dcgm", "dash.json",
         says="--gpu-source and --dcgm-pod-label apply to the built-in dashboards"),
    case("build-out-is-a-file", "build", "-o", "afile", says="'afile' is a file", exit=2),
    case("build-out-below-a-file", "build", "-o", "afile/sub", says="which is a file, not a folder"),
    case("build-configmap-bad-namespace", "build", "--format", "configmap", "--namespace", "Bad_NS", "-o", "k8s",
         says=("namespace='Bad_NS' is not a valid Kubernetes name", "RFC 1123")),
    case("build-configmap-bad-annotation", "build", "--format", "configmap", "--folder-annotation", "bad key!",
         "-o", "k8s", says="folder annotation='bad key!' is not a valid Kubernetes label key"),
    case("build-configmap-folder-newline", "build", "--format", "configmap", "--folder", "a\nb", "-o", "k8s",
         says="folder='a\\nb' contains the control character '\\n'"),
    case("build-cluster-label-with-files", "build", "--cluster-label", "cluster", "dash.json",
         says="--gpu-source and --dcgm-pod-label apply to the built-in dashboards"),
    case("build-bad-cluster-label", "build", "--cluster-label", "job", says="cluster label='job' is a label Triton"),
    case("rules-bad-cluster-label", "rules", "--cluster-label", "bad label", "-o", "out.yml",
         says="cluster label='bad label' is not a Prometheus label name"),
    case("build-unknown-format", "build", "--format", "yaml", says="'yaml' is not one of", exit=2),
    # --- push: every check runs before the first request
    case("push-url-no-scheme", "push", env={**GRAFANA, "GRAFANA_URL": "notaurl"},
         says=("GRAFANA_URL='notaurl' has no scheme", "http://localhost:3000"), secrets=(TOKEN,)),
    case("push-url-ftp", "push", env={**GRAFANA, "GRAFANA_URL": "ftp://x"}, says="has scheme 'ftp'",
         secrets=(TOKEN,)),
    case("push-url-no-host", "push", env={**GRAFANA, "GRAFANA_URL": "http://"}, says="has no host"),
    case("push-url-bad-port", "push", env={**GRAFANA, "GRAFANA_URL": "http://h:99999"}, says="not a valid URL"),
    case("push-url-spaces", "push", env={**GRAFANA, "GRAFANA_URL": "http://grafana example"}, says="contains spaces"),
    case("push-url-with-credentials", "push", env={**GRAFANA, "GRAFANA_URL": f"http://admin:{PASSWORD}@h:3000"},
         says="carries credentials in the URL", secrets=(PASSWORD, TOKEN)),
    case("push-token-newline", "push", env={**GRAFANA, "GRAFANA_TOKEN": TOKEN + "\n"},
         says=("GRAFANA_TOKEN contains a control character", "it is not shown here"), secrets=(TOKEN,)),
    case("push-token-inner-newline", "push", env={**GRAFANA, "GRAFANA_TOKEN": "glsa_ABCDEFGH\nIJKLMNOP"},
         says="GRAFANA_TOKEN contains a control character",
         secrets=("glsa_ABCDEFGH", "IJKLMNOP", "glsa_ABCDEFGH\\nIJKLMNOP")),
    case("push-token-non-ascii", "push", env={**GRAFANA, "GRAFANA_TOKEN": TOKEN + "é"},
         says="contains a non-ASCII character", secrets=(TOKEN,)),
    case("push-password-tab", "push", "--user", "admin", "--password", PASSWORD + "\t",
         env={"GRAFANA_URL": "http://127.0.0.1:9", "GRAFANA_TOKEN": ""},
         says="--password contains a control character", secrets=(PASSWORD,)),
    case("push-bad-datasource-uid", "push", "--datasource-uid", "bad uid!", env=GRAFANA,
         says="datasource uid='bad uid!' is not a Grafana uid", secrets=(TOKEN,)),
    case("push-long-folder-uid", "push", "--folder-uid", "f" * 41, env=GRAFANA, says="folder uid="),
    case("push-empty-folder", "push", "--folder", " ", env=GRAFANA, says="folder title is empty"),
    case("push-prometheus-url-no-scheme", "push", "--prometheus-url", "prometheus:9090", env=GRAFANA,
         says="Prometheus URL='prometheus:9090' has no scheme; write http://prometheus:9090"),
    case("push-timeout-zero", "push", "--timeout", "0", env=GRAFANA, says="timeout=0 is out of range"),
    case("push-retries-out-of-range", "push", "--retries", "99", env=GRAFANA, says="99 is not in the range", exit=2),
    case("push-org-id-not-a-number", "push", env={**GRAFANA, "GRAFANA_ORG_ID": "abc"},
         says="'abc' is not a valid integer", exit=2),
    case("push-missing-file", "push", "missing.json", env=GRAFANA, exit=2, says="missing.json: no such file"),
    case("push-not-json", "push", "bad.json", env=GRAFANA, files={"bad.json": "{oops"}, says="bad.json: not JSON"),
    case("push-not-a-dashboard", "push", "x.json", env=GRAFANA, files={"x.json": '{"title": "x"}'},
         says="not a Grafana dashboard"),
    case("push-bad-namespace", "push", "--namespace", "Bad_NS", env=GRAFANA,
         says=("namespace='Bad_NS' is not a valid Kubernetes name", "RFC 1123")),
    case("push-unknown-api", "push", "--api", "v2", env=GRAFANA, says="'v2' is not one of", exit=2),
    case("push-duplicate-uids", "push", "dash.json", "copy.json", env=GRAFANA, files={"copy.json": GOOD_JSON},
         says="two dashboards have the uid"),
    case("push-wrong-token", "push", env={"GRAFANA_URL": STUB, "GRAFANA_TOKEN": TOKEN},
         says=("rejected the credentials (401", "set GRAFANA_TOKEN"), secrets=(TOKEN,)),
    case("push-unreachable", "push", "--retries", "0", env=GRAFANA,
         says=("cannot reach Grafana at http://127.0.0.1:9", "connection refused"), secrets=(TOKEN,)),
    # --- rules
    case("rules-job-bad-regex", "rules", "--set", "job=(", "-o", "out.yml",
         says=("job='(' is not a valid regex", "position 0")),
    case("rules-job-lookahead", "rules", "--set", "job=(?!test).*", "-o", "out.yml",
         says="uses a lookaround ('(?!' at position 0)"),
    case("rules-negative-ratio", "rules", "--set", "error_ratio=-1", "-o", "out.yml",
         says="error_ratio=-1 is not a ratio; give a share between 0 and 1"),
    case("rules-ratio-above-one", "rules", "--set", "gpu_memory_ratio=90", "-o", "out.yml",
         says="gpu_memory_ratio=90 is not a ratio"),
    case("rules-not-a-number", "rules", "--set", "error_ratio=five", "-o", "out.yml",
         says="error_ratio='five' is not a number"),
    case("rules-nan", "rules", "--set", "queue_time_seconds=nan", "-o", "out.yml", says="is not a finite number"),
    case("rules-zero-threshold", "rules", "--set", "queue_time_seconds=0", "-o", "out.yml",
         says="queue_time_seconds=0 is out of range; it must be greater than 0"),
    case("rules-bad-duration", "rules", "--set", "rate_window=5 minutes", "-o", "out.yml",
         says="rate_window='5 minutes' is not a Prometheus duration; write e.g. 30s, 5m"),
    case("rules-zero-window", "rules", "--set", "pending_for=0s", "-o", "out.yml", says="pending_for='0s' is zero"),
    case("rules-unknown-setting", "rules", "--set", "treshold=1", "-o", "out.yml",
         says="unknown alert setting 'treshold'; known: canary_factor, canary_for"),
    case("rules-set-without-equals", "rules", "--set", "error_ratio", says="expected NAME=VALUE, got 'error_ratio'"),
    case("rules-bad-namespace", "rules", "--format", "prometheusrule", "--namespace", "Mon itoring", "-o", "r.yaml",
         says="namespace='Mon itoring' is not a valid Kubernetes name"),
    case("rules-bad-release", "rules", "--format", "prometheusrule", "--release", "prom!", "-o", "r.yaml",
         says="release='prom!' is not a valid Kubernetes label value"),
    case("rules-out-is-a-folder", "rules", "-o", "dashboards", says="'dashboards' is a directory", exit=2),
    case("rules-out-below-a-file", "rules", "-o", "afile/x.yml", says="which is a file, not a folder"),
    # --- slo
    case("slo-nothing-asked", "slo", "-o", "slo.yml", says="give --availability PERCENT", exit=2),
    case("slo-objective-100", "slo", "--availability", "100", "-o", "slo.yml",
         says=("--availability", "objective=100 leaves no error budget")),
    case("slo-objective-negative", "slo", "--availability", "-5", "-o", "slo.yml",
         says=("--availability", "it must be greater than 0")),
    case("slo-threshold-not-a-bucket", "slo", "--latency", "first-response:400ms:99", "-o", "slo.yml",
         says=("--latency first-response:400ms:99", "not a bucket boundary", "the nearest are 100ms and 500ms")),
    case("slo-latency-no-histogram", "slo", "--latency", "nv_inference_request_duration_us:1s:99", "-o", "slo.yml",
         says=("is not a latency histogram", "no latency SLO without a histogram")),
    case("slo-latency-malformed", "slo", "--latency", "first-response:500ms", "-o", "slo.yml",
         says="write HISTOGRAM:THRESHOLD:OBJECTIVE"),
    case("slo-latency-bad-duration", "slo", "--latency", "first-response:fast:99", "-o", "slo.yml",
         says="threshold='fast' is not a duration"),
    case("slo-bad-reason", "slo", "--availability", "99.9", "--exclude-reasons", "TIMEOUT", "-o", "slo.yml",
         says=("--exclude-reasons", "'TIMEOUT' is not a Triton failure reason")),
    case("slo-bad-model-regex", "slo", "--availability", "99.9", "--model", "(", "-o", "slo.yml",
         says=("--model", "is not a valid regex")),
    case("slo-bad-window", "slo", "--availability", "99.9", "--window", "7d", says="'7d' is not one of", exit=2),
    case("slo-bad-runbook", "slo", "--availability", "99.9", "--runbook-url", "wiki/slo", "-o", "slo.yml",
         says=("--runbook-url", "has no scheme")),
    case("slo-bad-cluster-label", "slo", "--availability", "99.9", "--cluster-label", "bad label", "-o", "slo.yml",
         says="cluster label='bad label' is not a Prometheus label name"),
    case("slo-bad-job-regex", "slo", "--availability", "99.9", "--job", "(", "-o", "slo.yml",
         says="is not a valid regex"),
    case("slo-out-below-a-file", "slo", "--availability", "99.9", "-o", "afile/x.yml",
         says="which is a file, not a folder"),
    # --- provision
    case("provision-out-is-a-file", "provision", "-o", "afile", says="'afile' is a file", exit=2),
    case("provision-out-below-a-file", "provision", "-o", "afile/p", says="which is a file, not a folder"),
    # --- check (exit 2: could not run at all)
    case("check-no-prometheus", "check", says="Missing option '--prometheus'", exit=2),
    case("check-url-no-scheme", "check", "--prometheus", "prometheus:9090",
         says="has no scheme; write http://prometheus:9090"),
    case("check-unreachable", "check", "--prometheus", "http://127.0.0.1:9", exit=2,
         says=("cannot reach Prometheus at http://127.0.0.1:9", "connection refused")),
    case("check-pointed-at-grafana", "check", "--prometheus", STUB, exit=2,
         says=("refused the credentials (401)", "not Grafana")),
    case("check-bad-time", "check", "--prometheus", "http://127.0.0.1:9", "--at", "yesterday",
         says="--at='yesterday' is neither RFC 3339"),
    case("check-time-without-zone", "check", "--prometheus", "http://127.0.0.1:9", "--at", "2026-12-03T10:00:00",
         says="has no time zone"),
    case("check-host-port-no-scheme", "check", "--prometheus", "127.0.0.1:19090",
         says="has no scheme; write http://127.0.0.1:19090"),
    case("check-set-without-value", "check", "--prometheus", "http://127.0.0.1:9", "--set", "job",
         says="expected NAME=VALUE, got 'job'"),
    case("check-bad-scrape-interval", "check", "--prometheus", "http://127.0.0.1:9", "--scrape-interval", "15",
         says="--scrape-interval='15' is not a Prometheus duration"),
    case("check-token-newline", "check", "--prometheus", "http://127.0.0.1:9", env={"PROMETHEUS_TOKEN": TOKEN + "\n"},
         says="PROMETHEUS_TOKEN contains a control character", secrets=(TOKEN,)),
    case("check-missing-file", "check", "--prometheus", "http://127.0.0.1:9", "missing.json", exit=2,
         says="missing.json: cannot read"),
    # --- lint (exit 2: could not read the input or the configuration)
    case("lint-missing-file", "lint", "missing.json", exit=2, says="missing.json: cannot read"),
    case("lint-not-json", "lint", "bad.json", files={"bad.json": "{oops"}, exit=2, says="bad.json: not JSON"),
    case("lint-not-a-dashboard", "lint", "x.json", files={"x.json": "[1, 2]"}, exit=2,
         says="x.json: not a Grafana dashboard"),
    case("lint-config-unknown-rule", "lint", "dash.json", "--config", "lint.yaml",
         files={"lint.yaml": "exclude:\n  - rule: no-such-rule\n    reason: x\n"}, exit=2,
         says="names unknown rule 'no-such-rule'"),
    case("lint-config-no-reason", "lint", "dash.json", "--config", "lint.yaml",
         files={"lint.yaml": "exclude:\n  - rule: irate-in-panel\n"}, exit=2, says="has no reason"),
    case("lint-config-not-yaml", "lint", "dash.json", "--config", "lint.yaml", files={"lint.yaml": "exclude: [\n"},
         exit=2, says="lint.yaml: not YAML"),
    # --- capacity
    case("capacity-no-slo", "capacity", "--prometheus", "http://127.0.0.1:9", "--from", "1", "--to", "2", exit=2,
         says="give exactly one of --slo-queue and --slo-latency"),
    case("capacity-bad-slo", "capacity", "--prometheus", "http://127.0.0.1:9", "--from", "1", "--to", "2",
         "--slo-queue", "0.1", says="--slo-queue='0.1' is not a Prometheus duration"),
    case("capacity-share-above-one", "capacity", "--prometheus", "http://127.0.0.1:9", "--from", "1", "--to", "2",
         "--slo-queue", "100ms", "--share", "70", says="--share=70 is not a ratio"),
    case("capacity-bad-time", "capacity", "--prometheus", "http://127.0.0.1:9", "--from", "noon", "--to", "2",
         "--slo-queue", "100ms", says="--from='noon' is neither RFC 3339"),
    # --- autoscale
    case("autoscale-no-target", "autoscale", "-o", "a.yaml", exit=2, says="give --target, or --from-capacity FILE"),
    case("autoscale-capacity-not-json", "autoscale", "--from-capacity", "afile", "-o", "a.yaml",
         says="afile: not the JSON of 'capacity --format json'"),
    case("autoscale-negative-target", "autoscale", "--target", "-1", "-o", "a.yaml",
         says="--target=-1 is out of range; it must be greater than 0"),
    case("autoscale-bad-deployment", "autoscale", "--target", "1", "--deployment", "Triton_Server", "-o", "a.yaml",
         says="--deployment='Triton_Server' is not a valid Kubernetes name"),
    case("autoscale-unknown-metric", "autoscale", "--target", "1", "--metric", "gpu", "-o", "a.yaml", exit=2,
         says="'gpu' is not one of"),
    case("autoscale-replicas-reversed", "autoscale", "--target", "1", "--min-replicas", "5", "--max-replicas", "2",
         "-o", "a.yaml", says="--max-replicas=2 is out of range; it must be at least 5"),
    # --- podmonitor
    case("podmonitor-bad-namespace", "podmonitor", "--namespace", "NS", "-o", "pm.yaml",
         says="namespace='NS' is not a valid Kubernetes name"),
    case("podmonitor-label-without-value", "podmonitor", "--match-label", "app", "-o", "pm.yaml",
         says="expected NAME=VALUE, got 'app'"),
    case("podmonitor-bad-label-key", "podmonitor", "--match-label", "bad key=x", "-o", "pm.yaml",
         says="match label='bad key' is not a valid Kubernetes label key"),
    case("podmonitor-bad-label-value", "podmonitor", "--match-label", "app=tri ton", "-o", "pm.yaml",
         says="match label app='tri ton' is not a valid Kubernetes label value"),
    case("podmonitor-bad-port", "podmonitor", "--port", "Metrics Port", "-o", "pm.yaml",
         says="port='Metrics Port' is not a container port name"),
    case("podmonitor-long-release", "podmonitor", "--release", "r" * 64, "-o", "pm.yaml",
         says="is not a valid Kubernetes label value"),
    case("podmonitor-out-is-a-folder", "podmonitor", "-o", "dashboards", says="is a directory", exit=2),
]


def _snapshot(root: Path) -> dict[str, str]:
    return {str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file()}


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name, content in SEED.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    monkeypatch.chdir(tmp_path)
    # As a user runs it: this machine sets PYTHONDONTWRITEBYTECODE, users do not, and bytecode written
    # beside their dashboard file would be a file "created" by a failed command.
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    yield tmp_path


def invoke(args: list[str] | tuple[str, ...], env: dict[str, str] | None = None) -> Result:
    clean = dict.fromkeys(("GRAFANA_URL", "GRAFANA_TOKEN", "GRAFANA_USER", "GRAFANA_PASSWORD", "GRAFANA_ORG_ID",
                           "PROMETHEUS_URL", "PROMETHEUS_TOKEN", "PROMETHEUS_USER", "PROMETHEUS_PASSWORD"), "")
    return CliRunner().invoke(main, list(args), env={**clean, **(env or {})})


def assert_clean_failure(result: Result, exit_code: int, says: tuple[str, ...], secrets: tuple[str, ...]) -> None:
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert result.exit_code == exit_code, output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.strip().splitlines()
    if exit_code == 1:
        assert len(lines) == 1, lines
    error = lines[-1]
    assert error.startswith("Error: ")
    for fragment in says:
        assert fragment in error, error
    for secret in secrets:
        assert secret not in output and repr(secret)[1:-1] not in output


def test_catalogue_is_large_and_covers_every_command() -> None:
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)
    assert {c.args[0] for c in CASES} == set(main.commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("bad", CASES, ids=lambda c: c.id)
def test_bad_input(bad: Case, workdir: Path) -> None:
    for name, content in bad.files.items():
        (workdir / name).write_text(content)
    before = _snapshot(workdir)
    with grafana_stub(GrafanaState()) as (url, state):
        env = {k: v.replace(STUB, url) for k, v in bad.env.items()}
        result = invoke([arg.replace(STUB, url) for arg in bad.args], env)
        assert state.writes == []
    assert_clean_failure(result, bad.exit, bad.says, bad.secrets)
    assert _snapshot(workdir) == before, "a file was created or changed"


def test_unexpected_error_is_one_line_and_debug_masks_secrets(workdir: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from triton_dash.grafana import client

    def broken(self: object, *args: object, **kwargs: object) -> None:
        raise TypeError(f"bug while sending Bearer {TOKEN}")

    monkeypatch.setattr(client.GrafanaClient, "health", broken)
    env = {"GRAFANA_URL": "http://127.0.0.1:9", "GRAFANA_TOKEN": TOKEN}
    result = invoke(["push"], env)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "Error: unexpected error (TypeError: bug while sending Bearer ***); re-run with --debug for details"]
    debug = invoke(["--debug", "push"], env)
    assert debug.exit_code == 1
    assert "Traceback (most recent call last)" in debug.stderr and "TypeError" in debug.stderr
    assert TOKEN not in debug.stderr + debug.stdout
    assert debug.stderr.strip().splitlines()[-1] == "Error: unexpected error (TypeError: bug while sending Bearer ***)"


def test_interrupt_exits_130_and_leaves_files(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import triton_dash.cli.outputs as cli

    def interrupted(**kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "compile_builtin", interrupted)
    before = _snapshot(workdir)
    result = invoke(["build"])
    assert result.exit_code == 130
    assert result.stderr.strip().splitlines() == ["Error: interrupted; files were left as they were"]
    assert _snapshot(workdir) == before


def test_client_repr_and_errors_never_show_credentials() -> None:
    from triton_dash.grafana import GrafanaClient

    client = GrafanaClient("http://127.0.0.1:9", token=TOKEN, retries=0)
    assert TOKEN not in repr(client) and "auth=token" in repr(client)
    basic = GrafanaClient("http://127.0.0.1:9", user="admin", password=PASSWORD, retries=0)
    assert PASSWORD not in repr(basic)


# --- property-based: arbitrary strings in every option ---------------------------------------

ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=40)
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def assert_no_crash(result: Result, secrets: tuple[str, ...] = ()) -> None:
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert result.exit_code in (0, 1, 2), output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    if result.exit_code == 1:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    for secret in secrets:
        assert secret not in output


@FUZZ
@given(name=st.sampled_from(sorted(f for f in AlertConfig.__dataclass_fields__)), value=ANY_TEXT)
def test_fuzz_rules_settings(name: str, value: str) -> None:
    assert_no_crash(invoke(["rules", "--set", f"{name}={value}", "-o", "-"]))


@FUZZ
@given(namespace=ANY_TEXT, release=ANY_TEXT)
def test_fuzz_prometheusrule_names(namespace: str, release: str) -> None:
    result = invoke(["rules", "--format", "prometheusrule", "--namespace", namespace, "--release", release, "-o", "-"])
    assert_no_crash(result)


@FUZZ
@given(namespace=ANY_TEXT, release=ANY_TEXT, label=ANY_TEXT, port=ANY_TEXT)
def test_fuzz_podmonitor(tmp_path: Path, namespace: str, release: str, label: str, port: str) -> None:
    result = invoke(["podmonitor", "--namespace", namespace, "--release", release, "--match-label", label,
                     "--port", port, "-o", str(tmp_path / "pm.yaml")])
    assert_no_crash(result)


@FUZZ
@given(namespace=ANY_TEXT, folder=ANY_TEXT, annotation=ANY_TEXT)
def test_fuzz_configmap_build(namespace: str, folder: str, annotation: str) -> None:
    result = invoke(["build", "--check", "--format", "configmap", "--namespace", namespace, "--folder", folder,
                     "--folder-annotation", annotation, "-o", "no-such-folder"])
    assert_no_crash(result)


@FUZZ
@given(url=ANY_TEXT, token=ANY_TEXT, password=ANY_TEXT, uid=ANY_TEXT, folder=ANY_TEXT, prom=ANY_TEXT)
def test_fuzz_push_never_crashes_or_leaks(url: str, token: str, password: str, uid: str, folder: str,
                                          prom: str) -> None:
    token, password = "glsa_" + token, "pw_" + password + "_secret"
    with responses.RequestsMock(assert_all_requests_are_fired=False):  # no request leaves this process
        for args in (["push", "--url", url, "--token", token, "--datasource-uid", uid, "--folder", folder,
                      "--prometheus-url", prom, "--retries", "0", "--dry-run"],
                     ["push", "--url", "http://127.0.0.1:9", "--user", "u", "--password", password,
                      "--retries", "0", "--folder-uid", uid]):
            result = invoke(args, {"GRAFANA_TOKEN": ""})
            assert_no_crash(result, secrets=(token, password))

