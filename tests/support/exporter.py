"""Triton-format metrics endpoints on 127.0.0.1 whose counters advance, live, at a synthetic fleet's rates.

    with serving(FLEET) as addresses:      # {"pod-a:8002": "127.0.0.1:40123", ...}
        ...                                # scrape each address with instance=<its key>

Each endpoint answers ``GET /metrics`` the way Triton 2.51 does (see
tests/fixtures/triton-2.51-cpu-summaries-cache.prom): ``# HELP``/``# TYPE``
lines, counters without ``_total``, no timestamps, no ``job``/``instance``
labels (the scrape adds them); the HELP texts are the catalogue's. The values come from the same
:class:`~tests.support.synthetic.Series` the backfilled tests use, read at the
moment of the request, so :mod:`tests.support.oracle` knows every answer.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from triton_dash import metrics as m

from .synthetic import JOB, T0, Fleet, Series, all_series

__all__ = ["exposition", "instance_series", "serving"]

#: Series Prometheus writes itself for every target; an exporter must not expose them.
_SCRAPE_SERIES = frozenset({m.UP.name, m.SCRAPE_DURATION.name})
#: Where on the synthetic time line the live counters start (well before the fleet's counter reset).
LIVE_START = T0 + 600


def instance_series(fleet: Fleet, instance: str) -> list[Series]:
    """What the Triton server ``instance`` of ``fleet`` exposes (its job's series, scrape series left out)."""
    return [s for s in all_series(fleet, llm=False)
            if dict(s.labels).get("job") == JOB and dict(s.labels).get("instance") == instance
            and s.name not in _SCRAPE_SERIES]


def _value(value: float) -> str:
    return "NaN" if math.isnan(value) else repr(float(value))


def exposition(series: Sequence[Series], t: float) -> str:
    """The text format at synthetic time ``t``: families in name order, each with Triton's HELP and TYPE."""
    families: dict[str, list[Series]] = {}
    for s in series:
        families.setdefault(s.name, []).append(s)
    lines: list[str] = []
    for name in sorted(families):
        family = m.CATALOGUE.get(name)
        assert family is not None, f"{name} is not in the catalogue"
        lines += [f"# HELP {name} {family.help}", f"# TYPE {name} {family.kind.value}"]
        for s in sorted(families[name], key=lambda x: x.labels):
            labels = ",".join(f'{k}="{v}"' for k, v in s.labels if k not in ("job", "instance"))
            lines.append(f"{name}{{{labels}}} {_value(s.at(t))}" if labels else f"{name} {_value(s.at(t))}")
    return "\n".join(lines) + "\n"


def _handler(series: Sequence[Series], started: float) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            if self.path.split("?")[0] != "/metrics":
                self.send_error(404)
                return
            body = exposition(series, LIVE_START + time.time() - started).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextlib.contextmanager
def serving(fleet: Fleet) -> Iterator[dict[str, str]]:
    """One endpoint per Triton server of ``fleet`` that has traffic; always shut down on exit."""
    instances = sorted({t.instance for t in fleet.traffic})
    started = time.time()
    servers: list[tuple[ThreadingHTTPServer, threading.Thread]] = []
    try:
        addresses = {}
        for instance in instances:
            server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(instance_series(fleet, instance), started))
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
            thread.start()
            servers.append((server, thread))
            addresses[instance] = f"127.0.0.1:{server.server_address[1]}"
        yield addresses
    finally:
        for server, thread in servers:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
