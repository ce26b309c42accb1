"""``push``: dashboards and their datasource to a live Grafana."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from .. import validate
from ..build import DASHBOARD_SUFFIX, compile_builtin, compile_files
from ..grafana.api import ApiChoice
from ..grafana.client import GrafanaClient, GrafanaError
from ..grafana.push import DatasourceSpec, FolderSpec, Outcome, load_dashboard_files, outcomes_json, push, render_table
from ._common import require_inputs
from ._group import main
from .config import config_option, profile_from_flags
from .errors import remember_secret

__all__ = ["push_command"]


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
@click.option("--api", "api", type=click.Choice([c.value for c in ApiChoice]), default=ApiChoice.AUTO.value,
              show_default=True, help="Dashboard API: auto = /apis/dashboard.grafana.app/v1 when GET /apis offers "
              "it (Grafana 13+), else the legacy /api/dashboards.")
@click.option("--namespace", envvar="GRAFANA_NAMESPACE",
              help="Namespace for the current API [env GRAFANA_NAMESPACE]; default: 'default' for org 1, "
              "org-<id> for another org; stacks-<id> on Grafana Cloud.")
@click.option("--dry-run", is_flag=True,
              help="Write nothing; still contacts Grafana (reads only) to show what would be created, updated or "
                   "deleted.")
@click.option("--prune", is_flag=True,
              help="Delete dashboards in the folder that are tagged triton-dash but no longer defined.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="A table, or a JSON list of outcomes for scripts.")
@config_option
def push_command(files: tuple[Path, ...], url: str, token: str | None, user: str | None, password: str | None,
                 org_id: int | None, prometheus_url: str, datasource_uid: str, datasource_name: str,
                 no_datasource: bool, folder_title: str, folder_uid: str, ca_bundle: str | None, insecure: bool,
                 timeout: float, retries: int, api: str, namespace: str | None, dry_run: bool, prune: bool,
                 output_format: str, config_path: Path | None) -> None:
    """Push dashboards and the Prometheus datasource to Grafana.

    With no FILES, pushes the built-in dashboards (built in memory, as the
    profile says: triton-dash.toml here, or --config FILE); FILES are
    compiled dashboard JSON files or *.dashboard.py files (compiled first, as
    build does). --dry-run writes nothing but does contact Grafana. Everything
    is validated before the first write; dashboards that already match are not written again. The first
    line of the table names Grafana's version, the second the API used for
    folders and dashboards (current /apis on Grafana 13+, else legacy).

    \b
    Examples:
      GRAFANA_URL=http://localhost:3000 GRAFANA_TOKEN=glsa_... python -m triton_dash push --dry-run
      python -m triton_dash push --prune --folder Triton dashboards/*.json
      python -m triton_dash push --api current --namespace stacks-12345 --format json
    """
    require_inputs(files)
    validate.url(url, _named("url"))
    validate.secret(token, _named("token"))
    validate.secret(password, _named("password"))
    if user:
        validate.text(user, _named("user"))
    client = GrafanaClient(url, token=token, user=user, password=password, org_id=org_id,
                           verify=False if insecure else (ca_bundle or True), timeout=(5.0, timeout),
                           retries=retries)
    datasource = None if no_datasource else DatasourceSpec(datasource_uid, datasource_name, prometheus_url)
    folder = FolderSpec(folder_uid, folder_title)
    docs = (_documents(files) if files
            else [c.document for c in compile_builtin(profile=profile_from_flags(config_path).profile)])
    done: list[Outcome] = []

    def show(show_diff: bool) -> None:
        click.echo(outcomes_json(done) if output_format == "json" else render_table(done, show_diff=show_diff))

    try:
        for outcome in push(client, docs, datasource=datasource, folder=folder, dry_run=dry_run, prune=prune,
                            api=ApiChoice(api), namespace=namespace, org_id=org_id):
            done.append(outcome)
    except GrafanaError:
        if done:
            show(False)
        raise
    show(dry_run)
    if dry_run and output_format == "text":
        click.echo("dry run: nothing was written")


def _named(parameter: str) -> str:
    """How a message names a setting: its environment variable when the value came from there, else the flag
    (``--token $'bad\\ntoken'`` is the flag's fault, not GRAFANA_TOKEN's)."""
    ctx = click.get_current_context()
    option = next(p for p in ctx.command.params if p.name == parameter)
    flag = max(option.opts, key=len)
    if ctx.get_parameter_source(parameter) is ParameterSource.ENVIRONMENT and isinstance(option, click.Option):
        return str(option.envvar or flag)
    return flag


def _documents(files: tuple[Path, ...]) -> list[dict[str, Any]]:
    """The dashboards of FILES in the order given: ``*.dashboard.py`` compiled as build does, others read as JSON."""
    docs: list[dict[str, Any]] = []
    for path in files:
        if path.name.endswith(DASHBOARD_SUFFIX):
            docs += [item.document for item in compile_files([path])]
        else:
            docs += load_dashboard_files((path,))
    return docs
