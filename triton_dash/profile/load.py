"""Reading the profile: ``--config FILE``, else ``triton-dash.toml`` here, else ``[tool.triton-dash]`` in
``pyproject.toml`` here, else the defaults; flags then override single keys.

    # triton-dash.toml
    job = "triton-prod"
    cluster_label = "cluster"
    recording_rules = true
    response_cache = "off"

    [alerts]
    queue_time_seconds = 0.25

    from triton_dash.profile import load_profile
    loaded = load_profile()                      # looks in the working directory
    loaded.profile.alert_config().queue_time_seconds     # 0.25
    loaded.origin["job"]                         # 'triton-dash.toml'
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .. import validate
from .model import PROFILE_KEYS, Profile

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["DEFAULT_ORIGIN", "PROFILE_FILE", "LoadedProfile", "ProfileError", "find_profile", "load_profile",
           "profile_from_mapping"]

PROFILE_FILE = "triton-dash.toml"
PYPROJECT = "pyproject.toml"
DEFAULT_ORIGIN = "default"
_TABLES = {"alerts": dict, "lint": dict, "slo": list}
_TEXT_KEYS = {"job", "cluster_label", "response_cache", "probe_job", "rate_window", "gpu_source", "dcgm_pod_label"}


class ProfileError(validate.InvalidValue):
    """A profile file cannot be read, or one of its keys is wrong; the message names the file and the key."""


@dataclass(frozen=True)
class LoadedProfile:
    """The effective profile and, per key, where its value came from (a file, a flag, or ``default``)."""

    profile: Profile
    origin: Mapping[str, str]
    path: Path | None = None


def find_profile(cwd: Path) -> tuple[Path, str] | None:
    """``triton-dash.toml`` in ``cwd``, else a ``pyproject.toml`` there with a ``[tool.triton-dash]`` table."""
    own = cwd / PROFILE_FILE
    if own.is_file():
        return own, PROFILE_FILE
    pyproject = cwd / PYPROJECT
    if pyproject.is_file() and _tool_table(_read_toml(pyproject), pyproject) is not None:
        return pyproject, f"{PYPROJECT} [tool.triton-dash]"
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ProfileError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: not valid TOML ({exc})") from exc


def _tool_table(data: Mapping[str, Any], path: Path) -> dict[str, Any] | None:
    tool = data.get("tool", {})
    table = tool.get("triton-dash") if isinstance(tool, dict) else None
    if table is not None and not isinstance(table, dict):
        raise ProfileError(f"{path}: [tool.triton-dash] is not a table")
    return table


def profile_from_mapping(data: Mapping[str, Any], where: str) -> Profile:
    """Build a :class:`Profile` from a TOML table; every error names ``where`` and the key."""
    unknown = sorted(set(data) - set(PROFILE_KEYS))
    if unknown:
        raise ProfileError(f"{where}: unknown key {unknown[0]!r}; known keys: {', '.join(PROFILE_KEYS)}")
    values: dict[str, Any] = {}
    for key, value in data.items():
        kind = _TABLES.get(key)
        if kind is not None and not isinstance(value, kind):
            shape = "a table, [alerts]" if key == "alerts" else ("a table, [lint]" if key == "lint"
                                                               else "an array of tables, [[slo]]")
            raise ProfileError(f"{where}: {key} must be {shape}")
        if key in _TEXT_KEYS and not isinstance(value, str):
            raise ProfileError(f"{where}: {key} = {value!r} must be a string")
        if key == "recording_rules" and not isinstance(value, bool):
            raise ProfileError(f"{where}: recording_rules = {value!r} must be true or false")
        if key == "alerts":
            values[key] = tuple(sorted(value.items()))
        elif key == "lint":
            values[key] = tuple(value.items())
        elif key == "slo":
            values[key] = _slos(value, where)
        elif key == "cluster_label":
            values[key] = value or None
        else:
            values[key] = value
    try:
        return Profile(**values)
    except validate.InvalidValue as exc:
        raise ProfileError(f"{where}: {exc}") from None


def _slos(tables: list[Any], where: str) -> tuple[Any, ...]:
    if not all(isinstance(table, dict) for table in tables):
        raise ProfileError(f"{where}: slo must be an array of tables, [[slo]]")
    try:
        from .slo import parse_slo_tables  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # pragma: no cover - until SLOs land
        raise ProfileError(f"{where}: [[slo]] tables are not supported by this version") from None
    try:
        return tuple(parse_slo_tables(tables))
    except validate.InvalidValue as exc:
        raise ProfileError(f"{where}: {exc}") from None


def load_profile(config: Path | None = None, *, cwd: Path | None = None,
                 overrides: Mapping[str, tuple[Any, str]] | None = None) -> LoadedProfile:
    """The effective profile: ``config``, else the one found in ``cwd``, else defaults; then ``overrides``.

    ``overrides`` maps a key to ``(value, origin)``, e.g. ``{"cluster_label": ("cluster", "--cluster-label")}``;
    a ``None`` value is ignored (the flag was not given).
    """
    origin = dict.fromkeys(PROFILE_KEYS, DEFAULT_ORIGIN)
    path: Path | None = None
    data: Mapping[str, Any] = {}
    if config is not None:
        path, label = config, str(config)
        raw = _read_toml(config)
        data = (_tool_table(raw, config) or {}) if config.name == PYPROJECT else raw
    else:
        found = find_profile(cwd or Path.cwd())
        if found is not None:
            path, label = found
            raw = _read_toml(path)
            data = (_tool_table(raw, path) or {}) if path.name == PYPROJECT else raw
    profile = profile_from_mapping(data, str(path) if path else DEFAULT_ORIGIN)
    for key in data:
        origin[key] = label
    given = {key: value for key, (value, _) in (overrides or {}).items() if value is not None}
    if given:
        try:
            profile = profile.with_(**given)
        except validate.InvalidValue as exc:
            raise ProfileError(str(exc)) from None
        for key in given:
            origin[key] = (overrides or {})[key][1]
    return LoadedProfile(profile, origin, path)


assert {f.name for f in fields(Profile)} == set(PROFILE_KEYS)
