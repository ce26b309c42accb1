"""Reading dashboards as data: load them from any file, expand Grafana's variables, walk their PromQL.

Shared by ``lint`` (offline) and ``check`` (against a live Prometheus):

- :mod:`triton_dash.analysis.sources`: dashboards from compiled JSON, Grafana exports,
  ``*.dashboard.py`` files or the built-in set;
- :mod:`triton_dash.analysis.variables`: Grafana's macros and template variables;
- :mod:`triton_dash.analysis.promql`: the selectors, functions and aggregations of an expression;
- :mod:`triton_dash.analysis.datasources`: which query language a target is in (PromQL, LogQL ...).
"""
