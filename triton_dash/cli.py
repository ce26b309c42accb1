"""``python -m triton_dash`` / ``triton-dash``: the command line.

    triton-dash build                      # built-in dashboards -> dashboards/*.json
    triton-dash build my.dashboard.py -o out/
    triton-dash build --check              # exit 1 if dashboards/ differs from the code
"""

from __future__ import annotations

from pathlib import Path

import click

from . import __version__
from .build import BuildError, compile_builtin, compile_files
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
