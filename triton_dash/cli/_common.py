"""Helpers every command shares: atomic writes or --check, NAME=VALUE pairs, times, durations, progress bars."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import click

from .. import validate
from ..analysis.sources import Dashboard, SourceError, load
from ..files import write_files
from ..profile import Profile

__all__ = ["EXIT_CANNOT_RUN", "cannot_run", "duration_seconds", "load_dashboards", "overrides", "parse_time",
           "plural", "progress", "require_inputs", "write_one", "write_or_check"]

EXIT_CANNOT_RUN = 2


def write_or_check(outputs: dict[Path, str], out_dir: Path, check: bool, command: str) -> list[Path]:
    """Write every file (all or nothing), or with ``check`` only compare and exit 1 on drift."""
    if check:
        stale = [str(path) for path, text in outputs.items()
                 if not path.is_file() or path.read_text(encoding="utf-8") != text]
        if stale:
            raise click.ClickException(f"out of date, run 'triton-dash {command}': {', '.join(stale)}")
        click.echo(f"{plural(len(outputs), 'file')} in {out_dir} {'is' if len(outputs) == 1 else 'are'} up to date")
        return []
    for path in outputs:
        validate.output_file(path, "output file")
    try:
        return write_files(outputs)
    except OSError as exc:
        raise click.ClickException(f"cannot write to {out_dir}: {exc.strerror or exc}; nothing was written") from exc


def plural(count: int, word: str) -> str:
    """``1 row``, ``2 rows``, ``0 rows``."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def write_one(text: str, out_path: Path | None, default: Path, check: bool, command: str) -> Path | None:
    """One output file: ``-`` prints it, else it is written (or, with ``check``, compared) atomically.

    Returns the path written, None when printed or checked.
    """
    if out_path == Path("-"):
        click.echo(text, nl=False)
        return None
    target = out_path or default
    if not check:
        validate.output_file(target, "-o/--out")
    written = write_or_check({target: text}, target.parent, check, command)
    return written[0] if written else None


def overrides(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.ClickException(f"expected NAME=VALUE, got {item!r}")
        out[name.strip()] = value.strip()
    return out


def cannot_run(message: str) -> None:
    """One line and exit status 2: the command could not run at all (distinct from 'found problems')."""
    click.echo(f"Error: {' '.join(message.split())}", err=True)
    click.get_current_context().exit(EXIT_CANNOT_RUN)


def require_inputs(files: tuple[Path, ...] | list[Path]) -> None:
    """A missing or unreadable input file is a usage error: one line, exit 2 (as click's own usage errors)."""
    for path in files:
        if not path.is_file():
            cannot_run(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
        elif not os.access(path, os.R_OK):
            cannot_run(f"{path}: cannot read: permission denied")


def load_dashboards(files: tuple[Path, ...], profile: Profile | None = None) -> list[Dashboard]:
    try:
        return load(files, profile=profile)
    except SourceError as exc:
        cannot_run(str(exc))
        raise AssertionError("unreachable") from exc


def parse_time(value: str | None, what: str = "--at") -> float:
    """RFC 3339 or Unix seconds; a bad value is a value the tool rejects (one line, exit 1), as everywhere."""
    if value is None:
        return time.time()
    try:
        return float(value)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise validate.InvalidValue(f"{what}={value!r} is neither RFC 3339 (2026-12-03T10:00:00Z) nor Unix "
                                    "seconds") from None
    if parsed.tzinfo is None:
        raise validate.InvalidValue(f"{what}={value!r} has no time zone; add Z or +01:00")
    return parsed.timestamp()


def duration_seconds(text: str, what: str) -> float:
    """A Prometheus duration given on the command line, checked, in seconds."""
    return validate.duration_seconds(validate.duration(text, what))


@contextlib.contextmanager
def progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal (stderr), nothing otherwise."""
    if not sys.stderr.isatty() or total < 2:
        yield lambda _n: None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update
