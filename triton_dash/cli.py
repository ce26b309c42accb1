"""``python -m triton_dash`` / ``triton-dash``: the command line.

    triton-dash build                      # built-in dashboards -> dashboards/*.json
    triton-dash build my.dashboard.py -o out/
    triton-dash build --check              # exit 1 if dashboards/ differs from the code
    triton-dash push --dry-run             # what would change in the Grafana at $GRAFANA_URL
    triton-dash provision                  # Grafana/Prometheus/compose files -> provisioning/
    triton-dash rules --format prometheusrule -o triton-rules.yaml
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import click

from . import __version__, validate
from .analysis.sources import Dashboard, SourceError, load
from .autoscale import METRICS as SCALING_METRICS
from .autoscale import autoscale_yaml
from .build import compile_builtin, compile_files
from .capacity import Slo, capacity, plot, rows_json, rows_table
from .check import PrometheusClient, PrometheusUnavailable, count_targets, run_check
from .check.resolve import Macros
from .cli_errors import SafeGroup, remember_secret
from .grafana.client import GrafanaClient, GrafanaError
from .grafana.push import (
    DatasourceSpec,
    FolderSpec,
    Outcome,
    load_dashboard_files,
    outcomes_json,
    push,
    render_table,
)
from .kubernetes import configmap_yaml, pod_monitor_yaml
from .lint import RULES as LINT_RULES
from .lint import UNUSED_EXCLUSION, lint
from .lint.config import CONFIG_FILE, ConfigError, find_config, load_config
from .provision import provision_files
from .render import write_files
from .rules import AlertConfig, prometheus_rule, rule_groups, rules_yaml
from .selector import Selector

__all__ = ["main"]

EXIT_CANNOT_RUN = 2


@click.group(cls=SafeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="triton-dash")
@click.option("--debug", is_flag=True, help="On an unexpected error, show the traceback (secrets masked).")
def main(debug: bool) -> None:
    """Grafana dashboards as code for NVIDIA Triton Inference Server.

    Every command checks all its input before it writes or sends anything; a
    bad value ends with one line, 'Error: ...', and exit status 1.

    \b
    Example:
      python -m triton_dash build && python -m triton_dash push --dry-run
    """


@main.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("dashboards"), show_default=True, help="Folder for the JSON files.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the JSON in the folder differs.")
@click.option("--recording-rules", is_flag=True,
              help="Built-in dashboards read the recorded rates of 'triton-dash rules' instead of raw counters.")
@click.option("--format", "output_format", type=click.Choice(["json", "configmap"]), default="json",
              show_default=True, help="Grafana JSON, or one Kubernetes ConfigMap per dashboard (Grafana sidecar).")
@click.option("--namespace", default="monitoring", show_default=True, help="ConfigMap namespace.")
@click.option("--folder", default=FolderSpec.title, show_default=True, help="Grafana folder (ConfigMap annotation).")
@click.option("--folder-annotation", default="grafana_folder", show_default=True,
              help="Annotation key the Grafana sidecar reads the folder from (sidecar.dashboards.folderAnnotation).")
@click.option("--cluster-label", metavar="NAME",
              help="Multi-cluster fleets: add a cluster variable and a NAME=~\"$cluster\" matcher to every query.")
def build(files: tuple[Path, ...], out_dir: Path, check: bool, recording_rules: bool, output_format: str,
          namespace: str, folder: str, folder_annotation: str, cluster_label: str | None) -> None:
    """Compile dashboards to Grafana JSON.

    With no FILES, compiles the built-in dashboards. FILES are Python files
    (``*.dashboard.py``) each defining a grafanalib ``dashboard``; ``x.dashboard.py``
    becomes ``x.json``. Nothing is written unless every dashboard compiles.

    \b
    Examples:
      python -m triton_dash build
      python -m triton_dash build my.dashboard.py -o out/
      python -m triton_dash build --format configmap -o k8s/ --namespace monitoring
      python -m triton_dash build --recording-rules --cluster-label cluster -o fleet/
    """
    if files and (recording_rules or cluster_label):
        raise click.ClickException("--recording-rules and --cluster-label apply to the built-in dashboards; in "
                                   "your own files pass selector=Selector(recorded=True, cluster_label=...) to the "
                                   "panels")
    if not check:
        validate.output_dir(out_dir, "-o/--out")
    compiled = compile_files(files) if files else compile_builtin(recording_rules=recording_rules,
                                                                   cluster_label=cluster_label)
    if output_format == "configmap":
        outputs = {out_dir / f"{item.stem}.configmap.yaml": configmap_yaml(
            item.document, namespace=namespace, folder=folder, folder_annotation=folder_annotation)
            for item in compiled}
    else:
        outputs = {out_dir / f"{item.stem}.json": item.text for item in compiled}
    written = _write_or_check(outputs, out_dir, check, "build")
    for item, path in zip(compiled, written, strict=False):
        rows = sum(1 for p in item.document["panels"] if p["type"] == "row")
        panels = sum(1 if p["type"] != "row" else len(p.get("panels", [])) for p in item.document["panels"])
        click.echo(f"wrote {path} ({item.document['title']!r}, uid {item.uid}, {panels} panels in {rows} rows)")


def _write_or_check(outputs: dict[Path, str], out_dir: Path, check: bool, command: str) -> list[Path]:
    """Write every file (all or nothing), or with ``check`` only compare and exit 1 on drift."""
    if check:
        stale = [str(path) for path, text in outputs.items()
                 if not path.is_file() or path.read_text(encoding="utf-8") != text]
        if stale:
            raise click.ClickException(f"out of date, run 'triton-dash {command}': {', '.join(stale)}")
        click.echo(f"{len(outputs)} files in {out_dir} are up to date")
        return []
    for path in outputs:
        validate.output_file(path, "output file")
    try:
        return write_files(outputs)
    except OSError as exc:
        raise click.ClickException(f"cannot write to {out_dir}: {exc.strerror or exc}; nothing was written") from exc


@main.command()
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("provisioning"), show_default=True, help="Folder for the provisioning tree.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the tree differs.")
def provision(out_dir: Path, check: bool) -> None:
    """Write Grafana provisioning, prometheus.yml and the docker-compose stack.

    \b
    Examples:
      python -m triton_dash provision
      python -m triton_dash provision --check      # exit 1 if provisioning/ is stale
    """
    if not check:
        validate.output_dir(out_dir, "-o/--out")
    outputs = {out_dir / name: text for name, text in provision_files().items()}
    for path in _write_or_check(outputs, out_dir, check, "provision"):
        click.echo(f"wrote {path}")


@main.command(name="push")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--url", envvar="GRAFANA_URL", default="http://localhost:3000", show_default=True,
              help="Grafana's address [env GRAFANA_URL].")
@click.option("--token", envvar="GRAFANA_TOKEN", callback=remember_secret,
              help="Service-account token [env GRAFANA_TOKEN].")
@click.option("--user", envvar="GRAFANA_USER", help="Basic-auth user [env GRAFANA_USER].")
@click.option("--password", envvar="GRAFANA_PASSWORD", callback=remember_secret,
              help="Basic-auth password [env GRAFANA_PASSWORD].")
@click.option("--org-id", envvar="GRAFANA_ORG_ID", type=int, help="Organisation id [env GRAFANA_ORG_ID].")
@click.option("--prometheus-url", envvar="PROMETHEUS_URL", default=DatasourceSpec.url, show_default=True,
              help="Where Grafana reaches Prometheus [env PROMETHEUS_URL].")
@click.option("--datasource-uid", default=DatasourceSpec.uid, show_default=True)
@click.option("--datasource-name", default=DatasourceSpec.name, show_default=True)
@click.option("--no-datasource", is_flag=True, help="Leave datasources alone (one with --datasource-uid must exist).")
@click.option("--folder", "folder_title", default=FolderSpec.title, show_default=True, help="Folder title.")
@click.option("--folder-uid", default=FolderSpec.uid, show_default=True)
@click.option("--ca-bundle", type=click.Path(exists=True, dir_okay=False), help="CA bundle for Grafana's TLS.")
@click.option("--insecure", is_flag=True, help="Do not verify Grafana's TLS certificate.")
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Read timeout, seconds.")
@click.option("--retries", type=click.IntRange(0, 10), default=3, show_default=True,
              help="Retries on connection errors and 502/503/504.")
@click.option("--dry-run", is_flag=True, help="Write nothing; show what would be created, updated or deleted.")
@click.option("--prune", is_flag=True,
              help="Delete dashboards in the folder that are tagged triton-dash but no longer defined.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="A table, or a JSON list of outcomes for scripts.")
def push_command(files: tuple[Path, ...], url: str, token: str | None, user: str | None, password: str | None,
                 org_id: int | None, prometheus_url: str, datasource_uid: str, datasource_name: str,
                 no_datasource: bool, folder_title: str, folder_uid: str, ca_bundle: str | None, insecure: bool,
                 timeout: float, retries: int, dry_run: bool, prune: bool, output_format: str) -> None:
    """Push dashboards and the Prometheus datasource to Grafana.

    With no FILES, pushes the built-in dashboards (built in memory); FILES are
    compiled dashboard JSON files. Everything is validated before the first
    write; dashboards that already match are not written again. The first
    line of the table names Grafana's version.

    \b
    Examples:
      GRAFANA_URL=http://localhost:3000 GRAFANA_TOKEN=glsa_... python -m triton_dash push --dry-run
      python -m triton_dash push --prune --folder Triton dashboards/*.json
    """
    client = GrafanaClient(url, token=token, user=user, password=password, org_id=org_id,
                           verify=False if insecure else (ca_bundle or True), timeout=(5.0, timeout),
                           retries=retries)
    datasource = None if no_datasource else DatasourceSpec(datasource_uid, datasource_name, prometheus_url)
    folder = FolderSpec(folder_uid, folder_title)
    docs = load_dashboard_files(files) if files else [c.document for c in compile_builtin()]
    done: list[Outcome] = []

    def show(show_diff: bool) -> None:
        click.echo(outcomes_json(done) if output_format == "json" else render_table(done, show_diff=show_diff))

    try:
        for outcome in push(client, docs, datasource=datasource, folder=folder, dry_run=dry_run, prune=prune):
            done.append(outcome)
    except GrafanaError:
        if done:
            show(False)
        raise
    show(dry_run)
    if dry_run and output_format == "text":
        click.echo("dry run: nothing was written")


def _overrides(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.ClickException(f"expected NAME=VALUE, got {item!r}")
        out[name.strip()] = value.strip()
    return out


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
def rules(out_path: Path | None, output_format: str, settings: tuple[str, ...], release: str, namespace: str,
          check: bool, cluster_label: str | None) -> None:
    """Write recording and alerting rules built from the panels' own queries.

    Every value is checked and every rule parsed as PromQL before the file is written.

    \b
    Examples:
      python -m triton_dash rules
      python -m triton_dash rules --set queue_time_seconds=0.25 --set job='triton.*' -o my.rules.yml
      python -m triton_dash rules --format prometheusrule --release prom -o k8s/triton-rules.yaml
    """
    overrides = _overrides(settings)
    if cluster_label is not None:
        overrides["cluster_label"] = cluster_label
    config = AlertConfig.from_overrides(overrides)
    groups = rule_groups(config)
    if output_format == "prometheusrule":
        text = prometheus_rule(groups, namespace=namespace, release=release)
        default = Path("triton-dash.prometheusrule.yaml")
    else:
        text = rules_yaml(groups)
        default = Path("provisioning/prometheus/rules/triton.rules.yml")
    if out_path == Path("-"):
        click.echo(text, nl=False)
        return
    target = out_path or default
    if not check:
        validate.output_file(target, "-o/--out")
    for path in _write_or_check({target: text}, target.parent, check, "rules"):
        click.echo(f"wrote {path}")


@main.command()
@click.option("-o", "--out", "out_path", type=click.Path(path_type=Path, dir_okay=False),
              default=Path("triton-dash.podmonitor.yaml"), show_default=True)
@click.option("--namespace", default="monitoring", show_default=True)
@click.option("--release", default="kube-prometheus-stack", show_default=True)
@click.option("--match-label", "match_labels", multiple=True, default=("app=triton",), show_default=True,
              metavar="KEY=VALUE", help="Pod labels that select Triton pods (repeatable).")
@click.option("--port", default="metrics", show_default=True, help="Name of the pods' metrics container port.")
def podmonitor(out_path: Path, namespace: str, release: str, match_labels: tuple[str, ...], port: str) -> None:
    """Write a PodMonitor that scrapes Triton's metrics port.

    \b
    Example:
      python -m triton_dash podmonitor --release prom --match-label app=triton --port metrics -o k8s/pm.yaml
    """
    validate.output_file(out_path, "-o/--out")
    labels = _overrides(match_labels)
    text = pod_monitor_yaml(namespace=namespace, release=release, match_labels=labels, port=port)
    for path in _write_or_check({out_path: text}, out_path.parent, False, "podmonitor"):
        click.echo(f"wrote {path}")


def _cannot_run(message: str) -> None:
    """One line and exit status 2: the command could not run at all (distinct from 'found problems')."""
    click.echo(f"Error: {' '.join(message.split())}", err=True)
    click.get_current_context().exit(EXIT_CANNOT_RUN)


def _load(files: tuple[Path, ...]) -> list[Dashboard]:
    try:
        return load(files)
    except SourceError as exc:
        _cannot_run(str(exc))
        raise AssertionError("unreachable") from exc


def _parse_time(value: str | None) -> float:
    if value is None:
        return time.time()
    try:
        return float(value)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is neither RFC 3339 (2026-12-03T10:00:00Z) nor Unix seconds",
                                 param_hint="--at") from None
    if parsed.tzinfo is None:
        raise click.BadParameter(f"{value!r} has no time zone; add Z or +01:00", param_hint="--at")
    return parsed.timestamp()


@main.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--prometheus", "prometheus_url", envvar="PROMETHEUS_URL", required=True, metavar="URL",
              help="Prometheus' base URL [env PROMETHEUS_URL].")
@click.option("--at", "at_text", metavar="TIME", help="When to evaluate: RFC 3339 or Unix seconds [default: now].")
@click.option("--set", "settings", multiple=True, metavar="VAR=VALUE",
              help="Choose a dashboard variable's value (repeatable; VALUE may list values with commas).")
@click.option("--scrape-interval", default="15s", show_default=True,
              help="The Grafana datasource's scrape interval: $__rate_interval is 4 times it.")
@click.option("--lookback", default="1d", show_default=True, help="How far back to look for a missing family.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds per Prometheus request.")
@click.option("--token", envvar="PROMETHEUS_TOKEN", callback=remember_secret,
              help="Bearer token [env PROMETHEUS_TOKEN].")
@click.option("--user", envvar="PROMETHEUS_USER", help="Basic-auth user [env PROMETHEUS_USER].")
@click.option("--password", envvar="PROMETHEUS_PASSWORD", callback=remember_secret,
              help="Basic-auth password [env PROMETHEUS_PASSWORD].")
@click.option("--ca-bundle", type=click.Path(exists=True, dir_okay=False), help="CA bundle for Prometheus' TLS.")
@click.option("--insecure", is_flag=True, help="Do not verify Prometheus' TLS certificate.")
def check(files: tuple[Path, ...], prometheus_url: str, at_text: str | None, settings: tuple[str, ...],
          scrape_interval: str, lookback: str, output_format: str, timeout: float, token: str | None,
          user: str | None, password: str | None, ca_bundle: str | None, insecure: bool) -> None:
    """Say why each panel shows no data, on your own Prometheus.

    Runs every target of the dashboards (the built-in ones, or FILES: compiled
    JSON, Grafana exports, *.dashboard.py) as Grafana would, and reports per
    panel ok, idle, no-data (with the reason and the fix), nan or error, and the
    health of the Triton scrape targets. Exit 0: nothing wrong; 1: something is
    wrong; 2: could not run.

    \b
    Examples:
      python -m triton_dash check --prometheus http://127.0.0.1:9090
      python -m triton_dash check --prometheus http://prom:9090 --set job=triton-server --format json
      python -m triton_dash check --prometheus http://prom:9090 their-dashboard.json --at 2026-12-03T10:00:00Z
    """
    at = _parse_time(at_text)
    chosen = _overrides(settings)
    validate.duration(scrape_interval, "--scrape-interval")
    validate.duration(lookback, "--lookback")
    seconds = _duration_seconds(scrape_interval)
    macros = Macros(rate_interval=f"{4 * seconds}s", interval=f"{seconds}s")
    dashboards = _load(files)
    client = PrometheusClient(prometheus_url, token=token, user=user, password=password, timeout=timeout,
                              verify=False if insecure else (ca_bundle or True))
    total = count_targets(dashboards)
    try:
        with _progress(total, "checking") as advance:
            report = run_check(client, dashboards, at=at, chosen=chosen, macros=macros,
                               lookback_s=_duration_seconds(lookback), progress=advance)
    except PrometheusUnavailable as exc:
        _cannot_run(str(exc))
        return
    click.echo(report.json() if output_format == "json" else report.text())
    if report.failed:
        click.get_current_context().exit(1)


@main.command(name="lint")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help=f"Exclusions [default: {CONFIG_FILE} or [tool.triton-dash.lint] in pyproject.toml, here].")
def lint_command(files: tuple[Path, ...], output_format: str, config_path: Path | None) -> None:
    """Find wrong PromQL and dashboard mistakes in any Grafana dashboard, offline.

    FILES are Grafana dashboard JSON (compiled, exported, or from the API) or
    *.dashboard.py files; with none, the built-in dashboards. Each finding has a
    rule id, a severity, where it is and what to write instead. Exit 0: no
    errors; 1: errors; 2: could not read the input or the configuration.

    \b
    Examples:
      python -m triton_dash lint their-dashboard.json
      python -m triton_dash lint dashboards/*.json --format json
    """
    dashboards = _load(files)
    path = config_path or find_config(Path.cwd())
    try:
        exclusions = load_config(path, set(LINT_RULES) | {UNUSED_EXCLUSION}) if path else []
    except ConfigError as exc:
        _cannot_run(str(exc))
        return
    report = lint(dashboards, exclusions)
    click.echo(report.json() if output_format == "json" else report.text())
    if report.errors:
        click.get_current_context().exit(1)


def _duration_seconds(text: str) -> int:
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
    return max(1, int(sum(int(n) * units[u] for n, u in re.findall(r"(\d+)(ms|s|m|h|d|w|y)", text))))


@contextlib.contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal (stderr), nothing otherwise."""
    if not sys.stderr.isatty() or total < 2:
        yield lambda _n: None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update


@main.command()
@click.option("--format", "output_format", type=click.Choice(["hpa", "keda"]), default="hpa", show_default=True,
              help="An autoscaling/v2 HPA plus its prometheus-adapter rule, or a KEDA ScaledObject.")
@click.option("--metric", type=click.Choice(sorted(SCALING_METRICS)),
              help="queue-time: seconds per request in Triton's queue (default); pending: waiting requests; "
                   "requests: successful requests/s (the default with --from-capacity).")
@click.option("--target", type=float,
              help="Per-pod target (HPA), or threshold (KEDA): seconds, requests, or requests/s.")
@click.option("--from-capacity", "capacity_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Take the target from 'capacity --format json' output: the model's target per pod (requests/s).")
@click.option("--model", "capacity_model",
              help="With --from-capacity: which model's row (needed if there are several).")
@click.option("--deployment", default="triton", show_default=True, help="The Deployment to scale.")
@click.option("--namespace", default="default", show_default=True)
@click.option("--min-replicas", type=int, default=1, show_default=True)
@click.option("--max-replicas", type=int, default=10, show_default=True)
@click.option("--job", default="triton", show_default=True, help="Regex of Triton's scrape job.")
@click.option("--prometheus-url", default="http://prometheus-operated.monitoring:9090", show_default=True,
              help="Where KEDA reaches Prometheus (keda only).")
@click.option("-o", "--out", "out_path", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="Output file; '-' for standard output.")
def autoscale(output_format: str, metric: str | None, target: float | None, capacity_file: Path | None,
              capacity_model: str | None, deployment: str, namespace: str, min_replicas: int,
              max_replicas: int, job: str, prometheus_url: str, out_path: Path) -> None:
    """Write autoscaling manifests that scale Triton on the dashboards' own numbers.

    \b
    Examples:
      python -m triton_dash autoscale --format hpa --metric queue-time --target 0.05 -o k8s/triton-hpa.yaml
      python -m triton_dash autoscale --format keda --metric requests --target 120 --deployment llama -o so.yaml
      python -m triton_dash capacity ... --format json > cap.json
      python -m triton_dash autoscale --from-capacity cap.json --model llama -o k8s/llama-hpa.yaml
    """
    if capacity_file is not None:
        if target is not None or metric not in (None, "requests"):
            raise click.UsageError("--from-capacity sets the target in requests/s: drop --target and --metric")
        metric, target = "requests", _capacity_target(capacity_file, capacity_model)
    if target is None:
        raise click.UsageError("give --target, or --from-capacity FILE")
    metric = metric or "queue-time"
    text = autoscale_yaml(output_format, metric=metric, target=target, deployment=deployment, namespace=namespace,
                          min_replicas=min_replicas, max_replicas=max_replicas, job=job,
                          prometheus_url=prometheus_url)
    if out_path == Path("-"):
        click.echo(text, nl=False)
        return
    validate.output_file(out_path, "-o/--out")
    for path in _write_or_check({out_path: text}, out_path.parent, False, "autoscale"):
        click.echo(f"wrote {path}")


@main.command(name="capacity")
@click.option("--prometheus", "prometheus_url", envvar="PROMETHEUS_URL", required=True, metavar="URL",
              help="Prometheus' base URL [env PROMETHEUS_URL].")
@click.option("--from", "start_text", required=True, metavar="TIME", help="Load test start: RFC 3339 or Unix seconds.")
@click.option("--to", "end_text", required=True, metavar="TIME", help="Load test end.")
@click.option("--model", default=".*", show_default=True, help="Regex of the models to size.")
@click.option("--job", default=".+", show_default=True, help="Regex of Triton's scrape job.")
@click.option("--slo-queue", metavar="DURATION", help="Queue time per request must stay at or under this (e.g. 100ms).")
@click.option("--slo-latency", metavar="DURATION", help="Request time per request must stay at or under this.")
@click.option("--share", type=float, default=0.7, show_default=True,
              help="Autoscaling target as a share of the measured maximum.")
@click.option("--step", default="15s", show_default=True, help="Resolution of the reading (a scrape interval or more).")
@click.option("--rate-window", default="1m", show_default=True, help="Window of the rates (>= 4 scrape intervals).")
@click.option("--sustain", default="1m", show_default=True, help="How long a throughput must hold to count.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--plot", "plot_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Draw throughput against the SLO metric to this PNG (pip install 'triton-dash[plot]').")
@click.option("--token", envvar="PROMETHEUS_TOKEN", callback=remember_secret,
              help="Bearer token [env PROMETHEUS_TOKEN].")
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds per Prometheus request.")
def capacity_command(prometheus_url: str, start_text: str, end_text: str, model: str, job: str,
                     slo_queue: str | None, slo_latency: str | None, share: float, step: str, rate_window: str,
                     sustain: str, output_format: str, plot_path: Path | None, token: str | None,
                     timeout: float) -> None:
    """Find each model's capacity in a load test: the most requests/s held while the SLO held.

    Prints per model the maximum throughput, latency and queue time there, batch
    size, pods, GPU utilization and memory, and the autoscaling target per pod
    (--share of the maximum), for 'autoscale --target'.

    \b
    Examples:
      python -m triton_dash capacity --prometheus http://127.0.0.1:9090 --from 2026-12-03T10:00:00Z \\
          --to 2026-12-03T10:30:00Z --slo-queue 100ms
      python -m triton_dash capacity ... --slo-latency 500ms --format json --plot knee.png
    """
    if (slo_queue is None) == (slo_latency is None):
        raise click.UsageError("give exactly one of --slo-queue and --slo-latency")
    limit = slo_queue if slo_queue is not None else slo_latency
    assert limit is not None
    validate.duration(limit, "--slo-queue" if slo_queue else "--slo-latency")
    for value, name in ((step, "--step"), (rate_window, "--rate-window"), (sustain, "--sustain")):
        validate.duration(value, name)
    slo = Slo("queue" if slo_queue else "latency", _seconds_float(limit))
    start, end = _parse_time(start_text), _parse_time(end_text)
    selector = Selector(job=job, instance=None, model=model, version=None, gpu=None, rate_interval=rate_window)
    client = PrometheusClient(prometheus_url, token=token, timeout=timeout)
    if plot_path is not None:
        validate.output_file(plot_path, "--plot")
    try:
        with _progress(6, "reading") as advance:
            rows = capacity(client, start, end, slo=slo, selector=selector, share=share,
                            step=_duration_seconds(step), sustain=_duration_seconds(sustain), progress=advance)
    except PrometheusUnavailable as exc:
        _cannot_run(str(exc))
        return
    if not rows:
        raise click.ClickException(f"no successful request of models matching {model!r} between --from and --to")
    click.echo(rows_json(rows) if output_format == "json" else rows_table(rows, slo, share))
    if plot_path is not None:
        plot(rows, slo, plot_path)


def _capacity_target(path: Path, model: str | None) -> float:
    """The target per pod of one model's row in 'capacity --format json' output."""
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise click.ClickException(f"{path}: not the JSON of 'capacity --format json' ({exc})") from exc
    if not isinstance(rows, list) or not all(isinstance(r, dict) and "model" in r for r in rows):
        raise click.ClickException(f"{path}: not the JSON of 'capacity --format json'")
    chosen = [r for r in rows if model is None or r["model"] == model]
    if len(chosen) != 1:
        names = ", ".join(sorted({str(r["model"]) for r in rows})) or "none"
        raise click.ClickException(f"{path}: pick one model with --model (models: {names})")
    value = chosen[0].get("target_per_pod")
    if not isinstance(value, int | float) or value <= 0:
        raise click.ClickException(f"{path}: model {chosen[0]['model']!r} has no target (the SLO never held)")
    return float(value)


def _seconds_float(text: str) -> float:
    return sum(int(n) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[u] for n, u in re.findall(r"(\d+)(ms|s|m|h)", text))
