"""The "Triton LLM serving" dashboard: time to first response, vLLM and TensorRT-LLM.

    from triton_dash.dashboards import triton_llm
    dashboard = triton_llm()                 # a grafanalib Dashboard

One row per source: Triton core's first-response histogram (any backend), the
vLLM backend's histograms and token counters, the TensorRT-LLM backend's engine
gauges and token histograms. A row whose backend a server does not run simply
shows "no data", with the reason in each panel's description.

The heatmaps repeat once per selected model (models' bucket layouts differ);
the ``model`` variable lists only the models that report an LLM family, so a
fleet of many non-LLM models does not get a heatmap per model.
"""

from __future__ import annotations

import grafanalib.core as G

from .. import metrics as m
from .. import panels as p
from ..panels import DATASOURCE, DataSource
from ..profile import Profile
from ..selector import DEFAULT_SELECTOR, Selector
from .layout import default_dashboard, panel_scope, resolve_profile
from .variables import triton_variables

__all__ = ["TRITON_LLM_UID", "triton_llm"]

TRITON_LLM_UID = "triton-llm"


def triton_llm(
    *, selector: Selector = DEFAULT_SELECTOR, datasource: DataSource = DATASOURCE,
    title: str = "Triton LLM serving", uid: str = TRITON_LLM_UID, profile: Profile | None = None,
    recording_rules: bool = False, cluster_label: str | None = None,
) -> G.Dashboard:
    """Time to first response, vLLM latency and tokens, TensorRT-LLM requests, KV cache and tokens.

    With ``recording_rules`` the histogram and token panels read the recorded
    rates of ``triton-dash rules`` (the instance variable then does not filter
    them); the TensorRT-LLM gauges always read raw series.
    """
    profile = resolve_profile(profile, recording_rules=recording_rules, cluster_label=cluster_label)
    kw = panel_scope(selector, datasource, profile)
    rows = [
        G.RowPanel(title="Time to first response (Triton core)", panels=[
            p.first_response_time(**kw), p.first_response_heatmap(**kw),
        ]),
        G.RowPanel(title="vLLM backend", panels=[
            p.vllm_time_to_first_token(**kw), p.vllm_time_per_output_token(**kw), p.vllm_e2e_latency(**kw),
            p.vllm_token_throughput(**kw), p.vllm_token_length_heatmap(**kw),
            p.vllm_token_length_heatmap(**kw, generated=True),
        ]),
        G.RowPanel(title="TensorRT-LLM backend", panels=[
            p.trtllm_requests(**kw), p.trtllm_kv_cache_used_ratio(**kw, width=12),
            p.trtllm_kv_cache_blocks(**kw), p.trtllm_runtime_memory(**kw), p.trtllm_inflight_batcher(**kw),
            p.trtllm_token_throughput(**kw, width=12), p.trtllm_token_lengths(**kw, width=12),
            p.trtllm_token_length_heatmap(**kw, width=12), p.trtllm_token_length_heatmap(**kw, output=True, width=12),
        ]),
    ]
    return default_dashboard(
        title=title, uid=uid,
        description="LLM serving on NVIDIA Triton Inference Server: time to first response from Triton core's "
                    "histogram, vLLM's latency histograms and token counters, TensorRT-LLM's engine requests, "
                    "KV cache, memory and token lengths. Built by triton_dash."
                    + (" Histogram and token panels read triton_dash's recording rules; the instance variable "
                       "does not filter them." if profile.recording_rules else ""),
        tags=["triton", "llm"],
        panels=rows,
        variables=[_llm_model_variable(var, profile.cluster_label) if var.name == "model" else var
                   for var in triton_variables(datasource, profile=profile)],
    )


#: The families that say a model serves an LLM: the model variable lists the models that report one.
LLM_FAMILIES = (m.FIRST_RESPONSE_HISTOGRAM.part("_count"), m.VLLM_TIME_TO_FIRST_TOKEN.part("_count"),
                m.VLLM_REQUEST_PROMPT_TOKENS.part("_count"), m.TRTLLM_INPUT_TOKEN_LEN.part("_count"),
                m.TRTLLM_OUTPUT_TOKEN_LEN.part("_count"), m.TRTLLM_REQUESTS)


def _llm_model_variable(model: G.Template, cluster_label: str | None) -> G.Template:
    """The model variable over the models that report an LLM family (not every model of the fleet)."""
    names = "|".join(family.name for family in LLM_FAMILIES)
    scope = ", ".join([*([f'{cluster_label}=~"$cluster"'] if cluster_label else []), 'job=~"$job"',
                       'instance=~"$instance"'])
    return G.Template(
        name=model.name, label=model.label, type="query",
        query=f'label_values({{__name__=~"{names}", {scope}}}, model)', dataSource=model.dataSource,
        includeAll=True, multi=True, allValue=model.allValue, default=model.default, refresh=model.refresh,
        sort=model.sort)
