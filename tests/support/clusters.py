"""Two clusters serving the same model names: the east fleet and a west fleet at other rates and times.

    from tests.support.clusters import BOTH, FLEETS, expected_in

The east cluster is the usual synthetic fleet; the west cluster serves the same
model names from other pods (``west-a`` ...), at other rates and per-request
times. :func:`expected_in` is the oracle's answer for a fleet, with the cluster
label on the panels whose lines are per Triton server. Used by the backfilled
multi-cluster test and by the live two-Prometheus topology.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from . import oracle
from .synthetic import FLEET, Fleet

__all__ = ["BOTH", "CLUSTER_LABEL", "FLEETS", "PER_SERVER", "WEST", "cluster_of", "expected_in"]

CLUSTER_LABEL = "cluster"
#: Panels whose lines are per Triton server: with a cluster label they keep it (pod names repeat across clusters).
PER_SERVER = {"Request time quantiles", "Inference time quantiles", "Host CPU utilization", "Host memory",
              "Pinned memory pool"}


def _west(name: str) -> str:
    return name.replace("pod-", "west-")


WEST = Fleet(
    traffic=tuple(replace(t, instance=_west(t.instance), success=t.success * 3, queue_s=t.queue_s * 2,
                          request_s=t.request_s * 2 + 0.001, restarted=False,
                          failures={k: v * 2 for k, v in t.failures.items()},
                          cache_hits=None if t.cache_hits is None else t.cache_hits * 3,
                          inferences=None if t.inferences is None else t.inferences * 3,
                          executions=None if t.executions is None else t.executions * 3,
                          summaries={}, gpu_split={f"{g}-west": v for g, v in t.gpu_split.items()})
                  for t in FLEET.traffic),
    gpus=tuple(replace(g, uuid=f"{g.uuid}-west", instances=tuple(_west(i) for i in g.instances),
                       memory_used=g.memory_used / 2) for g in FLEET.gpus),
    hosts=tuple(replace(h, instance=_west(h.instance), cpu=h.cpu / 2, cache_util=None) for h in FLEET.hosts),
    targets=tuple(replace(t, instance=_west(t.instance)) for t in FLEET.targets if t.job == "triton"),
    head_series={}, samples_appended={}, container_cpu={}, container_memory={},
)
BOTH = Fleet(traffic=FLEET.traffic + WEST.traffic, gpus=FLEET.gpus + WEST.gpus, hosts=FLEET.hosts + WEST.hosts,
             targets=FLEET.targets + WEST.targets, head_series=FLEET.head_series,
             samples_appended=FLEET.samples_appended, container_cpu=FLEET.container_cpu,
             container_memory=FLEET.container_memory, probes=FLEET.probes)
FLEETS = {"east": FLEET, "west": WEST}


def cluster_of(instance: str) -> str:
    return "west" if instance.startswith("west-") else "east"


def expected_in(stem: str, title: str, ref_id: str, chosen: Mapping[str, str], fleet: Fleet) -> dict[Any, float]:
    """The known answer for ``fleet``; per-server panels' lines carry the cluster of their instance."""
    want = oracle.expected(stem, title, ref_id, {k: v for k, v in chosen.items() if k != CLUSTER_LABEL}, fleet)
    if title not in PER_SERVER:
        return want
    return {labels | {(CLUSTER_LABEL, cluster_of(dict(labels)["instance"]))}: v for labels, v in want.items()}
