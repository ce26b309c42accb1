"""Dashboards to inspect, from whatever a user has: built-in, ``*.dashboard.py``, or Grafana JSON.

JSON may be a plain dashboard, Grafana's export or API shape ``{"dashboard": {...}}``,
or a Kubernetes-style object ``{"spec": {...}}``; a ConfigMap is not unwrapped.

    from triton_dash.analysis.sources import load
    for item in load([Path("dashboards/triton-overview.json")]):
        print(item.source, item.document["title"])
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..build import DASHBOARD_SUFFIX, BuildError, compile_builtin, compile_files
from ..profile import Profile

__all__ = ["Dashboard", "SourceError", "load"]


class SourceError(ValueError):
    """A file cannot be read as a dashboard; the message is one line naming it."""


@dataclass(frozen=True)
class Dashboard:
    source: str  # file name or builtin:<stem>
    document: dict[str, Any]

    @property
    def title(self) -> str:
        return str(self.document.get("title") or self.document.get("uid") or self.source)


def _unwrap(doc: Any, path: Path) -> dict[str, Any]:
    if isinstance(doc, Mapping) and isinstance(doc.get("dashboard"), Mapping):
        doc = doc["dashboard"]
    elif isinstance(doc, Mapping) and isinstance(doc.get("spec"), Mapping) and "panels" in doc["spec"]:
        doc = doc["spec"]
    if not isinstance(doc, Mapping) or not isinstance(doc.get("panels", []), list) or (
            "panels" not in doc and "rows" not in doc):
        raise SourceError(f"{path}: not a Grafana dashboard (no 'panels')")
    return dict(doc)


def _json(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourceError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError:
        raise SourceError(f"{path}: not a text file") from None
    try:
        return _unwrap(json.loads(text), path)
    except json.JSONDecodeError as exc:
        raise SourceError(f"{path}: not JSON (line {exc.lineno}: {exc.msg})") from exc


def load(paths: Iterable[Path] = (), *, profile: Profile | None = None) -> list[Dashboard]:
    """The dashboards in ``paths`` (in order), or the built-in ones (as the ``profile`` says) when there are none."""
    paths = list(paths)
    if not paths:
        return [Dashboard(c.source, c.document) for c in compile_builtin(profile=profile)]
    out = []
    for path in paths:
        if path.name.endswith(DASHBOARD_SUFFIX) or path.suffix == ".py":
            try:
                (compiled,) = compile_files([path])
            except BuildError as exc:
                raise SourceError(str(exc)) from exc
            out.append(Dashboard(str(path), compiled.document))
        else:
            out.append(Dashboard(str(path), _json(path)))
    return out
