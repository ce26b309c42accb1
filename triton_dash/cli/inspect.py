"""``check`` (a live Prometheus) and ``lint`` (offline): what is wrong with a dashboard's numbers."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .. import validate
from ..check import count_targets, run_check
from ..check.resolve import Macros, check_chosen
from ..files import write_files
from ..lint import RULES as LINT_RULES
from ..lint import Selection, SelectionError, lint
from ..lint.config import CONFIG_FILE, ConfigError, find_config, load_config
from ..lint.exposition import TypesError, load_types
from ..lint.fix import FixError, FixOptions, fix_file, fix_summary
from ..lint.fix import outputs as fix_outputs
from ..profile import PROFILE_FILE
from ..prometheus import PrometheusClient, PrometheusUnavailable
from ._common import cannot_run, duration_seconds, load_dashboards, overrides, parse_time, progress
from ._group import main
from .config import config_option, profile_from_flags
from .errors import remember_secret

__all__ = ["check", "lint_command"]


@main.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--prometheus", "prometheus_url", envvar="PROMETHEUS_URL", required=True, metavar="URL",
              help="Prometheus' base URL [env PROMETHEUS_URL].")
@click.option("--at", "at_text", metavar="TIME", help="When to evaluate: RFC 3339 or Unix seconds [default: now].")
@click.option("--set", "settings", multiple=True, metavar="VAR=VALUE",
              help="A dashboard variable's value as Grafana holds it: a regex where the queries match with =~ "
                   "(e.g. job='triton|prometheus'), a literal where they match with = (repeatable).")
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
@config_option
def check(files: tuple[Path, ...], prometheus_url: str, at_text: str | None, settings: tuple[str, ...],
          scrape_interval: str, lookback: str, output_format: str, timeout: float, token: str | None,
          user: str | None, password: str | None, ca_bundle: str | None, insecure: bool,
          config_path: Path | None) -> None:
    """Say why each panel shows no data, on your own Prometheus.

    Runs every target of the dashboards (the built-in ones, or FILES: compiled
    JSON, Grafana exports, *.dashboard.py) as Grafana would, and reports per
    panel ok, idle, not-enabled (an optional family never seen: a switch that is
    off, a backend or exporter not in use; fine), no-data (with the reason and
    the fix), nan or error, and the health of the Triton scrape targets. The
    built-in dashboards are built as the profile says (triton-dash.toml here, or
    --config FILE). Exit 0: nothing wrong; 1: something is wrong, or a value it
    rejects (--at, --set, --prometheus); 2: could not run (or a usage error).

    \b
    Examples:
      python -m triton_dash check --prometheus http://127.0.0.1:9090
      python -m triton_dash check --prometheus http://prom:9090 --set job=triton-server --format json
      python -m triton_dash check --prometheus http://prom:9090 their-dashboard.json --at 2026-12-03T10:00:00Z
    """
    at = parse_time(at_text)
    chosen = overrides(settings)
    seconds = max(1, int(duration_seconds(scrape_interval, "--scrape-interval")))
    lookback_s = duration_seconds(lookback, "--lookback")
    macros = Macros(rate_interval=f"{4 * seconds}s", interval=f"{seconds}s")
    dashboards = load_dashboards(files, profile_from_flags(config_path).profile)
    check_chosen([item.document for item in dashboards], chosen)
    client = PrometheusClient(prometheus_url, token=token, user=user, password=password, timeout=timeout,
                              verify=False if insecure else (ca_bundle or True))
    total = count_targets(dashboards)
    try:
        with progress(total, "checking") as advance:
            report = run_check(client, dashboards, at=at, chosen=chosen, macros=macros,
                               lookback_s=lookback_s, progress=advance)
    except PrometheusUnavailable as exc:
        cannot_run(str(exc))
        return
    click.echo(report.json() if output_format == "json" else report.text())
    if report.failed:
        click.get_current_context().exit(1)


@main.command(name="lint")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help=f"Exclusions file (YAML or TOML) [default: {CONFIG_FILE}, else {PROFILE_FILE}'s lint table, "
                   "else pyproject.toml's tool.triton-dash.lint, in this folder].")
@click.option("--select", "select", multiple=True, metavar="RULES",
              help="Only these rules: ids, correctness, hygiene or ALL (comma-separated or repeated).")
@click.option("--ignore", "ignore", multiple=True, metavar="RULES", help="Leave these rules (or a category) out.")
@click.option("--types", "types_files", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Metric types for names no catalogue knows: a /metrics scrape or /api/v1/metadata JSON.")
@click.option("-v", "--verbose", is_flag=True, help="Also show information findings and targets not checked.")
@click.option("--fix", "fix", is_flag=True,
              help="Repair what can be repaired, in place (atomic, file mode kept), and report what is left.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              help="With --fix: write the repaired dashboards into DIR instead of over the inputs.")
@click.option("--diff", "show_diff", is_flag=True, help="With --fix: print a unified diff and write nothing.")
def lint_command(files: tuple[Path, ...], output_format: str, config_path: Path | None, select: tuple[str, ...],
                 ignore: tuple[str, ...], types_files: tuple[Path, ...], verbose: bool, fix: bool, out_dir: Path | None,
                 show_diff: bool) -> None:
    """Find wrong numbers and dashboard mistakes in any Grafana dashboard, offline.

    FILES are Grafana dashboard JSON (compiled, exported, or from the API) or
    *.dashboard.py files; with none, the built-in dashboards. Each finding has a
    rule id, a severity, a category (correctness: the number is wrong or
    missing; hygiene), where it is, the expression and what to write instead.
    Correctness findings come first. Only Prometheus targets are checked; Loki
    and other targets are listed with --verbose. Rules: docs/lint-rules.md.

    \b
    Exclusions (rule, reason, optional dashboard and panel), first found here:
      .triton-dash-lint.yaml         exclude: [{rule: ..., reason: ...}]
      triton-dash.toml (profile)     [[lint.exclude]] or [lint] exclude = [...]
      pyproject.toml                 [[tool.triton-dash.lint.exclude]]

    Exit 0: no error-level correctness finding (hygiene errors fail only when
    selected by name or as --select hygiene); 1: such findings; 2: could not
    read the input or the configuration.

    \b
    With --fix, each wrong number is rewritten where its meaning is clear
    (docs/lint-fix.md), and the exit status is lint's gate on what is left:
    0 when no error-level correctness finding is left (warnings and hygiene
    errors may remain: the summary counts them), 1 when one is left (or an
    error of a rule selected by name), 2 when an input or the configuration
    cannot be read (nothing is written).

    \b
    Examples:
      python -m triton_dash lint their-dashboard.json
      python -m triton_dash lint dashboards/*.json --format json
      python -m triton_dash lint --select correctness --ignore histogram-mixed-layouts their.json
      python -m triton_dash lint --types scrape.prom their.json   # types of names lint does not know
      python -m triton_dash lint --fix --diff their-dashboard.json
      python -m triton_dash lint --fix --out fixed/ their-dashboard.json
    """
    path = config_path or find_config(Path.cwd())
    try:
        selection = Selection.parse(select, ignore)
        exclusions = load_config(path, set(LINT_RULES)) if path else []
        types = load_types(types_files)
    except (ConfigError, SelectionError, TypesError) as exc:
        cannot_run(str(exc))
        return
    if fix or out_dir or show_diff:
        _fix(files, FixOptions(selection, tuple(exclusions), types), fix, out_dir, show_diff, output_format)
        return
    dashboards = load_dashboards(files)
    report = lint(dashboards, exclusions, selection, types)
    click.echo(report.json() if output_format == "json" else report.text(verbose=verbose))
    if report.failing(selection.explicit):
        click.get_current_context().exit(1)


def _fix(files: tuple[Path, ...], options: FixOptions, fix: bool, out_dir: Path | None, show_diff: bool,
         output_format: str) -> None:
    """``lint --fix``: repair each file, then write (in place or into --out) or print the diff."""
    if not fix:
        raise click.UsageError("--out and --diff go with --fix")
    if not files:
        raise click.UsageError("--fix needs the dashboard files to repair")
    if out_dir is not None and show_diff:
        raise click.UsageError("--diff writes nothing; leave out --out")
    try:
        with progress(len(files), "fixing") as advance:
            results = []
            for path in files:
                results.append(fix_file(path, options))
                advance(1)
    except FixError as exc:
        cannot_run(str(exc))
        return
    if show_diff and output_format != "json":
        click.echo("".join(r.diff() for r in results), nl=False)
    elif not show_diff:
        outputs = fix_outputs(results, out_dir)
        for path in outputs:
            validate.output_file(path, "fixed dashboard")
        try:
            written = write_files(outputs)
        except OSError as exc:
            raise click.ClickException(f"cannot write {exc.filename or out_dir}: {exc.strerror or exc}; "
                                       "nothing was written") from exc
        for path in written:
            click.echo(f"wrote {path}", err=True)
    if output_format == "json":
        body = [{**r.as_dict(), **({"diff": r.diff()} if show_diff else {})} for r in results]
        click.echo(json.dumps(body, indent=2, ensure_ascii=False))
    elif not show_diff:
        click.echo(fix_summary(results))
    if any(r.failed for r in results):
        click.get_current_context().exit(1)
