"""The command line's one error path: one line on stderr, a known exit status, no secret shown.

- An expected failure (a bad value, a file that does not compile, Grafana
  refusing a call, a file that cannot be written) prints ``Error: <one line>``
  and exits 1. Usage errors stay click's (exit 2).
- Anything unexpected prints one line and "re-run with --debug for details";
  ``--debug`` prints the traceback too. Both have every secret masked.
- Ctrl-C prints one line and exits 130; file writes are atomic, so nothing is
  left half-written.

Secrets are the values of the environment variables in :data:`SECRET_ENV` and
of every option declared with ``callback=remember_secret``.
"""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from collections.abc import Iterable, Iterator
from typing import Any, NoReturn

import click

from ..build import BuildError
from ..grafana.client import GrafanaError
from ..grafana.finalize import FinalizeError
from ..grafana.push import PushError
from ..validate import InvalidValue

__all__ = ["EXIT_INTERRUPTED", "SECRET_ENV", "SafeGroup", "flags_named", "mask", "remember_secret"]

EXIT_INTERRUPTED = 130
SECRET_ENV = ("GRAFANA_TOKEN", "GRAFANA_PASSWORD", "PROMETHEUS_TOKEN", "PROMETHEUS_PASSWORD")
#: Failures a person can act on: shown as their own one-line message.
EXPECTED: tuple[type[BaseException], ...] = (InvalidValue, BuildError, FinalizeError, PushError, GrafanaError)
MASK = "***"
_MIN_SECRET = 3  # shorter values would mask ordinary text and reveal nothing worth hiding
_MIN_FRAGMENT = 8  # a line or word of a multi-line secret, masked on its own


def _forms(secret: str) -> Iterable[str]:
    """The ways a secret can appear in text: as is, as repr shows it, and its longer lines and words."""
    yield secret
    yield repr(secret)[1:-1]
    yield secret.encode("unicode_escape").decode("ascii", "replace")
    yield from (part for part in (*secret.splitlines(), *secret.split()) if len(part) >= _MIN_FRAGMENT)


def mask(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every form of every secret replaced by ``***``, longest first."""
    forms = {form for secret in secrets if secret for form in _forms(secret) if len(form) >= _MIN_SECRET}
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, MASK)
    return text


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "failed"


_META_KEY = "triton_dash.secrets"


def remember_secret(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Option callback for a secret option: its value will be masked in every message."""
    if value:
        ctx.meta.setdefault(_META_KEY, []).append(str(value))
    return value


def _secrets(ctx: click.Context) -> list[str]:
    found = [value for name in SECRET_ENV if (value := os.environ.get(name))]
    return found + list(ctx.meta.get(_META_KEY, []))


@contextlib.contextmanager
def flags_named(**flags: str) -> Iterator[None]:
    """The library's messages name settings (``target=-1``); on the command line, name the flag instead.

    ``with flags_named(target="--target"): autoscale_yaml(...)`` turns ``target=-1 is ...`` into
    ``--target=-1 is ...``.
    """
    try:
        yield
    except InvalidValue as exc:
        text = str(exc)
        for setting, flag in flags.items():
            for sep in ("=", " "):
                if text.startswith(setting + sep):
                    raise InvalidValue(flag + text[len(setting):]) from None
        raise


class SafeGroup(click.Group):
    """A click group whose subcommands never end in a traceback or show a secret."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.UsageError):
            raise
        except click.ClickException as exc:
            self._fail(ctx, exc.format_message())
        except EXPECTED as exc:
            self._fail(ctx, str(exc))
        except BrokenPipeError:
            # the reader went away (``triton-dash config | head``): not an error of ours; stay quiet
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(0)
        except OSError as exc:
            where = f" {exc.filename}" if exc.filename else ""
            self._fail(ctx, f"cannot use{where}: {exc.strerror or exc}")
        except KeyboardInterrupt:
            click.echo("Error: interrupted; files were left as they were", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except Exception as exc:
            debug = bool(ctx.params.get("debug"))
            if debug:
                detail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
                click.echo(mask(detail, _secrets(ctx)).rstrip(), err=True)
            hint = "" if debug else "; re-run with --debug for details"
            self._fail(ctx, f"unexpected error ({type(exc).__name__}: {exc}){hint}")

    @staticmethod
    def _fail(ctx: click.Context, message: str) -> NoReturn:
        click.echo(f"Error: {_one_line(mask(message, _secrets(ctx)))}", err=True)
        sys.stdout.flush()
        ctx.exit(1)
        raise AssertionError("unreachable")
