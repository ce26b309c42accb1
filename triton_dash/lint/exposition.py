"""Metric types from what the servers expose, for names no catalogue knows.

The catalogue knows Triton, its backends and the families met next to it; for
anything else, ``lint --types FILE`` reads the types the user's own servers
declare: a scrape in the Prometheus text or OpenMetrics format (its ``# TYPE``
lines, e.g. ``curl -s triton:8002/metrics``), or the JSON of Prometheus'
``/api/v1/metadata``. A ``_total`` suffix alone never makes a name a counter.

    types = load_types([Path("scrape.prom")])
    types["my_app_requests_total"]  # MetricKind.COUNTER
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..metrics import HISTOGRAM_PARTS, MetricKind

__all__ = ["TypesError", "exposed_kind", "load_types", "parse_types"]

_KINDS = {"counter": MetricKind.COUNTER, "gauge": MetricKind.GAUGE, "histogram": MetricKind.HISTOGRAM,
          "summary": MetricKind.SUMMARY, "gaugehistogram": MetricKind.GAUGE}


class TypesError(ValueError):
    """A --types file cannot be read; one line naming it."""


def parse_types(text: str) -> dict[str, MetricKind]:
    """Family name -> type, from exposition text (``# TYPE``) or ``/api/v1/metadata`` JSON."""
    stripped = text.lstrip()
    if stripped.startswith("{"):
        data = json.loads(stripped)
        entries = data.get("data", data) if isinstance(data, Mapping) else {}
        out: dict[str, MetricKind] = {}
        for name, metas in (entries or {}).items():
            for meta in metas if isinstance(metas, list) else [metas]:
                kind = _KINDS.get(str((meta or {}).get("type", "")).lower())
                if kind is not None:
                    out[str(name)] = kind
        return out
    out = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[0] == "#" and parts[1] == "TYPE" and parts[3].lower() in _KINDS:
            out[parts[2]] = _KINDS[parts[3].lower()]
    return out


def load_types(paths: Iterable[Path]) -> dict[str, MetricKind]:
    out: dict[str, MetricKind] = {}
    for path in paths:
        try:
            out.update(parse_types(path.read_text(encoding="utf-8")))
        except OSError as exc:
            raise TypesError(f"{path}: cannot read: {exc.strerror or exc}") from exc
        except (UnicodeDecodeError, ValueError) as exc:
            raise TypesError(f"{path}: neither a /metrics scrape nor /api/v1/metadata JSON ({exc})") from exc
    return out


def exposed_kind(name: str, types: Mapping[str, MetricKind]) -> MetricKind | None:
    """The type of series ``name`` by the declared families: histogram/summary parts and ``_total`` are counters."""
    if name in types:
        return types[name]
    for suffix in HISTOGRAM_PARTS:
        if name.endswith(suffix) and types.get(name.removesuffix(suffix)) in (MetricKind.HISTOGRAM,
                                                                                MetricKind.SUMMARY):
            return MetricKind.COUNTER
    if name.endswith("_total") and types.get(name.removesuffix("_total")) is MetricKind.COUNTER:
        return MetricKind.COUNTER  # OpenMetrics declares the family without _total
    return None
