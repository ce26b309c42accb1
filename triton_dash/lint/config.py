"""Lint exclusions: ``.triton-dash-lint.yaml``, the profile's ``lint`` table (``triton-dash.toml``) or
``tool.triton-dash.lint`` in ``pyproject.toml``.

    # .triton-dash-lint.yaml
    exclude:
      - rule: rate-interval
        dashboard: Triton Inference Server    # title or uid; optional
        panel: Top models                     # title; optional
        reason: top-N over the whole time range is intended

The TOML files are parsed, so every way of writing the table counts: ``[lint]`` with
``exclude = [{rule = ..., reason = ...}]``, ``[[lint.exclude]]`` tables, an inline
``lint = {exclude = [...]}``; in ``pyproject.toml`` the same under ``tool.triton-dash``
(``[[tool.triton-dash.lint.exclude]]`` ...).

Every entry needs a ``rule`` and a ``reason``; one that matches no finding is
reported itself (rule ``unused-exclusion``), so stale exclusions do not pile up.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..profile import PROFILE_FILE

__all__ = ["CONFIG_FILE", "ConfigError", "Exclusion", "find_config", "load_config"]

CONFIG_FILE = ".triton-dash-lint.yaml"
PYPROJECT = "pyproject.toml"
#: Where the lint table sits in each TOML file.
_TOML_PATH: dict[str, tuple[str, ...]] = {PROFILE_FILE: ("lint",), PYPROJECT: ("tool", "triton-dash", "lint")}


class ConfigError(ValueError):
    """The lint configuration is unreadable or invalid; one line naming the file."""


@dataclass(frozen=True)
class Exclusion:
    rule: str
    reason: str
    dashboard: str | None = None
    panel: str | None = None
    source: str = ""

    def matches(self, rule: str, dashboard: Mapping[str, Any], panel: str) -> bool:
        return (self.rule == rule
                and (self.dashboard is None or self.dashboard in (dashboard.get("title"), dashboard.get("uid")))
                and (self.panel is None or self.panel == panel))

    def describe(self) -> str:
        where = "".join(f" {k}={v!r}" for k, v in (("dashboard", self.dashboard), ("panel", self.panel)) if v)
        return f"{self.rule}{where}"


def find_config(start: Path) -> Path | None:
    """``.triton-dash-lint.yaml``, else the profile ``triton-dash.toml`` with a ``lint`` table, else a
    ``pyproject.toml`` with ``tool.triton-dash.lint``, in ``start`` (a TOML file that cannot be parsed is
    returned too, when it could be meant, so that :func:`load_config` says what is wrong with it)."""
    candidate = start / CONFIG_FILE
    if candidate.is_file():
        return candidate
    for name, keys in _TOML_PATH.items():
        path = start / name
        if not path.is_file():
            continue
        try:
            data: Any = _parse_toml(path)
        except ConfigError:
            if name == PROFILE_FILE or "triton-dash" in path.read_text(encoding="utf-8", errors="replace"):
                return path
            continue
        if _lookup(data, keys) is not None:
            return path
    return None


def _parse_toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc


def _lookup(data: Any, keys: Sequence[str]) -> Any:
    for key in keys:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


def _toml(path: Path) -> dict[str, Any]:
    keys = _TOML_PATH.get(path.name, ("lint",))  # --config other.toml: a profile-shaped file
    section = _lookup(_parse_toml(path), keys)
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: {'.'.join(keys)} must be a table, e.g. [[{'.'.join(keys)}.exclude]]")
    return section


def load_config(path: Path, rule_ids: set[str]) -> list[Exclusion]:
    """The exclusions in ``path``; :class:`ConfigError` for an unknown rule, a missing reason or bad YAML."""
    if path.suffix == ".toml":
        data: Any = _toml(path)
    else:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not YAML ({' '.join(str(exc).split())})") from exc
    if not isinstance(data, Mapping) or not isinstance(data.get("exclude", []), list):
        table = ".".join(_TOML_PATH.get(path.name, ("lint",)))
        shape = (f"exclude = [...] under [{table}], or [[{table}.exclude]] tables" if path.suffix == ".toml"
                 else "'exclude:' with a list of entries")
        raise ConfigError(f"{path}: expected {shape}")
    out = []
    for index, entry in enumerate(data.get("exclude", []), start=1):
        if not isinstance(entry, Mapping):
            raise ConfigError(f"{path}: exclusion {index} is not a mapping")
        unknown = set(entry) - {"rule", "reason", "dashboard", "panel"}
        if unknown:
            raise ConfigError(f"{path}: exclusion {index} has unknown keys {sorted(unknown)}")
        rule, reason = entry.get("rule"), entry.get("reason")
        if rule not in rule_ids:
            raise ConfigError(f"{path}: exclusion {index} names unknown rule {rule!r}; known: "
                              f"{', '.join(sorted(rule_ids))}")
        if not isinstance(reason, str) or not reason.strip():
            raise ConfigError(f"{path}: exclusion {index} ({rule}) has no reason; say why the rule does not apply")
        out.append(Exclusion(str(rule), reason, _opt(entry.get("dashboard")), _opt(entry.get("panel")), str(path)))
    return out


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)
