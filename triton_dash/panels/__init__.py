"""Panel factories: each returns a grafanalib panel holding correct PromQL.

Drop them into your own grafanalib dashboard; every factory takes keyword
arguments ``selector`` (which series), ``datasource``, ``width``, ``height``
and ``title``, and per-model panels also ``by`` (the grouping)::

    from grafanalib.core import Dashboard
    from triton_dash.panels import queue_time_per_request, batch_ratio
    from triton_dash.selector import Selector

    dashboard = Dashboard(
        title="My models", uid="my-models",
        panels=[queue_time_per_request(width=12),
                batch_ratio(selector=Selector(model="resnet.*"), width=12)],
    )

``python -m triton_dash build my.dashboard.py`` then lays the panels out and
writes clean Grafana JSON.

The shared keyword arguments are one typed options object,
:class:`~triton_dash.panels.factory.PanelOptions` (``GroupedPanelOptions`` adds ``by``); a
factory declares only its own extra options (``quantiles=``, ``generated=``) and resolves the
shared ones over its defaults with :func:`~triton_dash.panels.factory.panel_options`.
"""

from . import dcgm, factory, health, latency, llm, resources, slo, stack, throughput
from .dcgm import *
from .factory import *
from .health import *
from .latency import *
from .llm import *
from .resources import *
from .slo import *
from .stack import *
from .throughput import *

#: The panels of the user's design card, by name.
input_time_per_request = compute_input_time_per_request
output_time_per_request = compute_output_time_per_request
inference_time_per_request = compute_infer_time_per_request

__all__ = [
    *dcgm.__all__,
    *factory.__all__,
    *health.__all__,
    *latency.__all__,
    *llm.__all__,
    *resources.__all__,
    *slo.__all__,
    *stack.__all__,
    *throughput.__all__,
    "inference_time_per_request",
    "input_time_per_request",
    "output_time_per_request",
]
