"""Why a query returns nothing: relax it step by step, as pint's series check does, with Triton's facts.

For each selector of an empty query, in order:

1. the family was never seen in the look-back window: which backend, release and
   switch provide it (from the metric catalogue), or that Triton removed it; a family
   that is optional (behind a switch, or another exporter's or backend's: LLM backends,
   DCGM, cAdvisor, probes, summaries, recording rules) is ``not-enabled``, not a problem;
2. it was seen, but not any more: when it was last seen;
3. it exists now, but a matcher excludes every series: which matcher, and which
   values of that label exist (``job`` is ``triton-server``, not ``triton``);
4. every selector has series, but a rate window holds fewer than two samples:
   the real scrape interval and the window to use;
5. every selector has series and every rate is 0: the model is idle (fine).

DCGM exporter families (the ``dcgm`` GPU source) get their own rungs: a pod label
no series carries (``exported_pod`` behind ``honorLabels: true``, or no
Kubernetes mode), and a join that finds no Triton pod among the pods holding
GPUs (which pods hold GPUs, which pods the Triton targets are).

    verdict = diagnose(client, "rate(x{job=~\\"triton\\"}[1m])", at=t, lookback=86400)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone

from ..analysis.promql import RANGE_FUNCTIONS, SelectorUse, parse, selectors
from ..metrics import ALERTS, BACKENDS, DCGM_NAMESPACE_LABEL, UP, Metric, identify, lookup, removed
from ..prometheus.client import PrometheusClient

__all__ = ["ALWAYS_THERE", "LIVE_WINDOW", "NOT_ENABLED", "TRITON_SOURCES", "Verdict", "diagnose", "human_duration",
           "optional"]

#: A series counts as present if it had a sample this recently (Prometheus' default look-back delta).
LIVE_WINDOW = "5m"
_MAX_VALUES = 8
#: The status of a family never seen that needs a switch or another exporter: not a problem.
NOT_ENABLED = "not-enabled"
#: Sources whose families a working Triton and Prometheus always have (unless a catalogue switch says otherwise).
ALWAYS_THERE = frozenset({"triton", "prometheus"})
#: Sources whose families a Triton scrape target exposes (a down Triton target explains their absence).
TRITON_SOURCES = frozenset({"triton", "vllm", "tensorrt_llm"})


@dataclass(frozen=True)
class Verdict:
    status: str  # idle, not-enabled or no-data
    hint: str
    #: The hint without what is particular to one query (the family's name), so that panels with the same
    #: cause are reported together; the hint itself when there is nothing to take out.
    cause: str = ""


def human_duration(seconds: float) -> str:
    seconds = max(0.0, seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.3g}{unit}"
    return f"{seconds:.3g}s"


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _selector(name: str, matchers: dict[str, tuple[str, str]], skip: str | None = None) -> str:
    parts = [f'{k}{op}"{_escape(v)}"' for k, (op, v) in matchers.items() if k not in ("__name__", skip)]
    return f'{{__name__="{name}", {", ".join(parts)}}}' if parts else f'{{__name__="{name}"}}'


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _present(client: PrometheusClient, selector: str, at: float, window: str = LIVE_WINDOW) -> float:
    return client.scalar(f"count(last_over_time({selector}[{window}]))", at)


def optional(name: str) -> Metric | None:
    """The family, when it is optional: behind a switch, or another backend's or exporter's; None otherwise."""
    metric = identify(name)
    if metric is None or (metric.source in ALWAYS_THERE and not metric.enable):
        return None
    return metric


def _not_enabled(metric: Metric, name: str, lookback: str) -> str:
    switch = "" if metric.enable else f" Optional: only where {BACKENDS.get(metric.source, metric.source)} is there."
    return (f"{name}: not enabled here (no series in the last {lookback}). {metric.no_data_hint(named=False)}"
            f"{switch}")


def _never_seen(name: str, lookback: str) -> str:
    replacement = removed(name)
    if replacement:
        return f"{name} was removed in Triton 20.06 and never has data; use {replacement}"
    metric = lookup(name)
    if metric is not None:
        return f"{name}: no series at all in the last {lookback}. {metric.no_data_hint(named=False)}"
    return (f"{name}: Prometheus has no series of this name in the last {lookback}: is its exporter scraped, "
            "and is the name right?")


def _last_seen(client: PrometheusClient, name: str, at: float, lookback_s: float) -> float | None:
    step = max(15.0, lookback_s / 240)
    series = client.query_range_all(f'max(timestamp({{__name__="{name}"}}))', at - lookback_s, at, step)
    seen = [v for _, values in series for _, v in values if not math.isnan(v)]
    return max(seen) if seen else None  # the newest sample's own time, not the end of its look-back


def _matcher_culprit(client: PrometheusClient, use: SelectorUse, at: float) -> str:
    for label, (op, value) in use.matchers.items():
        if label == "__name__" or _present(client, _selector(use.name, use.matchers, skip=label), at) == 0:
            continue
        others = _selector(use.name, use.matchers, skip=label)
        found = client.query(f"count by ({label}) (last_over_time({others}[{LIVE_WINDOW}]))", at)
        values = sorted({labels.get(label, "") for labels, _ in found})
        if values == [""] and _is_dcgm(use.name) and label in DCGM_NAMESPACE_LABEL:
            return _no_pod_label(use.name, label)
        if values == [""]:
            return f"no series of {use.name} carries the label {label}, but the query needs {label}{op}\"{value}\""
        shown = ", ".join(v or '""' for v in values[:_MAX_VALUES]) + (" ..." if len(values) > _MAX_VALUES else "")
        what = f"set the {label} variable to one of them" if label in ("job", "instance", "model", "version") \
            else "fix the matcher"
        return (f'{label}{op}"{value}" matches none of the {label} values {use.name} has now: {shown}; {what} '
                f"(or --set {label}=...)")
    return (f"no series of {use.name} matches all of {_selector(use.name, use.matchers)} together; "
            "relax the selection")


def _is_dcgm(name: str) -> bool:
    metric = lookup(name)
    return metric is not None and metric.source == "dcgm"


def _no_pod_label(name: str, label: str) -> str:
    others = " or ".join(repr(k) for k in DCGM_NAMESPACE_LABEL if k != label)
    return (f"no series of {name} carries the label {label}: the DCGM exporter's pod is stored elsewhere "
            f"(honorLabels: true keeps 'pod', the shipped ServiceMonitors' false gives 'exported_pod'; set "
            f"dcgm_pod_label to {others}), or the exporter is not in Kubernetes mode (--kubernetes, "
            "DCGM_EXPORTER_KUBERNETES=true), or no pod holds a GPU")


def _shown(values: list[str]) -> str:
    return ", ".join(values[:_MAX_VALUES]) + (" ..." if len(values) > _MAX_VALUES else "") if values else "none"


def _dcgm_join(client: PrometheusClient, uses: list[SelectorUse], at: float) -> str | None:
    """Why DCGM series and Triton's targets share no (namespace, pod): which pods hold GPUs, which are Triton's."""
    dcgm = next((u for u in uses if _is_dcgm(u.name) and set(u.matchers) & set(DCGM_NAMESPACE_LABEL)), None)
    triton = next((u for u in uses if u.name == UP.name), None)
    if dcgm is None or triton is None:
        return None
    pod = next(k for k in dcgm.matchers if k in DCGM_NAMESPACE_LABEL)
    namespace = DCGM_NAMESPACE_LABEL[pod]
    held = client.query(f"count by ({namespace}, {pod}) (last_over_time({_selector(dcgm.name, dcgm.matchers)}"
                        f"[{LIVE_WINDOW}]))", at)
    served = client.query(f"count by (namespace, pod) (last_over_time({_selector(UP.name, triton.matchers)}"
                          f"[{LIVE_WINDOW}]))", at)
    gpu_pods = sorted({f"{labels.get(namespace, '')}/{labels.get(pod, '')}" for labels, _ in held})
    triton_pods = sorted({f"{labels.get('namespace', '')}/{labels.get('pod', '')}" for labels, _ in served})
    if triton_pods == ["/"]:
        return ("the selected Triton targets carry no pod and namespace labels, so no DCGM series can be "
                "attributed to them: the dcgm GPU source needs Kubernetes service discovery (ServiceMonitor or "
                "PodMonitor) on Triton's scrape")
    return (f"{dcgm.name} attributes GPUs to the pods {_shown(gpu_pods)} ({namespace}/{pod}), none of them a "
            f"selected Triton target's pod ({_shown(triton_pods)}): if the DCGM exporter's own pod is listed, "
            "its ServiceMonitor has honorLabels: false, so set dcgm_pod_label='exported_pod'; otherwise no "
            "Triton pod holds a GPU the exporter sees")


def _ladder(client: PrometheusClient, use: SelectorUse, at: float, lookback: str,
            lookback_s: float) -> tuple[str, str]:
    """(status, hint) for a selector with no series now."""
    bare = f'{{__name__="{use.name}"}}'
    if _present(client, bare, at, lookback) == 0:
        metric = optional(use.name)
        if metric:
            return NOT_ENABLED, _not_enabled(metric, use.name, lookback)
        return "no-data", _never_seen(use.name, lookback)
    if _present(client, bare, at) == 0:
        last = _last_seen(client, use.name, at, lookback_s)
        when = f" at {_iso(last)} ({human_duration(at - last)} before)" if last else ""
        return "no-data", (f"{use.name} was last seen{when}: the server, the model or the switch that produced it "
                           "went away")
    return "no-data", _matcher_culprit(client, use, at)


def _window_problem(client: PrometheusClient, use: SelectorUse, at: float) -> str | None:
    if use.function not in RANGE_FUNCTIONS or not use.window:
        return None
    sel = _selector(use.name, use.matchers)
    samples = client.scalar(f"max(count_over_time({sel}[{int(use.window)}s]))", at)
    if samples >= 2:
        return None
    per_10m = client.scalar(f"max(count_over_time({sel}[10m]))", at)
    interval = 600 / (per_10m - 1) if per_10m > 1 else math.nan  # both ends of the range hold a sample
    window = f"{use.function}({use.name}[{human_duration(use.window)}]) holds fewer than 2 samples"
    if math.isnan(interval):
        return (f"{window}: the target is scraped less than once per 5m (at most one sample in the last 10m); "
                "use a window of at least 2 scrapes, e.g. $__rate_interval with the datasource's scrape interval "
                "set to the real one")
    return (f"{window}: the target is scraped every ~{human_duration(interval)}; use a window of at least 2 "
            f"scrapes ({human_duration(4 * interval)} is safe), e.g. $__rate_interval with the datasource's scrape "
            "interval set to the real one")


def _general(hint: str, name: str) -> str:
    """The cause shared by panels whose queries read other families: "job=~"" matches none of the job values
    that exist now: ..." instead of "... the job values nv_inference_count has now: ..."."""
    general = hint.replace(f"values {name} has now", "values that exist now")
    if general.startswith(f"{name} was last seen"):
        general = "the families were last seen" + general[len(f"{name} was last seen"):]
    if general.startswith(f"{name}: not enabled here"):
        general = general[len(f"{name}: "):]
    return general


def diagnose(client: PrometheusClient, expr: str, *, at: float, lookback: str, lookback_s: float) -> Verdict:
    """The reason an (expanded) expression returned nothing at ``at``."""
    uses = list(selectors(parse(expr)))
    switched_off: Verdict | None = None
    for use in uses:
        if _present(client, _selector(use.name, use.matchers), at) == 0:
            if use.name == ALERTS.name:  # ALERTS has series only while an alert is pending or firing
                switched_off = switched_off or Verdict(
                    "idle", "no alert of this selection is pending or firing now (ALERTS is empty then; fine)")
                continue
            status, hint = _ladder(client, use, at, lookback, lookback_s)
            if status == NOT_ENABLED:
                switched_off = switched_off or Verdict(status, hint, _general(hint, use.name))
                continue  # another selector may have a real problem
            return Verdict(status, hint, _general(hint, use.name))
    if switched_off:
        return switched_off  # not-enabled (or idle: no alert) unless another selector had a real problem
    for use in uses:
        problem = _window_problem(client, use, at)
        if problem:
            return Verdict("no-data", problem)
    join = _dcgm_join(client, uses, at)
    if join:
        return Verdict("no-data", join)
    rated = [u for u in uses if u.function in RANGE_FUNCTIONS and u.window]
    if all(client.scalar(f"sum({u.function}({_selector(u.name, u.matchers)}[{int(u.window or 0)}s]))", at) == 0
           for u in rated):
        return Verdict("idle", "every series exists, with no traffic in the window (fine)")
    return Verdict("no-data", "every series exists, but the expression returns nothing: a binary operation matches "
                              "no label sets (on/ignoring labels?)")
