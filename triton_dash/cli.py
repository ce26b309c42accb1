"""``python -m triton_dash`` / ``triton-dash``: the command line.

    triton-dash build                      # built-in dashboards -> dashboards/*.json
    triton-dash build my.dashboard.py -o out/
    triton-dash build --check              # exit 1 if dashboards/ differs from the code
    triton-dash push --dry-run             # what would change in the Grafana at $GRAFANA_URL
    triton-dash provision                  # Grafana/Prometheus/compose files -> provisioning/
"""

from __future__ import annotations

from pathlib import Path

import click

from . import __version__
from .build import BuildError, compile_builtin, compile_files
from .grafana_api import GrafanaClient, GrafanaError
from .provision import provision_files
from .push import DatasourceSpec, FolderSpec, Outcome, PushError, load_dashboard_files, push, render_table
from .render import write_files

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="triton-dash")
def main() -> None:
    """Grafana dashboards as code for NVIDIA Triton Inference Server."""


@main.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("dashboards"), show_default=True, help="Folder for the JSON files.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the JSON in the folder differs.")
def build(files: tuple[Path, ...], out_dir: Path, check: bool) -> None:
    """Compile dashboards to Grafana JSON.

    With no FILES, compiles the built-in dashboards. FILES are Python files
    (``*.dashboard.py``) each defining a grafanalib ``dashboard``; ``x.dashboard.py``
    becomes ``x.json``. Nothing is written unless every dashboard compiles.
    """
    try:
        compiled = compile_files(files) if files else compile_builtin()
    except BuildError as exc:
        raise click.ClickException(str(exc)) from exc
    outputs = {out_dir / f"{item.stem}.json": item.text for item in compiled}
    if check:
        stale = [str(path) for path, text in outputs.items()
                 if not path.is_file() or path.read_text(encoding="utf-8") != text]
        if stale:
            raise click.ClickException(f"out of date, run 'triton-dash build': {', '.join(stale)}")
        click.echo(f"{len(outputs)} dashboards in {out_dir} are up to date")
        return
    try:
        written = write_files(outputs)
    except OSError as exc:
        raise click.ClickException(f"cannot write to {out_dir}: {exc.strerror or exc}") from exc
    for item, path in zip(compiled, written, strict=False):
        panels = sum(1 + len(p.get("panels", [])) for p in item.document["panels"])
        click.echo(f"wrote {path} ({item.document['title']!r}, uid {item.uid}, {panels} panels)")


def _write_or_check(outputs: dict[Path, str], out_dir: Path, check: bool, command: str) -> list[Path]:
    """Write every file (all or nothing), or with ``check`` only compare and exit 1 on drift."""
    if check:
        stale = [str(path) for path, text in outputs.items()
                 if not path.is_file() or path.read_text(encoding="utf-8") != text]
        if stale:
            raise click.ClickException(f"out of date, run 'triton-dash {command}': {', '.join(stale)}")
        click.echo(f"{len(outputs)} files in {out_dir} are up to date")
        return []
    try:
        return write_files(outputs)
    except OSError as exc:
        raise click.ClickException(f"cannot write to {out_dir}: {exc.strerror or exc}") from exc


@main.command()
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("provisioning"), show_default=True, help="Folder for the provisioning tree.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the tree differs.")
def provision(out_dir: Path, check: bool) -> None:
    """Write Grafana provisioning, prometheus.yml and the docker-compose stack."""
    outputs = {out_dir / name: text for name, text in provision_files().items()}
    for path in _write_or_check(outputs, out_dir, check, "provision"):
        click.echo(f"wrote {path}")


@main.command(name="push")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--url", envvar="GRAFANA_URL", default="http://localhost:3000", show_default=True,
              help="Grafana's address [env GRAFANA_URL].")
@click.option("--token", envvar="GRAFANA_TOKEN", help="Service-account token [env GRAFANA_TOKEN].")
@click.option("--user", envvar="GRAFANA_USER", help="Basic-auth user [env GRAFANA_USER].")
@click.option("--password", envvar="GRAFANA_PASSWORD", help="Basic-auth password [env GRAFANA_PASSWORD].")
@click.option("--org-id", envvar="GRAFANA_ORG_ID", type=int, help="Organisation id [env GRAFANA_ORG_ID].")
@click.option("--prometheus-url", envvar="PROMETHEUS_URL", default="http://prometheus:9090", show_default=True,
              help="Where Grafana reaches Prometheus [env PROMETHEUS_URL].")
@click.option("--datasource-uid", default="prometheus", show_default=True)
@click.option("--datasource-name", default="Prometheus", show_default=True)
@click.option("--no-datasource", is_flag=True, help="Leave datasources alone (one with --datasource-uid must exist).")
@click.option("--folder", "folder_title", default="Triton", show_default=True, help="Folder title.")
@click.option("--folder-uid", default="triton", show_default=True)
@click.option("--ca-bundle", type=click.Path(exists=True, dir_okay=False), help="CA bundle for Grafana's TLS.")
@click.option("--insecure", is_flag=True, help="Do not verify Grafana's TLS certificate.")
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Read timeout, seconds.")
@click.option("--retries", type=click.IntRange(0, 10), default=3, show_default=True,
              help="Retries on connection errors and 502/503/504.")
@click.option("--dry-run", is_flag=True, help="Write nothing; show what would be created or updated, with a diff.")
def push_command(files: tuple[Path, ...], url: str, token: str | None, user: str | None, password: str | None,
                 org_id: int | None, prometheus_url: str, datasource_uid: str, datasource_name: str,
                 no_datasource: bool, folder_title: str, folder_uid: str, ca_bundle: str | None, insecure: bool,
                 timeout: float, retries: int, dry_run: bool) -> None:
    """Push dashboards and the Prometheus datasource to Grafana.

    With no FILES, pushes the built-in dashboards (built in memory); FILES are
    compiled dashboard JSON files. Everything is validated before the first
    write; dashboards that already match are not written again.
    """
    try:
        docs = load_dashboard_files(files) if files else [c.document for c in compile_builtin()]
    except (PushError, BuildError) as exc:
        raise click.ClickException(str(exc)) from exc
    client = GrafanaClient(url, token=token, user=user, password=password, org_id=org_id,
                           verify=False if insecure else (ca_bundle or True), timeout=(5.0, timeout),
                           retries=retries)
    datasource = None if no_datasource else DatasourceSpec(datasource_uid, datasource_name, prometheus_url)
    done: list[Outcome] = []
    try:
        for outcome in push(client, docs, datasource=datasource,
                            folder=FolderSpec(folder_uid, folder_title), dry_run=dry_run):
            done.append(outcome)
    except PushError as exc:
        raise click.ClickException(str(exc)) from exc
    except GrafanaError as exc:
        if done:
            click.echo(render_table(done))
        raise click.ClickException(str(exc)) from exc
    click.echo(render_table(done, show_diff=dry_run))
    if dry_run:
        click.echo("dry run: nothing was written")
