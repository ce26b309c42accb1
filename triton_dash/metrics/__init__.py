"""The metric catalogue: every metric family triton_dash reads, and nothing else.

Queries, lint checks and the known-answer tests look metric names up here; no
other module spells a metric name. Each entry says what Prometheus type the
family has, its unit, which labels it carries, who exposes it, from which
Triton release and behind which switch.

- :mod:`triton_dash.metrics.core`: Triton core, host, GPU, Prometheus, cAdvisor;
- :mod:`triton_dash.metrics.llm`: the first-response histogram, vLLM, TensorRT-LLM;
- :mod:`triton_dash.metrics.slo`: the series the SLO rules record, and ``ALERTS``;
- :mod:`triton_dash.metrics.unread` and :mod:`triton_dash.metrics.foreign`: families no panel
  reads (Triton's own, and upstream vLLM, NIM, KServe, llm-d, kube-state-metrics ...), known to
  ``lint`` through :func:`identify`.

Usage::

    from triton_dash.metrics import CATALOGUE, INFERENCE_REQUEST_SUCCESS, lookup
    assert INFERENCE_REQUEST_SUCCESS.kind is MetricKind.COUNTER
    CATALOGUE["nv_gpu_utilization"].labels  # ('gpu_uuid',)
    lookup("vllm:time_to_first_token_seconds_bucket").labels  # ('model', 'version', 'le')
"""

from __future__ import annotations

from . import _family, core, dcgm, foreign, llm, slo, unread
from ._family import *
from .core import *
from .dcgm import *
from .foreign import *
from .llm import *
from .slo import *
from .unread import *

CATALOGUE: dict[str, Metric] = {m.name: m for m in (*CORE_FAMILIES, *LLM_FAMILIES, *DCGM_FAMILIES,
                                                    *SLO_FAMILIES)}
#: Every family lint knows: the catalogue, Triton's unread families, and the foreign ones met next to Triton.
KNOWN: dict[str, Metric] = {**{m.name: m for m in (*FOREIGN_FAMILIES, *UNREAD_FAMILIES, *DCGM_FAMILIES)},
                            **CATALOGUE}
_RECORDED_KNOWN: list[bool] = []


#: Families Triton no longer has (all gone in 20.06), and what replaced them.
REMOVED: dict[str, str] = {
    "nv_inference_compute_duration_us": "nv_inference_compute_input_duration_us, "
                                        "nv_inference_compute_infer_duration_us and "
                                        "nv_inference_compute_output_duration_us (per executed request)",
    "nv_inference_load_ratio": "the queue and request time per request (nv_inference_queue_duration_us / "
                               "nv_inference_request_success)",
}


def lookup(name: str, families: dict[str, Metric] | None = None) -> Metric | None:
    """The family (or the histogram/summary series, as a counter) that a series name belongs to; None if unknown."""
    families = CATALOGUE if families is None else families
    if name in families:
        return families[name]
    for suffix in HISTOGRAM_PARTS:
        family = families.get(name.removesuffix(suffix)) if name.endswith(suffix) else None
        if family is not None and family.kind in (MetricKind.HISTOGRAM, MetricKind.SUMMARY):
            try:
                return family.part(suffix)
            except ValueError:
                return None
    return None


def identify(name: str) -> Metric | None:
    """Like :func:`lookup`, over every family lint knows (:data:`KNOWN`, triton_dash's recorded series too)."""
    if not _RECORDED_KNOWN:
        from .recorded import EXECUTED_REQUESTS, OVERHEAD_DURATION, RECORDED

        KNOWN.update({m.name: m for m in (*RECORDED.values(), EXECUTED_REQUESTS, OVERHEAD_DURATION)})
        _RECORDED_KNOWN.append(True)
    return lookup(name, KNOWN)


def removed(name: str) -> str | None:
    """What replaced a removed family (``name`` may be a histogram series of it); None if not removed."""
    for family, replacement in REMOVED.items():
        if name == family or (name.startswith(family) and name[len(family):] in HISTOGRAM_PARTS):
            return replacement
    return None


__all__ = [
    *_family.__all__,
    *core.__all__,
    *dcgm.__all__,
    *foreign.__all__,
    *llm.__all__,
    *slo.__all__,
    *unread.__all__,
    "CATALOGUE",
    "KNOWN",
    "REMOVED",
    "identify",
    "lookup",
    "removed",
    "slo",
]
