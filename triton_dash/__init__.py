"""triton_dash: Grafana dashboards as code for NVIDIA Triton Inference Server.

The layers, each importing only the ones before it:

- :mod:`triton_dash.validate`: checks for every value a user gives (no imports);
- :mod:`triton_dash.metrics`: the catalogue of Triton metric families;
- :mod:`triton_dash.metrics.recorded`: the recorded per-model rates derived from it;
- :mod:`triton_dash.selector` and :mod:`triton_dash.queries`: pure PromQL builders;
- :mod:`triton_dash.panels`: grafanalib panel factories holding those queries;
- :mod:`triton_dash.dashboards`: the built-in dashboards;
- outputs: :mod:`~triton_dash.grafana.finalize`, :mod:`~triton_dash.files` and :mod:`~triton_dash.build`
  (clean JSON), :mod:`~triton_dash.rules` (recording and alerting rules),
  :mod:`triton_dash.grafana` (the HTTP client and ``push`` to a live Grafana),
  :mod:`~triton_dash.deploy.compose` (the compose stack), :mod:`~triton_dash.deploy.kubernetes`,
  :mod:`~triton_dash.docs` (the README's catalogue);
- :mod:`triton_dash.cli`: ``python -m triton_dash build | push | provision | rules | podmonitor``,
  one module per command group and one error path (:mod:`triton_dash.cli.errors`).

    from triton_dash.panels import queue_time_per_request
    panel = queue_time_per_request(width=12)
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
