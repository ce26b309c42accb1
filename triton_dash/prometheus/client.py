"""A read-only Prometheus HTTP API client for ``check``: instant and range queries, labels, targets.

    client = PrometheusClient("http://127.0.0.1:9090", token=os.environ.get("PROMETHEUS_TOKEN"))
    client.query("up", at=time.time())   # [({'job': 'triton', ...}, 1.0), ...]

Bearer token or basic auth, a CA bundle for TLS; credentials are never part of a
message. :class:`PrometheusUnavailable` means the API cannot be used at all
(unreachable, not Prometheus); :class:`QueryRejected` is one query Prometheus
refused (bad PromQL, too expensive).
"""

from __future__ import annotations

import math
from typing import Any

import requests

from .. import validate

__all__ = ["PrometheusClient", "PrometheusUnavailable", "QueryRejected", "Sample"]

Sample = tuple[dict[str, str], float]


class PrometheusUnavailable(Exception):
    """Prometheus cannot be queried at all; one line for a person."""


class QueryRejected(Exception):
    """Prometheus answered one query with an error (bad_data, timeout ...)."""


class PrometheusClient:
    def __init__(self, url: str, *, token: str | None = None, user: str | None = None,
                 password: str | None = None, verify: bool | str = True, timeout: float = 30.0,
                 session: requests.Session | None = None) -> None:
        self.url = validate.url(url, "--prometheus", example="http://localhost:9090")
        validate.secret(token, "PROMETHEUS_TOKEN")
        validate.secret(password, "PROMETHEUS_PASSWORD")
        validate.number(timeout, "timeout", minimum=0, exclusive_minimum=True)
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.verify = verify
        self.session.headers["User-Agent"] = "triton-dash-check"
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        elif user:
            self.session.auth = (user, password or "")
        self.calls = 0

    def __repr__(self) -> str:
        return f"PrometheusClient({self.url!r})"

    def _get(self, path: str, params: dict[str, Any], *, post: bool = True) -> Any:
        """One API call (POST for queries, which can be long; GET where Prometheus has no POST)."""
        self.calls += 1
        try:
            if post:
                response = self.session.post(self.url + path, data=params, timeout=self.timeout)
            else:
                response = self.session.get(self.url + path, params=params, timeout=self.timeout)
        except requests.exceptions.SSLError:
            raise PrometheusUnavailable(f"TLS verification failed for {self.url}; pass --ca-bundle FILE") from None
        except requests.exceptions.Timeout:
            raise PrometheusUnavailable(f"Prometheus at {self.url} did not answer within {self.timeout:g}s; "
                                        "raise --timeout") from None
        except requests.exceptions.RequestException as exc:
            reason = "connection refused" if "refused" in str(exc).lower() else type(exc).__name__
            raise PrometheusUnavailable(f"cannot reach Prometheus at {self.url} ({reason}); "
                                        "check --prometheus") from None
        if response.status_code in (401, 403):
            raise PrometheusUnavailable(f"{self.url} refused the credentials ({response.status_code}); set "
                                        "PROMETHEUS_TOKEN, or PROMETHEUS_USER and PROMETHEUS_PASSWORD, and check that "
                                        "--prometheus is Prometheus itself (not Grafana)")
        try:
            body = response.json()
        except ValueError:
            raise PrometheusUnavailable(f"{self.url} is not a Prometheus API (HTTP {response.status_code}, not "
                                        "JSON from /api/v1); point --prometheus at Prometheus' base URL") from None
        if not isinstance(body, dict) or "status" not in body:
            raise PrometheusUnavailable(f"{self.url} is not a Prometheus API (no 'status' in its answer)")
        if body["status"] != "success":
            message = " ".join(str(body.get("error") or body.get("errorType") or "error").split())
            if response.status_code >= 500 and response.status_code != 503:
                raise PrometheusUnavailable(f"Prometheus at {self.url} failed ({response.status_code}: {message})")
            raise QueryRejected(message)
        return body.get("data")

    def query(self, expr: str, at: float) -> list[Sample]:
        data = self._get("/api/v1/query", {"query": expr, "time": f"{at:.3f}"})
        return [(dict(item.get("metric", {})), _float(item["value"][1])) for item in data.get("result", [])
                if data.get("resultType") == "vector"] if isinstance(data, dict) else []

    def scalar(self, expr: str, at: float) -> float:
        """The single value of an aggregation (0 when it returns nothing)."""
        result = self.query(expr, at)
        return result[0][1] if result else 0.0

    def query_range_all(self, expr: str, start: float, end: float,
                        step: float) -> list[tuple[dict[str, str], list[tuple[float, float]]]]:
        """Every series of a range query: (labels, [(time, value), ...])."""
        data = self._get("/api/v1/query_range", {"query": expr, "start": f"{start:.3f}", "end": f"{end:.3f}",
                                                  "step": f"{max(step, 1):.0f}"})
        series = data.get("result", []) if isinstance(data, dict) else []
        return [(dict(s.get("metric", {})), [(float(t), _float(v)) for t, v in s.get("values", [])])
                for s in series]

    def label_values(self, label: str, match: str | None, start: float, end: float) -> list[str]:
        params: dict[str, Any] = {"start": f"{start:.3f}", "end": f"{end:.3f}"}
        if match:
            params["match[]"] = match
        data = self._get(f"/api/v1/label/{label}/values", params, post=False)
        return sorted(str(v) for v in data or [])

    def targets(self) -> list[dict[str, Any]]:
        self.calls += 1
        try:
            response = self.session.get(self.url + "/api/v1/targets", params={"state": "active"},
                                        timeout=self.timeout)
            body = response.json()
        except (requests.exceptions.RequestException, ValueError):
            return []  # Thanos/Mimir front-ends have no targets API: check goes on without it
        data = body.get("data") if isinstance(body, dict) else None
        return list(data.get("activeTargets", [])) if isinstance(data, dict) else []


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan
