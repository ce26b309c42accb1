"""The Prometheus HTTP API client shared by ``check`` and ``capacity`` (:mod:`.client`)."""

from .client import PrometheusClient, PrometheusUnavailable, QueryRejected

__all__ = ["PrometheusClient", "PrometheusUnavailable", "QueryRejected"]
