"""The profile on the command line: ``--config FILE`` on every command that reads it, and ``config``.

Every command that reads the fleet's facts takes them from one profile: ``--config FILE``, else
``triton-dash.toml`` in the working directory, else ``[tool.triton-dash]`` in ``pyproject.toml`` there,
else the defaults. A flag overrides its one key. ``triton-dash config`` prints the effective profile and
where each value came from (each [alerts] threshold on its own: the file's only if the file sets it).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ..profile import PROFILE_FILE, LoadedProfile, Profile, load_profile
from ..profile.alerts import FLEET_SETTINGS
from ..profile.load import DEFAULT_ORIGIN
from ..profile.model import PROFILE_KEYS
from ._group import main

__all__ = ["config_command", "config_option", "origins", "profile_from_flags"]

F = TypeVar("F", bound=Callable[..., Any])


def config_option(function: F) -> F:
    """Add ``--config FILE`` (the profile) to a command; the value arrives as ``config_path``."""
    return click.option(
        "--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
        help=f"The profile [default: {PROFILE_FILE}, or [tool.triton-dash] in pyproject.toml, here].",
    )(function)


def profile_from_flags(config_path: Path | None, **flags: tuple[Any, str]) -> LoadedProfile:
    """The effective profile, with each flag given (``key=(value, "--flag")``, value None if not given)."""
    if config_path is not None and not config_path.is_file():
        raise click.BadParameter(f"{config_path}: no such file", param_hint="--config")
    return load_profile(config_path, overrides=flags)


def _plain(value: Any) -> Any:
    if hasattr(value, "value") and not isinstance(value, str | int | float | bool):
        return value.value
    if isinstance(value, str) and hasattr(value, "value"):
        return value.value
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if hasattr(value, "__dataclass_fields__"):
        return {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
    return value


def effective(profile: Profile) -> dict[str, Any]:
    """The profile as plain values, in key order (``alerts`` with every threshold, defaults included)."""
    out: dict[str, Any] = {}
    for key in PROFILE_KEYS:
        if key == "alerts":
            config = profile.alert_config()
            out[key] = {name: getattr(config, name) for name in config.__dataclass_fields__
                        if name not in FLEET_SETTINGS}
        elif key == "lint":
            out[key] = dict(profile.lint)
        else:
            out[key] = _plain(getattr(profile, key))
    return out


def origins(loaded: LoadedProfile) -> dict[str, str]:
    """Where each value came from: every key, and each [alerts] threshold as ``alerts.NAME``.

    A threshold is credited to the file (or flag) that gave the [alerts] table only when that table sets
    it; the others are ``default``.
    """
    out = dict(loaded.origin)
    given = {name for name, _ in loaded.profile.alerts}
    for name in effective(loaded.profile)["alerts"]:
        out[f"alerts.{name}"] = loaded.origin.get("alerts", DEFAULT_ORIGIN) if name in given else DEFAULT_ORIGIN
    return out


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    return json.dumps(str(value))


def profile_toml(loaded: LoadedProfile) -> str:
    """The effective profile as a ``triton-dash.toml`` (unset keys as comments), each with its origin."""
    values = effective(loaded.profile)
    lines: list[str] = []
    tables: list[str] = []
    for key, value in values.items():
        origin = loaded.origin.get(key, "default")
        if key == "alerts":
            where = origins(loaded)
            tables.append(f"\n[{key}]  # {origin}")
            tables += [f"{name} = {_toml_value(item)}  # {where[f'alerts.{name}']}" for name, item in value.items()]
        elif key == "lint":
            tables.append(f"\n[{key}]  # {origin}")
            tables += [f"{name} = {_toml_value(item)}" for name, item in value.items()]
        elif key == "slo":
            for slo in value:
                tables.append(f"\n[[slo]]  # {origin}")
                tables += [f"{name} = {_toml_value(item)}" for name, item in slo.items() if item is not None]
        elif value is None:
            lines.append(f"# {key} is not set  ({origin})")
        else:
            lines.append(f"{key} = {_toml_value(value)}  # {origin}")
    return "\n".join(lines + tables) + "\n"


@main.command(name="config")
@config_option
@click.option("--format", "output_format", type=click.Choice(["text", "toml", "json"]), default="text",
              show_default=True, help="text: key, value and origin; toml: a profile file; json: for scripts.")
def config_command(config_path: Path | None, output_format: str) -> None:
    """Print the effective profile and where each value came from.

    The profile is read from --config FILE, else triton-dash.toml in the working
    directory, else [tool.triton-dash] in pyproject.toml there, else defaults.
    Every command that reads it (build, rules, slo, autoscale, capacity, check,
    provision) takes the same values, so two commands cannot disagree.

    \b
    Examples:
      python -m triton_dash config
      python -m triton_dash config --format toml > triton-dash.toml
      python -m triton_dash config --config fleet.toml --format json
    """
    loaded = profile_from_flags(config_path)
    if output_format == "json":
        click.echo(json.dumps({"file": str(loaded.path) if loaded.path else None,
                               "profile": effective(loaded.profile), "origin": origins(loaded)},
                              indent=2, sort_keys=False, default=str))
        return
    if output_format == "toml":
        click.echo(profile_toml(loaded), nl=False)
        return
    click.echo(f"profile: {loaded.path or 'none found, defaults'}")
    where = origins(loaded)
    width = max(len(key) for key in PROFILE_KEYS)
    for key, value in effective(loaded.profile).items():
        if key == "alerts":  # one line per threshold, each with its own origin
            click.echo(f"  {key:<{width}}  [{where[key]}]")
            inner = max(len(name) for name in value)
            for name, item in value.items():
                click.echo(f"    {name:<{inner}}  {json.dumps(item, default=str)}  [{where[f'alerts.{name}']}]")
            continue
        shown = "(not set)" if value is None else json.dumps(value, default=str)
        click.echo(f"  {key:<{width}}  {shown}  [{where.get(key, DEFAULT_ORIGIN)}]")
