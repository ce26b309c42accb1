"""The ``triton-dash`` command group; each command lives in its own module and registers itself here."""

from __future__ import annotations

import click

from .. import __version__
from .errors import SafeGroup

__all__ = ["main"]


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
