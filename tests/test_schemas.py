"""Every Kubernetes manifest the CLI writes passes the published schema of its kind, not only our own checks.

- HorizontalPodAutoscaler (``autoscaling/v2``) and the dashboards' ConfigMaps: the Kubernetes OpenAPI schemas
  of the PyPI package ``kubernetes-validate`` (pinned in pyproject.toml), for the newest Kubernetes it carries,
  in strict mode (an unknown field is an error).
- PodMonitor, PrometheusRule (prometheus-operator) and ScaledObject (KEDA): the CRD schemas of the npm packages
  ``@kubernetes-models/prometheus-operator`` and ``@kubernetes-models/keda``, pinned in tests/schemas/package.json
  and package-lock.json, installed by ``npm ci --prefix tests/schemas`` (.ci/run and ``nox -s tests`` do it).
- prometheus-adapter's Helm values are not a Kubernetes object: they go to a file of their own, which must
  not look like one (``kubectl apply`` would reject it).

Under CI=true a missing schema package fails the test.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from triton_dash.build import compile_builtin
from triton_dash.cli import main

from .support.tools import missing

SCHEMAS = Path(__file__).parent / "schemas"
KUBERNETES_VERSION = "1.37.0"  # the newest schema kubernetes-validate 1.37.0 carries


def _write(tmp_path: Path, *args: str) -> None:
    result = CliRunner().invoke(main, [*args])
    assert result.exit_code == 0, result.output


def _documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc is not None]


@pytest.fixture
def manifests(tmp_path: Path) -> Path:
    out = tmp_path / "k8s"
    for args in (
        ("autoscale", "--format", "hpa", "--metric", "queue-time", "--target", "0.05", "-o", str(out / "hpa.yaml")),
        ("autoscale", "--format", "hpa", "--metric", "requests", "--target", "40", "--deployment", "llama",
         "--namespace", "serving", "-o", str(out / "llama-hpa.yaml")),
        ("autoscale", "--format", "keda", "--metric", "queue-time", "--target", "0.05", "-o", str(out / "so.yaml")),
        ("autoscale", "--format", "keda", "--metric", "requests", "--target", "120", "-o", str(out / "so-rps.yaml")),
        ("podmonitor", "--release", "prom", "--match-label", "app.kubernetes.io/name=triton", "-o",
         str(out / "pm.yaml")),
        ("rules", "--format", "prometheusrule", "-o", str(out / "rules.yaml")),
        ("build", "--format", "configmap", "-o", str(out / "dashboards")),
    ):
        _write(tmp_path, *args)
    return out


def _kubernetes_validate() -> Any:
    try:
        import kubernetes_validate
    except ImportError:
        missing("kubernetes-validate")
    return kubernetes_validate


def test_hpa_and_configmaps_pass_the_kubernetes_schemas(manifests: Path) -> None:
    kv = _kubernetes_validate()
    checked: dict[str, int] = {}
    for path in [manifests / "hpa.yaml", manifests / "llama-hpa.yaml", *sorted((manifests / "dashboards").iterdir())]:
        for doc in _documents(path):
            kv.validate(doc, KUBERNETES_VERSION, strict=True)  # raises ValidationError on any mistake
            checked[doc["kind"]] = checked.get(doc["kind"], 0) + 1
    assert checked == {"HorizontalPodAutoscaler": 2, "ConfigMap": len(compile_builtin())}  # one per dashboard


def test_the_schema_check_catches_a_broken_hpa(manifests: Path) -> None:
    """The validator really checks: a misspelt field and a wrong type are both rejected."""
    kv = _kubernetes_validate()
    (hpa,) = _documents(manifests / "hpa.yaml")
    misspelt = {**hpa, "spec": {**hpa["spec"], "maxReplica": 3}}
    wrong_type = {**hpa, "spec": {**hpa["spec"], "maxReplicas": "ten"}}
    for broken in (misspelt, wrong_type):
        with pytest.raises(kv.ValidationError):
            kv.validate(broken, KUBERNETES_VERSION, strict=True)


def test_adapter_values_are_a_file_of_their_own(manifests: Path) -> None:
    (hpa,) = _documents(manifests / "hpa.yaml")  # one document: kubectl apply -f takes the whole file
    assert hpa["kind"] == "HorizontalPodAutoscaler"
    (values,) = _documents(manifests / "hpa.adapter-values.yaml")
    assert "apiVersion" not in values and "kind" not in values
    assert values["rules"]["custom"][0]["name"]["as"] == hpa["spec"]["metrics"][0]["pods"]["metric"]["name"]


def _crd_validator() -> Path:
    node = shutil.which("node")
    if node is None:
        missing("node")
    if not (SCHEMAS / "node_modules" / "@kubernetes-models" / "prometheus-operator").is_dir():
        missing("the npm schema packages (npm ci --prefix tests/schemas)")
    return Path(str(node))


def _validate_crds(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    node = _crd_validator()
    result = subprocess.run([str(node), str(SCHEMAS / "validate.mjs")], input=json.dumps(objects), cwd=SCHEMAS,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    answers: list[dict[str, Any]] = json.loads(result.stdout)
    return answers


def test_podmonitor_prometheusrule_and_scaledobject_pass_their_crd_schemas(manifests: Path) -> None:
    objects = [doc for name in ("pm.yaml", "rules.yaml", "so.yaml", "so-rps.yaml")
               for doc in _documents(manifests / name)]
    answers = _validate_crds(objects)
    assert [a for a in answers if not a["ok"]] == []
    assert sorted(a["kind"] for a in answers) == ["keda.sh/v1alpha1/ScaledObject", "keda.sh/v1alpha1/ScaledObject",
                                                  "monitoring.coreos.com/v1/PodMonitor",
                                                  "monitoring.coreos.com/v1/PrometheusRule"]


def test_the_crd_check_catches_a_broken_podmonitor(manifests: Path) -> None:
    (pm,) = _documents(manifests / "pm.yaml")
    endpoint = {**pm["spec"]["podMetricsEndpoints"][0], "interval": 15}  # must be a duration string
    broken = {**pm, "spec": {**pm["spec"], "podMetricsEndpoints": [endpoint]}}
    (answer,) = _validate_crds([broken])
    assert not answer["ok"] and "interval" in answer["error"]
