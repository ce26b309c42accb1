"""Template variables: a Prometheus datasource picker and label drop-downs.

Every label variable is multi-select with an "All" option, and refreshes its
values when the time range changes (so models loaded later appear).
"""

from __future__ import annotations

from collections.abc import Sequence

import grafanalib.core as G

from .. import metrics as m
from ..panels import DATASOURCE, DataSource
from ..profile import DEFAULT_DATASOURCE_UID

__all__ = ["DEFAULT_DATASOURCE_UID", "cluster_variable", "datasource_variable", "label_variable", "triton_variables"]

#: ``refresh`` value meaning "on time range change".
REFRESH_ON_TIME_RANGE_CHANGE = 2
#: Variable ``sort``: alphabetical, ascending, case-insensitive.
SORT_ALPHA_ASC_CI = 5


def datasource_variable(name: str = "datasource", default: str = DEFAULT_DATASOURCE_UID) -> G.Template:
    """A ``datasource`` variable listing the Prometheus datasources."""
    return G.Template(name=name, label="Data source", type="datasource", query="prometheus",
                      default=default, hide=0)


def label_variable(
    name: str, label: str, metric: m.Metric, label_name: str, *, filters: Sequence[tuple[str, str]] = (),
    all_value: str | None = ".*", datasource: DataSource = DATASOURCE,
) -> G.Template:
    """A multi-select variable of the values of ``label_name`` on ``metric``.

    ``filters`` are ``(label, variable)`` pairs that narrow the list by the
    variables above it, e.g. models on the selected instances. ``all_value``
    is the regex "All" stands for; ``None`` makes "All" the list of values
    found, which keeps series of other jobs out of queries such as ``up``.
    """
    narrowed = ", ".join(f'{lab}=~"${var}"' for lab, var in filters)
    series = f"{metric.name}{{{narrowed}}}" if narrowed else metric.name
    return G.Template(
        name=name, label=label, type="query", query=f"label_values({series}, {label_name})",
        dataSource=dict(datasource), includeAll=True, multi=True, allValue=all_value,
        default="All", refresh=REFRESH_ON_TIME_RANGE_CHANGE, sort=SORT_ALPHA_ASC_CI,
    )


def cluster_variable(cluster_label: str, metric: m.Metric = m.UP, datasource: DataSource = DATASOURCE) -> G.Template:
    """A multi-select ``cluster`` variable over the values of the external label ``cluster_label``."""
    return label_variable("cluster", "Cluster", metric, cluster_label, all_value=".*", datasource=datasource)


def triton_variables(datasource: DataSource = DATASOURCE, cluster_label: str | None = None) -> list[G.Template]:
    """datasource, (cluster,) job, instance, model, version and gpu, each narrowing the next."""
    req = m.INFERENCE_REQUEST_SUCCESS
    outer = ((cluster_label, "cluster"),) if cluster_label else ()
    scope = (*outer, ("job", "job"), ("instance", "instance"))
    return [
        datasource_variable(),
        *([cluster_variable(cluster_label, req, datasource)] if cluster_label else []),
        # No allValue: "All" must mean the jobs that serve Triton, or ``up`` counts every target.
        label_variable("job", "Job", req, "job", filters=outer, all_value=None, datasource=datasource),
        label_variable("instance", "Instance", req, "instance", filters=scope[:-1], all_value=".+",
                       datasource=datasource),
        label_variable("model", "Model", req, "model", filters=scope, datasource=datasource),
        label_variable("version", "Version", req, "version", filters=(*scope, ("model", "model")),
                       datasource=datasource),
        label_variable("gpu", "GPU", m.GPU_MEMORY_TOTAL, "gpu_uuid", filters=scope, datasource=datasource),
        # Health probes have their own scrape job (the blackbox exporter's).
        label_variable("probe_job", "Probe job", m.PROBE_SUCCESS, "job", filters=outer, all_value=".+",
                       datasource=datasource),
    ]
