"""``capacity``: what a load test says each model can take."""

from __future__ import annotations

from pathlib import Path

import click

from .. import validate
from ..analysis.capacity import PLOT_NEEDS, Slo, can_plot, capacity, plot, rows_json, rows_table
from ..prometheus import PrometheusClient, PrometheusUnavailable
from ..selector import Selector
from ._common import cannot_run, duration_seconds, parse_time, progress
from ._group import main
from .config import config_option, profile_from_flags
from .errors import remember_secret

__all__ = ["capacity_command"]


@main.command(name="capacity")
@click.option("--prometheus", "prometheus_url", envvar="PROMETHEUS_URL", required=True, metavar="URL",
              help="Prometheus' base URL [env PROMETHEUS_URL].")
@click.option("--from", "start_text", required=True, metavar="TIME", help="Load test start: RFC 3339 or Unix seconds.")
@click.option("--to", "end_text", required=True, metavar="TIME", help="Load test end.")
@click.option("--model", default=".*", show_default=True, help="Regex of the models to size.")
@click.option("--job", help="Regex of Triton's scrape job [default: the profile's job, else any].")
@click.option("--slo-queue", metavar="DURATION", help="Queue time per request must stay at or under this (e.g. 100ms).")
@click.option("--slo-latency", metavar="DURATION", help="Request time per request must stay at or under this.")
@click.option("--share", type=float, default=0.7, show_default=True,
              help="Autoscaling target as a share of the measured maximum.")
@click.option("--step", default="15s", show_default=True, help="Resolution of the reading (a scrape interval or more).")
@click.option("--rate-window", default="1m", show_default=True, help="Window of the rates (>= 4 scrape intervals).")
@click.option("--sustain", default="1m", show_default=True, help="How long a throughput must hold to count.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--plot", "plot_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Draw throughput against the SLO metric to this PNG (needs matplotlib: pip install -e '.[plot]').")
@click.option("--token", envvar="PROMETHEUS_TOKEN", callback=remember_secret,
              help="Bearer token [env PROMETHEUS_TOKEN].")
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds per Prometheus request.")
@config_option
def capacity_command(prometheus_url: str, start_text: str, end_text: str, model: str, job: str | None,
                     slo_queue: str | None, slo_latency: str | None, share: float, step: str, rate_window: str,
                     sustain: str, output_format: str, plot_path: Path | None, token: str | None,
                     timeout: float, config_path: Path | None) -> None:
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
    slo = Slo("queue" if slo_queue else "latency",
              duration_seconds(limit, "--slo-queue" if slo_queue else "--slo-latency"))
    step_s, sustain_s = duration_seconds(step, "--step"), duration_seconds(sustain, "--sustain")
    validate.duration(rate_window, "--rate-window")
    start, end = parse_time(start_text, "--from"), parse_time(end_text, "--to")
    profile = profile_from_flags(config_path, job=(job, "--job")).profile
    selector = Selector.fixed(job=profile.job or ".+", model=model, rate_interval=rate_window,
                              response_cache=profile.response_cache, cluster_label=None)
    client = PrometheusClient(prometheus_url, token=token, timeout=timeout)
    if plot_path is not None:
        validate.output_file(plot_path, "--plot")
        if not can_plot():
            raise validate.InvalidValue(PLOT_NEEDS)
    try:
        with progress(6, "reading") as advance:
            rows = capacity(client, start, end, slo=slo, selector=selector, share=share,
                            step=step_s, sustain=sustain_s, progress=advance)
    except PrometheusUnavailable as exc:
        cannot_run(str(exc))
        return
    if not rows:
        raise click.ClickException(f"no successful request of models matching {model!r} between --from and --to")
    click.echo(rows_json(rows) if output_format == "json" else rows_table(rows, slo, share))
    if plot_path is not None:
        plot(rows, slo, plot_path)
