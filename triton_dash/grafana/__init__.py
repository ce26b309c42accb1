"""Talking to a live Grafana: the HTTP client and ``push``.

- :mod:`triton_dash.grafana.client`: a small client on ``requests`` with bounded
  retries and one-line errors (uid-addressed routes only);
- :mod:`triton_dash.grafana.push`: validate, then create or update the datasource,
  the folder and the dashboards, and prune the ones the code no longer defines;
- :mod:`triton_dash.grafana.discovery` picks the dashboard API (``GET /apis``):
  :mod:`~triton_dash.grafana.current_api` (``dashboard.grafana.app/v1``) or
  :mod:`~triton_dash.grafana.legacy_api` (``/api/dashboards``), both behind
  :class:`~triton_dash.grafana.api.DashboardApi`.

    from triton_dash.grafana import GrafanaClient, push
"""

from .api import ApiChoice
from .client import GrafanaClient, GrafanaError, NotGrafana
from .push import DatasourceSpec, FolderSpec, Outcome, PushError, push

__all__ = ["ApiChoice", "DatasourceSpec", "FolderSpec", "GrafanaClient", "GrafanaError", "NotGrafana", "Outcome",
           "PushError", "push"]
