"""triton_dash: Grafana dashboards as code for NVIDIA Triton Inference Server.

The layers, each importing only the ones before it (``tests/test_layering.py`` keeps it so):

- :mod:`triton_dash.validate`: checks for every value a user gives (imports nothing of ours);
- :mod:`triton_dash.metrics`: the catalogue of metric families, and the recorded series derived from it;
  :mod:`triton_dash.prometheus`: the Prometheus HTTP client;
- :mod:`triton_dash.selector`: which series a query reads; :mod:`triton_dash.profile`: the fleet's facts
  (job, cluster label, recording rules, response cache, thresholds), the one config every command reads;
- :mod:`triton_dash.queries`: pure PromQL builders; :mod:`triton_dash.panels`: grafanalib panel factories;
  :mod:`triton_dash.dashboards`: the built-in dashboards;
- outputs: :mod:`~triton_dash.build` and :mod:`~triton_dash.files` (clean JSON, atomic writes),
  :mod:`triton_dash.grafana` (finalize, specs, client, ``push``), :mod:`triton_dash.rules` (recording and
  alerting rules), :mod:`triton_dash.deploy` (compose stack, Kubernetes, autoscaling), :mod:`~triton_dash.docs`;
- reading dashboards: :mod:`triton_dash.analysis`, :mod:`triton_dash.check`, :mod:`triton_dash.lint`;
- :mod:`triton_dash.cli`: ``python -m triton_dash``, one module per command and one error path.

    from triton_dash.panels import queue_time_per_request
    panel = queue_time_per_request(width=12)
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
