"""Commands that write files: build, provision, rules, podmonitor, autoscale."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from .. import validate
from ..build import compile_builtin, compile_files
from ..deploy.autoscale import AUTOSCALE_WINDOW, adapter_values_yaml, autoscale_yaml
from ..deploy.autoscale import METRICS as SCALING_METRICS
from ..deploy.compose import StackSettings, provision_files
from ..deploy.kubernetes import configmap_yaml, pod_monitor_yaml
from ..grafana.specs import FolderSpec
from ..metrics import DCGM_NAMESPACE_LABEL, GpuSource
from ..profile import Profile
from ..profile.alerts import FLEET_SETTINGS
from ..profile.load import DEFAULT_ORIGIN
from ..rules import prometheus_rule, rule_groups, rules_yaml
from ..selector import ResponseCache
from ._common import overrides, plural, require_inputs, write_one, write_or_check
from ._group import main
from .config import config_option, profile_from_flags
from .errors import flags_named

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["autoscale", "build", "podmonitor", "provision", "rules"]


def gpu_source_options(what: str) -> Callable[[F], F]:
    """``--gpu-source`` and ``--dcgm-pod-label`` (profile keys gpu_source, dcgm_pod_label), for ``what``."""
    def decorate(function: F) -> F:
        function = click.option(
            "--dcgm-pod-label", type=click.Choice(sorted(DCGM_NAMESPACE_LABEL)),
            help="With the dcgm GPU source: the label naming the GPU's pod; exported_pod when the exporter's "
                 "ServiceMonitor keeps honorLabels: false (the shipped ones do). Profile key dcgm_pod_label; "
                 "default pod.")(function)
        return click.option(
            "--gpu-source", type=click.Choice([s.value for s in GpuSource]),
            help=f"GPU {what} from Triton's nv_gpu_* or from NVIDIA's DCGM exporter (GPU Operator, MIG; "
                 "docs/dcgm.md). Profile key gpu_source; default triton.")(function)
    return decorate


@main.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("dashboards"), show_default=True, help="Folder for the JSON files.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the JSON in the folder differs.")
@click.option("--recording-rules/--no-recording-rules", default=None,
              help="Built-in dashboards read the recorded rates of 'triton-dash rules' instead of raw counters, "
                   "or not, for this run (profile key recording_rules; default off).")
@click.option("--format", "output_format", type=click.Choice(["json", "configmap"]), default="json",
              show_default=True, help="Grafana JSON, or one Kubernetes ConfigMap per dashboard (Grafana sidecar).")
@click.option("--namespace", default="monitoring", show_default=True, help="ConfigMap namespace.")
@click.option("--folder", default=FolderSpec.title, show_default=True, help="Grafana folder (ConfigMap annotation).")
@click.option("--folder-annotation", default="grafana_folder", show_default=True,
              help="Annotation key the Grafana sidecar reads the folder from (sidecar.dashboards.folderAnnotation).")
@click.option("--cluster-label", metavar="NAME",
              help="Multi-cluster fleets: add a cluster variable and a NAME=~\"$cluster\" matcher to every query.")
@click.option("--response-cache", type=click.Choice([c.value for c in ResponseCache]),
              help="Whether Triton's response cache is on (profile key response_cache; default auto).")
@gpu_source_options("panels")
@config_option
def build(files: tuple[Path, ...], out_dir: Path, check: bool, recording_rules: bool | None, output_format: str,
          namespace: str, folder: str, folder_annotation: str, cluster_label: str | None,
          response_cache: str | None, gpu_source: str | None, dcgm_pod_label: str | None,
          config_path: Path | None) -> None:
    """Compile dashboards to Grafana JSON.

    With no FILES, compiles the built-in dashboards. FILES are Python files
    (``*.dashboard.py``) each defining a grafanalib ``dashboard``; ``x.dashboard.py``
    becomes ``x.json``. Nothing is written unless every dashboard compiles.

    \b
    The built-in dashboards follow the profile (triton-dash.toml here, or
    --config FILE): its job, cluster label, recording rules and response cache;
    a flag overrides its key (--no-recording-rules: raw counters for this run,
    whatever the profile says).

    \b
    Examples:
      python -m triton_dash build
      python -m triton_dash build my.dashboard.py -o out/
      python -m triton_dash build --format configmap -o k8s/ --namespace monitoring
      python -m triton_dash build --recording-rules --cluster-label cluster -o fleet/
      python -m triton_dash build --gpu-source dcgm --dcgm-pod-label exported_pod -o gpu-operator/
    """
    if files and (recording_rules is not None or cluster_label or response_cache or gpu_source or dcgm_pod_label):
        raise click.ClickException("--recording-rules, --cluster-label, --response-cache, --gpu-source and "
                                   "--dcgm-pod-label apply to the built-in dashboards; in your own files pass "
                                   "selector=Selector(recording_rules=True, cluster_label=..., dcgm_pod_label=...) "
                                   "to the panels and use the dcgm_* panels")
    recording_flag = "--recording-rules" if recording_rules else "--no-recording-rules"
    profile = profile_from_flags(config_path, recording_rules=(recording_rules, recording_flag),
                                 cluster_label=(cluster_label, "--cluster-label"),
                                 response_cache=(response_cache, "--response-cache"),
                                 gpu_source=(gpu_source, "--gpu-source"),
                                 dcgm_pod_label=(dcgm_pod_label, "--dcgm-pod-label")).profile
    require_inputs(files)
    if not check:
        validate.output_dir(out_dir, "-o/--out")
    compiled = compile_files(files) if files else compile_builtin(profile=profile)
    if output_format == "configmap":
        outputs = {out_dir / f"{item.stem}.configmap.yaml": configmap_yaml(
            item.document, namespace=namespace, folder=folder, folder_annotation=folder_annotation)
            for item in compiled}
    else:
        outputs = {out_dir / f"{item.stem}.json": item.text for item in compiled}
    for item in compiled:
        for note in item.notes:
            click.echo(note, err=True)
    written = write_or_check(outputs, out_dir, check, "build")
    for item, path in zip(compiled, written, strict=False):
        rows = sum(1 for p in item.document["panels"] if p["type"] == "row")
        panels = sum(1 if p["type"] != "row" else len(p.get("panels", [])) for p in item.document["panels"])
        click.echo(f"wrote {path} ({item.document['title']!r}, uid {item.uid}, {plural(panels, 'panel')} in "
                   f"{plural(rows, 'row')})")


@main.command()
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("provisioning"), show_default=True, help="Folder for the provisioning tree.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the tree differs.")
@config_option
def provision(out_dir: Path, check: bool, config_path: Path | None) -> None:
    """Write Grafana provisioning, prometheus.yml and the docker-compose stack.

    The stack's rules file follows the profile (its job, cluster label, alert
    thresholds, response cache), like 'triton-dash rules'; prometheus.yml
    scrapes Triton under the profile's job, so the rules select it (a job
    regex is refused unless it matches the default name, triton).

    \b
    Examples:
      python -m triton_dash provision
      python -m triton_dash provision --check      # exit 1 if provisioning/ is stale
    """
    if not check:
        validate.output_dir(out_dir, "-o/--out")
    profile = profile_from_flags(config_path).profile
    outputs = {out_dir / name: text for name, text in provision_files(StackSettings(profile=profile)).items()}
    for path in write_or_check(outputs, out_dir, check, "provision"):
        click.echo(f"wrote {path}")


@main.command()
@click.option("-o", "--out", "out_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Output file [default: provisioning/prometheus/rules/triton.rules.yml, or "
                   "triton-dash.prometheusrule.yaml with --format prometheusrule]; '-' for standard output.")
@click.option("--format", "output_format", type=click.Choice(["prometheus", "prometheusrule"]),
              default="prometheus", show_default=True,
              help="A Prometheus rules file, or a PrometheusRule manifest for the Prometheus Operator.")
@click.option("--set", "settings", multiple=True, metavar="NAME=VALUE",
              help="Override an alert threshold or duration, e.g. --set queue_time_seconds=0.25 (repeatable).")
@click.option("--release", default="kube-prometheus-stack", show_default=True,
              help="PrometheusRule 'release' label: kube-prometheus-stack ignores rules without it.")
@click.option("--namespace", default="monitoring", show_default=True, help="PrometheusRule namespace.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the file differs.")
@click.option("--cluster-label", metavar="NAME",
              help="Multi-cluster fleets: keep the external label NAME in every recording and alert.")
@click.option("--only", type=click.Choice(["recording", "alerts"]),
              help="Write one group: the recordings (evaluate them where the data is, e.g. each cluster's "
                   "Prometheus) or the alerts (e.g. vmalert or the ruler on the central store).")
@gpu_source_options("alerts")
@config_option
def rules(out_path: Path | None, output_format: str, settings: tuple[str, ...], release: str, namespace: str,
          check: bool, cluster_label: str | None, only: str | None, gpu_source: str | None,
          dcgm_pod_label: str | None, config_path: Path | None) -> None:
    """Write recording and alerting rules built from the panels' own queries.

    Every value is checked and every rule parsed as PromQL before the file is written.
    The job, cluster label, rate window, response cache and thresholds come from
    the profile (triton-dash.toml here, or --config FILE); --set and
    --cluster-label override single keys.

    \b
    Examples:
      python -m triton_dash rules
      python -m triton_dash rules --set queue_time_seconds=0.25 --set job='triton.*' -o my.rules.yml
      python -m triton_dash rules --format prometheusrule --release prom -o k8s/triton-rules.yaml
      python -m triton_dash rules --only recording -o east.rules.yml   # per cluster; alerts centrally
      python -m triton_dash rules --gpu-source dcgm --dcgm-pod-label exported_pod -o gpu.rules.yml
    """
    flags = {"gpu_source": (gpu_source, "--gpu-source"), "dcgm_pod_label": (dcgm_pod_label, "--dcgm-pod-label")}
    groups = rule_groups(profile=rules_profile(config_path, overrides(settings), cluster_label,
                                               {k: v for k, v in flags.items() if v[0] is not None}))
    if only is not None:
        groups = [groups[0]] if only == "recording" else [groups[1]]
    if output_format == "prometheusrule":
        text = prometheus_rule(groups, namespace=namespace, release=release)
        default = Path("triton-dash.prometheusrule.yaml")
    else:
        text = rules_yaml(groups)
        default = Path("provisioning/prometheus/rules/triton.rules.yml")
    written = write_one(text, out_path, default, check, "rules")
    if written is not None:
        click.echo(f"wrote {written}")


@main.command()
@click.option("-o", "--out", "out_path", type=click.Path(path_type=Path, dir_okay=False),
              default=Path("triton-dash.podmonitor.yaml"), show_default=True)
@click.option("--namespace", default="monitoring", show_default=True)
@click.option("--release", default="kube-prometheus-stack", show_default=True)
@click.option("--match-label", "match_labels", multiple=True, default=("app=triton",), show_default=True,
              metavar="KEY=VALUE", help="Pod labels that select Triton pods (repeatable).")
@click.option("--port", default="metrics", show_default=True, help="Name of the pods' metrics container port.")
@click.option("--job", help="The job name the scraped series get (a literal name) [default: the profile's job, "
                            "else triton]: the one the rules and autoscalers select.")
@config_option
def podmonitor(out_path: Path, namespace: str, release: str, match_labels: tuple[str, ...], port: str,
               job: str | None, config_path: Path | None) -> None:
    """Write a PodMonitor that scrapes Triton's metrics port.

    The scraped series get job=<the profile's job> (default triton), the job
    'rules' and 'autoscale' select, instead of prometheus-operator's
    <namespace>/<name>; a profile job that is a regex is refused here.

    \b
    Examples:
      python -m triton_dash podmonitor --release prom --match-label app=triton --port metrics -o k8s/pm.yaml
      python -m triton_dash podmonitor --release prom --job triton-prod -o k8s/pm.yaml
    """
    validate.output_file(out_path, "-o/--out")
    labels = overrides(match_labels)
    loaded = profile_from_flags(config_path, job=(job, "--job"))
    origin = loaded.origin["job"]
    with flags_named(job="--job" if origin == "--job" else f"{origin}: job"):
        text = pod_monitor_yaml(namespace=namespace, release=release, match_labels=labels, port=port,
                                job=loaded.profile.alert_job)
    for path in write_or_check({out_path: text}, out_path.parent, False, "podmonitor"):
        click.echo(f"wrote {path}")


@main.command()
@click.option("--format", "output_format", type=click.Choice(["hpa", "keda"]), default="hpa", show_default=True,
              help="An autoscaling/v2 HPA (plus, in --adapter-values, prometheus-adapter's Helm values), or a "
                   "KEDA ScaledObject.")
@click.option("--metric", type=click.Choice(sorted(SCALING_METRICS)),
              help="queue-time: seconds per request in Triton's queue (default); pending: waiting requests; "
                   "requests: successful requests/s (the default with --from-capacity).")
@click.option("--target", type=float,
              help="Per-pod target (HPA), or threshold (KEDA): seconds, requests, or requests/s.")
@click.option("--from-capacity", "capacity_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Take the target from 'capacity --format json' output: the model's target per pod (requests/s).")
@click.option("--model", "model",
              help="Scale on this model's numbers only (model=~\"NAME\" in every query); with --from-capacity "
                   "also its row [default: every model in the pod; with --from-capacity, the file's one model].")
@click.option("--deployment", default="triton", show_default=True, help="The Deployment to scale.")
@click.option("--namespace", default="default", show_default=True)
@click.option("--min-replicas", type=int, default=1, show_default=True)
@click.option("--max-replicas", type=int, default=10, show_default=True)
@click.option("--job", help="Regex of Triton's scrape job [default: the profile's job, else triton].")
@click.option("--prometheus-url", default="http://prometheus-operated.monitoring:9090", show_default=True,
              help="Where KEDA reaches Prometheus (keda only).")
@click.option("-o", "--out", "out_path", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="Output file for the manifest (kubectl apply -f); '-' for standard output.")
@click.option("--adapter-values", "adapter_path", type=click.Path(path_type=Path, dir_okay=False),
              help="hpa only: where prometheus-adapter's Helm values go (helm ... -f FILE) [default: next to -o, "
                   "NAME.adapter-values.yaml; with -o - only when given].")
@config_option
def autoscale(output_format: str, metric: str | None, target: float | None, capacity_file: Path | None,
              model: str | None, deployment: str, namespace: str, min_replicas: int,
              max_replicas: int, job: str | None, prometheus_url: str, out_path: Path, adapter_path: Path | None,
              config_path: Path | None) -> None:
    """Write autoscaling manifests that scale Triton on the dashboards' own numbers.

    With --format hpa two files: the HorizontalPodAutoscaler (-o, for kubectl
    apply) and prometheus-adapter's Helm values that serve its metric
    (--adapter-values, for helm -f). KEDA's query counts only the
    Deployment's pods (pod=~"<deployment>-<hash>-<id>"); --model (or
    --from-capacity's model) narrows every query to one model.

    \b
    Examples:
      python -m triton_dash autoscale --format hpa --metric queue-time --target 0.05 -o k8s/triton-hpa.yaml
      python -m triton_dash autoscale --format keda --metric requests --target 120 --deployment llama -o so.yaml
      python -m triton_dash capacity ... --format json > cap.json
      python -m triton_dash autoscale --from-capacity cap.json --model llama -o k8s/llama-hpa.yaml
    """
    if capacity_file is not None:
        require_inputs([capacity_file])
        if target is not None or metric not in (None, "requests"):
            raise click.UsageError("--from-capacity sets the target in requests/s: drop --target and --metric")
        # the target is one model's: the metric must be that model's too
        metric, (model, target) = "requests", capacity_target(capacity_file, model)
    if target is None:
        raise click.UsageError("give --target, or --from-capacity FILE")
    metric = metric or "queue-time"
    loaded = profile_from_flags(config_path, job=(job, "--job"))
    # An HPA must react within a minute: the profile's rate window only where the profile sets one.
    window = loaded.profile.rate_window if loaded.origin["rate_window"] != DEFAULT_ORIGIN else AUTOSCALE_WINDOW
    with flags_named(target="--target", deployment="--deployment", namespace="--namespace", job="--job",
                     min_replicas="--min-replicas", max_replicas="--max-replicas", metric="--metric",
                     prometheus_url="--prometheus-url", kind="--format", model="--model"):
        text = autoscale_yaml(output_format, metric=metric, target=target, deployment=deployment,
                              namespace=namespace, min_replicas=min_replicas, max_replicas=max_replicas,
                              job=loaded.profile.alert_job, prometheus_url=prometheus_url, rate_window=window,
                              model=model)
    if output_format != "hpa" and adapter_path is not None:
        raise click.UsageError("--adapter-values is for --format hpa (KEDA reads Prometheus itself)")
    outputs: dict[Path, str] = {}
    if output_format == "hpa":
        if adapter_path is None and out_path != Path("-"):
            adapter_path = out_path.with_name(f"{out_path.name.removesuffix('.yaml').removesuffix('.yml')}"
                                              ".adapter-values.yaml")
        if adapter_path is not None:
            validate.output_file(adapter_path, "--adapter-values")
            with flags_named(job="--job", model="--model"):
                outputs[adapter_path] = adapter_values_yaml(metric, job=loaded.profile.alert_job,
                                                            rate_window=window, model=model)
    if out_path == Path("-"):
        click.echo(text, nl=False)
        if output_format == "hpa" and adapter_path is None:
            click.echo("note: prometheus-adapter must serve the HPA's metric: write its Helm values with "
                       "--adapter-values FILE", err=True)
    else:
        validate.output_file(out_path, "-o/--out")
        outputs = {out_path: text, **outputs}
    for path in write_or_check(outputs, out_path.parent, False, "autoscale") if outputs else []:
        use = "helm upgrade --install prometheus-adapter prometheus-community/prometheus-adapter -f" \
            if path == adapter_path else "kubectl apply -f"
        click.echo(f"wrote {path} ({use} {path})", err=out_path == Path("-"))


def rules_profile(config_path: Path | None, settings: dict[str, str], cluster_label: str | None,
                  flags: dict[str, tuple[str | None, str]] | None = None) -> Profile:
    """The profile with ``--set`` applied: the fleet's keys (job, rate_window, probe_job, cluster_label,
    gpu_source, dcgm_pod_label) to the profile itself, every other name to its alert thresholds; ``flags``
    (``--gpu-source``...) override them."""
    fleet: dict[str, tuple[str | None, str]] = {name: (value, f"--set {name}") for name, value in settings.items()
                                                if name in FLEET_SETTINGS}
    if "cluster_label" in fleet and not fleet["cluster_label"][0]:
        raise click.BadParameter("cluster_label= is empty; give the external label's name", param_hint="--set")
    if cluster_label is not None:
        fleet["cluster_label"] = (cluster_label, "--cluster-label")
    fleet.update(flags or {})
    loaded = profile_from_flags(config_path, **fleet)
    thresholds = {name: value for name, value in settings.items() if name not in FLEET_SETTINGS}
    if not thresholds:
        return loaded.profile
    merged = {**dict(loaded.profile.alerts), **thresholds}
    return loaded.profile.with_(alerts=tuple(sorted(merged.items())))


def capacity_target(path: Path, model: str | None) -> tuple[str, float]:
    """The model and target per pod of one model's row in 'capacity --format json' output."""
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise click.ClickException(f"{path}: not the JSON of 'capacity --format json' ({exc})") from exc
    if not isinstance(rows, list) or not all(isinstance(r, dict) and "model" in r for r in rows):
        raise click.ClickException(f"{path}: not the JSON of 'capacity --format json'")
    chosen = [r for r in rows if model is None or r["model"] == model]
    names = ", ".join(sorted({str(r["model"]) for r in rows})) or "none"
    if model is not None and not chosen:
        raise click.ClickException(f"{path}: has no model {model!r} (models: {names})")
    if len(chosen) != 1:
        raise click.ClickException(f"{path}: holds several models; pick one with --model (models: {names})")
    value = chosen[0].get("target_per_pod")
    if not isinstance(value, int | float) or value <= 0:
        raise click.ClickException(f"{path}: model {chosen[0]['model']!r} has no target (the SLO never held)")
    return str(chosen[0]["model"]), float(value)
