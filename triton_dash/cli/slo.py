"""``slo``: error-budget recording rules and multi-window multi-burn-rate alerts for Triton models."""

from __future__ import annotations

import re
from pathlib import Path

import click

from .. import validate
from ..profile.slo import (
    DEFAULT_EXCLUDED_REASONS,
    DEFAULT_MODEL,
    DEFAULT_WINDOW,
    WINDOWS,
    parse_latency_flag,
    parse_slo_tables,
)
from ..rules import prometheus_rule, rules_yaml
from ..rules.slo import slo_rule_groups
from ._common import plural, write_one
from ._group import main
from .config import config_option, profile_from_flags

__all__ = ["slo"]

DEFAULT_RULES_FILE = Path("provisioning/prometheus/rules/triton-slo.rules.yml")
DEFAULT_PROMETHEUS_RULE = Path("triton-dash-slo.prometheusrule.yaml")


#: The flag that sets each [[slo]] key.
_FLAGS = {"window": "--window", "job": "--job", "model": "--model", "exclude_reasons": "--exclude-reasons",
          "runbook_url": "--runbook-url"}
_KEY = re.compile(r"^slo\[(?P<index>\d+)\][.:] ?(?:(?P<key>[a-z_]+)(?==|:| ))?")


def _flag_message(message: str, tables: list[dict[str, object]]) -> str:
    """``slo[1].threshold=...`` (the tables' wording) -> ``--latency first-response:400ms:99: threshold=...``."""
    match = _KEY.match(message)
    if not match:
        return message
    table = tables[int(match["index"])]
    key = match["key"] or ""
    rest = message[len(f"slo[{match['index']}]"):].lstrip(".: ")
    if key in _FLAGS:
        return f"{_FLAGS[key]}: {rest}"
    if table.get("kind") == "latency":
        spec = f"{table['histogram']}:{table['threshold']}:{table['objective']}"
        return f"--latency {spec}: {rest}"
    return f"--availability: {rest}"


@main.command()
@click.option("--availability", type=float, metavar="PERCENT",
              help="Availability objective: this percentage of requests succeed, e.g. 99.9.")
@click.option("--latency", "latencies", multiple=True, metavar="HISTOGRAM:THRESHOLD:PERCENT",
              help="Latency objective from a histogram, e.g. first-response:500ms:99 (histograms: first-response, "
                   "vllm-ttft, vllm-e2e, or a family name); THRESHOLD must be one of its bucket boundaries. "
                   "Repeatable.")
@click.option("--window", type=click.Choice(WINDOWS), default=DEFAULT_WINDOW, show_default=True,
              help="The SLO period the error budget covers.")
@click.option("--job", help="Regex of Triton's scrape jobs [default: the profile's job, else triton].")
@click.option("--model", default=DEFAULT_MODEL, show_default=True, help="Regex of the models the SLOs cover.")
@click.option("--exclude-reasons", default=",".join(DEFAULT_EXCLUDED_REASONS), show_default=True,
              metavar="REASON,...",
              help="Failure reasons that count neither as good nor as bad (REJECTED, CANCELED, BACKEND, OTHER); "
                   "'' to count every failure.")
@click.option("--runbook-url", default="",
              help="Absolute http(s) URL of your runbook, carried as runbook_url [default: no link; the "
                   "description names docs/slo.md's runbook].")
@click.option("--cluster-label", metavar="NAME",
              help="Multi-cluster fleets: keep the external label NAME in every recording and alert "
                   "[default: the profile's cluster_label].")
@config_option
@click.option("--format", "output_format", type=click.Choice(["prometheus", "prometheusrule"]),
              default="prometheus", show_default=True,
              help="A Prometheus rules file, or a PrometheusRule manifest for the Prometheus Operator.")
@click.option("--release", default="kube-prometheus-stack", show_default=True,
              help="PrometheusRule 'release' label: kube-prometheus-stack ignores rules without it.")
@click.option("--namespace", default="monitoring", show_default=True, help="PrometheusRule namespace.")
@click.option("-o", "--out", "out_path", type=click.Path(path_type=Path, dir_okay=False),
              help=f"Output file [default: {DEFAULT_RULES_FILE}, or {DEFAULT_PROMETHEUS_RULE} with --format "
                   "prometheusrule]; '-' for standard output.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the file differs.")
def slo(availability: float | None, latencies: tuple[str, ...], window: str, job: str | None, model: str,
        exclude_reasons: str, runbook_url: str, cluster_label: str | None, config_path: Path | None,
        output_format: str, release: str, namespace: str, out_path: Path | None, check: bool) -> None:
    """Write SLO rules: SLIs on the SRE workbook's windows, error budgets, page and ticket burn-rate alerts.

    Each SLO gets recordings of its error ratio over 5m, 30m, 1h, 2h, 6h, 1d and
    3d (slo:triton_request_error:ratio_rate1h ...), the ratio over the whole
    window, objective, budget and budget remaining, and TritonErrorBudgetBurn
    alerts with severity page or ticket. An idle model has no SLI and never
    alerts. The triton-slo dashboard reads these series.

    Without --availability and --latency, the SLOs are the profile's [[slo]]
    tables (triton-dash.toml here, or --config FILE); the job and the cluster
    label come from the profile unless given.

    \b
    Examples:
      python -m triton_dash slo --availability 99.9
      python -m triton_dash slo --availability 99.9 --latency first-response:500ms:99 --window 28d
      python -m triton_dash slo --availability 99.5 --model 'llama.*' --format prometheusrule -o k8s/slo.yaml
    """
    profile = profile_from_flags(config_path, job=(job, "--job"),
                                 cluster_label=(cluster_label, "--cluster-label")).profile
    common: dict[str, object] = {"window": window, "model": model}
    if runbook_url:
        common["runbook_url"] = runbook_url
    tables: list[dict[str, object]] = []
    if availability is not None:
        reasons = [r.strip() for r in exclude_reasons.split(",") if r.strip()]
        tables.append({"objective": availability, "exclude_reasons": reasons, **common})
    tables += [parse_latency_flag(text, **common) for text in latencies]
    if tables:
        try:
            slos = parse_slo_tables(tables)
        except validate.InvalidValue as exc:
            raise validate.InvalidValue(_flag_message(str(exc), tables)) from None
    elif profile.slo:
        slos = tuple(profile.slo)
    else:
        raise click.UsageError("give --availability PERCENT and/or --latency HISTOGRAM:THRESHOLD:PERCENT, or "
                               "[[slo]] tables in the profile")
    groups = slo_rule_groups(slos, cluster_label=profile.cluster_label, job=profile.alert_job)
    if output_format == "prometheusrule":
        text = prometheus_rule(groups, name="triton-dash-slo", namespace=namespace, release=release, command="slo")
        default = DEFAULT_PROMETHEUS_RULE
    else:
        text = rules_yaml(groups, command="slo")
        default = DEFAULT_RULES_FILE
    written = write_one(text, out_path, default, check, "slo")
    if written is not None:
        click.echo(f"wrote {written} ({plural(len(slos), 'SLO')}: {', '.join(s.name for s in slos)})")
