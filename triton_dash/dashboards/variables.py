"""Template variables: a Prometheus datasource picker and label drop-downs.

Every label variable is multi-select with an "All" option, and refreshes its
values when the time range changes (so models loaded later appear).
"""

from __future__ import annotations

from collections.abc import Sequence

import grafanalib.core as G

from .. import metrics as m
from ..metrics import GpuSource
from ..panels import DATASOURCE, DataSource
from ..profile import DEFAULT_DATASOURCE_UID, Profile
from ..selector import Var, quote

__all__ = ["DEFAULT_DATASOURCE_UID", "cluster_variable", "datasource_variable", "gpu_variable", "label_variable",
           "triton_variables"]

#: ``refresh`` value meaning "on time range change".
REFRESH_ON_TIME_RANGE_CHANGE = 2
#: Variable ``sort``: alphabetical, ascending, case-insensitive.
SORT_ALPHA_ASC_CI = 5


def datasource_variable(name: str = Var.DATASOURCE.value, default: str = DEFAULT_DATASOURCE_UID) -> G.Template:
    """A ``datasource`` variable listing the Prometheus datasources."""
    return G.Template(name=name, label="Data source", type="datasource", query="prometheus",
                      default=default, hide=0)


def label_variable(
    name: str, label: str, metric: m.Metric, label_name: str, *, filters: Sequence[tuple[str, str]] = (),
    all_value: str | None = ".*", datasource: DataSource = DATASOURCE, fixed: Sequence[tuple[str, str]] = (),
) -> G.Template:
    """A multi-select variable of the values of ``label_name`` on ``metric``.

    ``filters`` are ``(label, variable)`` pairs that narrow the list by the
    variables above it, e.g. models on the selected instances. ``all_value``
    is the regex "All" stands for; ``None`` makes "All" the list of values
    found, which keeps series of other jobs out of queries such as ``up``.
    ``fixed`` are ``(label, regex)`` pairs every value must match (the profile's job).
    """
    matchers = [*(f"{lab}=~{quote(regex)}" for lab, regex in fixed), *(f'{lab}=~"${var}"' for lab, var in filters)]
    narrowed = ", ".join(matchers)
    series = f"{metric.name}{{{narrowed}}}" if narrowed else metric.name
    return G.Template(
        name=name, label=label, type="query", query=f"label_values({series}, {label_name})",
        dataSource=dict(datasource), includeAll=True, multi=True, allValue=all_value,
        default="All", refresh=REFRESH_ON_TIME_RANGE_CHANGE, sort=SORT_ALPHA_ASC_CI,
    )


def cluster_variable(cluster_label: str, metric: m.Metric = m.UP, datasource: DataSource = DATASOURCE) -> G.Template:
    """A multi-select ``cluster`` variable over the values of the external label ``cluster_label``."""
    return label_variable(Var.CLUSTER.value, "Cluster", metric, cluster_label, all_value=".*", datasource=datasource)


def gpu_variable(datasource: DataSource = DATASOURCE, cluster_label: str | None = None,
                 gpu_source: GpuSource = GpuSource.TRITON, dcgm_pod_label: str = "pod") -> G.Template:
    """The ``gpu`` variable: Triton's ``gpu_uuid`` on the selected servers, or with the ``dcgm`` source the
    ``UUID`` of every GPU the DCGM exporter sees held by some pod (the panels then keep Triton's)."""
    outer = ((cluster_label, Var.CLUSTER.value),) if cluster_label else ()
    if gpu_source is GpuSource.DCGM:
        return label_variable(Var.GPU.value, "GPU", m.DCGM_FB_USED, "UUID", filters=outer, datasource=datasource,
                              fixed=((dcgm_pod_label, ".+"),))
    scope = (*outer, ("job", Var.JOB.value), ("instance", Var.INSTANCE.value))
    return label_variable(Var.GPU.value, "GPU", m.GPU_MEMORY_TOTAL, "gpu_uuid", filters=scope, datasource=datasource)


def triton_variables(datasource: DataSource = DATASOURCE, cluster_label: str | None = None, *,
                     profile: Profile | None = None) -> list[G.Template]:
    """datasource, (cluster,) job, instance, model, version and gpu, each narrowing the next.

    From a ``profile``: its cluster label, and its ``job`` and ``probe_job`` regexes narrow the job and
    probe-job lists. The names are :class:`~triton_dash.selector.Var`'s, the ones the matchers use.
    """
    if profile is not None:
        cluster_label = cluster_label or profile.cluster_label
    job = (("job", profile.job),) if profile is not None and profile.job is not None else ()
    probe_job = (("job", profile.probe_job),) if profile is not None and profile.probe_job is not None else ()
    req = m.INFERENCE_REQUEST_SUCCESS
    outer = ((cluster_label, Var.CLUSTER.value),) if cluster_label else ()
    scope = (*outer, ("job", Var.JOB.value), ("instance", Var.INSTANCE.value))
    return [
        datasource_variable(),
        *([cluster_variable(cluster_label, req, datasource)] if cluster_label else []),
        # No allValue: "All" must mean the jobs that serve Triton, or ``up`` counts every target.
        label_variable(Var.JOB.value, "Job", req, "job", filters=outer, all_value=None, datasource=datasource,
                       fixed=job),
        label_variable(Var.INSTANCE.value, "Instance", req, "instance", filters=scope[:-1], all_value=".+",
                       datasource=datasource),
        label_variable(Var.MODEL.value, "Model", req, "model", filters=scope, datasource=datasource),
        label_variable(Var.VERSION.value, "Version", req, "version", filters=(*scope, ("model", Var.MODEL.value)),
                       datasource=datasource),
        gpu_variable(datasource, cluster_label, profile.gpu_source if profile else GpuSource.TRITON,
                     profile.dcgm_pod_label if profile else "pod"),
        # Health probes have their own scrape job (the blackbox exporter's).
        label_variable(Var.PROBE_JOB.value, "Probe job", m.PROBE_SUCCESS, "job", filters=outer, all_value=".+",
                       datasource=datasource, fixed=probe_job),
    ]
