"""Pure PromQL builders, one function per number a panel shows.

Nothing here imports grafanalib: the same functions feed panels, recording and
alerting rules and the tests. Each takes a :class:`~triton_dash.selector.Selector`
(which series, which rate window) and a grouping (default ``model, version``)
and returns a PromQL string.

    >>> from triton_dash.queries import queue_time_per_request
    >>> from triton_dash.selector import Selector
    >>> q = queue_time_per_request(Selector(job="triton", instance=None, model=None,
    ...                                     version=None, rate_interval="5m"))
    >>> q.startswith("sum by (model, version) (rate(nv_inference_queue_duration_us{job=~\\"triton\\"}[5m]))")
    True
"""

from . import dcgm, health, latency, llm, requests, resources, stack, versions
from .dcgm import *
from .health import *
from .latency import *
from .llm import *
from .requests import *
from .resources import *
from .stack import *
from .versions import *

__all__ = [
    *dcgm.__all__,
    *health.__all__,
    *latency.__all__,
    *llm.__all__,
    *requests.__all__,
    *resources.__all__,
    *stack.__all__,
    *versions.__all__,
]
