"""One metric family: its name, Prometheus type, unit, labels and what it takes to see it.

    from triton_dash.metrics import Metric, MetricKind
    Metric("nv_inference_count", MetricKind.COUNTER, "inferences", ("model", "version"), "...")

Besides type and labels, a family records where it comes from (``source``: Triton
core, a backend, Prometheus, cAdvisor), the first Triton release that has it
(``since``) and the switch that turns it on (``enable``). Panel descriptions
build their "No data" sentence from these facts (:meth:`Metric.no_data_hint`),
so the hint and the catalogue cannot disagree.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

__all__ = ["BACKENDS", "HISTOGRAM_PARTS", "PER_MODEL", "SCRAPE", "Metric", "MetricKind"]


class MetricKind(enum.Enum):
    """Prometheus metric type, as it matters for PromQL."""

    COUNTER = "counter"
    GAUGE = "gauge"
    SUMMARY = "summary"
    HISTOGRAM = "histogram"


#: Labels Prometheus adds to every scraped series (kube-prometheus adds more).
SCRAPE: tuple[str, ...] = ("job", "instance")
#: Labels Triton puts on every per-model family.
PER_MODEL: tuple[str, ...] = ("model", "version")
#: The series a histogram family exposes; each is a counter.
HISTOGRAM_PARTS: tuple[str, ...] = ("_bucket", "_sum", "_count")
#: Who exposes a family, for messages.
BACKENDS: dict[str, str] = {
    "triton": "Triton core",
    "vllm": "Triton's vLLM backend",
    "tensorrt_llm": "Triton's TensorRT-LLM backend",
    "prometheus": "Prometheus itself",
    "cadvisor": "cAdvisor",
    "blackbox": "the blackbox exporter",
    "recording": "triton_dash's recording rules",
    "dcgm": "NVIDIA's DCGM exporter (dcgm-exporter)",
}


@dataclass(frozen=True)
class Metric:
    """One metric family.

    ``labels`` are the labels the family carries besides the scrape labels; a
    query selector only matches labels the family really has.
    """

    name: str
    kind: MetricKind
    unit: str
    labels: tuple[str, ...]
    help: str
    source: str = "triton"
    #: Labels the scrape (or the recording rule) adds; selectors may match them.
    scrape_labels: tuple[str, ...] = SCRAPE
    #: First Triton (NGC) release that exposes the family, e.g. "24.11"; "" when always there.
    since: str = ""
    #: What must be switched on to see it, e.g. "--metrics-config histogram_latencies=true".
    enable: str = ""

    @property
    def is_counter(self) -> bool:
        return self.kind is MetricKind.COUNTER

    def part(self, suffix: str) -> Metric:
        """One counter series of a histogram (``_bucket``, ``_sum``, ``_count``) or summary (``_sum``, ``_count``)."""
        allowed = HISTOGRAM_PARTS if self.kind is MetricKind.HISTOGRAM else HISTOGRAM_PARTS[1:]
        if self.kind not in (MetricKind.HISTOGRAM, MetricKind.SUMMARY) or suffix not in allowed:
            raise ValueError(f"{self.name} has no {suffix!r} series")
        labels = (*self.labels, "le") if suffix == "_bucket" else self.labels
        return replace(self, name=self.name + suffix, kind=MetricKind.COUNTER, labels=labels)

    @property
    def category_label(self) -> str | None:
        """The label that splits a backend gauge into categories (request_type ...), never to be summed away."""
        if self.source != "tensorrt_llm" or self.kind is not MetricKind.GAUGE:
            return None
        extra = [label for label in self.labels if label not in PER_MODEL]
        return extra[0] if len(extra) == 1 else None

    def no_data_hint(self, *, named: bool = True) -> str:
        """Why a panel on this family may show nothing: who exposes it, from when, and the switch."""
        who = BACKENDS.get(self.source, self.source)
        parts = [f"{self.name if named else 'It'} comes from {who}"]
        if self.since:
            parts.append(f"from Triton {self.since} on")
        text = " ".join(parts)
        if self.enable:
            text += f", and only with {self.enable}"
        return text + "."

    def __str__(self) -> str:
        return self.name
