"""What every built-in panel must show for the synthetic fleet, from the fleet's parameters.

The oracle works on the *meaning* of each number (total queue time over total
requests, items over executions), not on counters or PromQL, so a query that
aggregates wrongly disagrees with it. Keys are ``(dashboard stem, panel title,
refId)``; a target without an entry cannot be judged and fails its test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .synthetic import FLEET, JOB, REASONS, SUMMARY_FAMILIES, Fleet, ModelTraffic

Labels = frozenset[tuple[str, str]]
Expected = dict[Labels, float]
Traffic = Sequence[ModelTraffic]
Oracle = Callable[[Fleet, Mapping[str, str]], Expected]


def labels(**kw: str) -> Labels:
    return frozenset(kw.items())


def _ratio(num: float, den: float) -> float | None:
    return None if den == 0 else num / den


def _sum(ts: Traffic, fn: Callable[[ModelTraffic], float]) -> float:
    return sum(fn(t) for t in ts)


# --- per-request semantics over a set of model-instances ---------------------------------------

def request_time(ts: Traffic) -> float | None:
    return _ratio(_sum(ts, lambda t: t.success * t.request_s), _sum(ts, lambda t: t.success))


def queue_time(ts: Traffic) -> float | None:
    return _ratio(_sum(ts, lambda t: t.success * t.queue_s), _sum(ts, lambda t: t.success))


def compute_time(attr: str) -> Callable[[Traffic], float | None]:
    """Per executed request: cache hits spend no compute time and are not counted."""
    return lambda ts: _ratio(_sum(ts, lambda t: t.executed * getattr(t, attr)), _sum(ts, lambda t: t.executed))


def phase_share(attr: str) -> Callable[[Traffic], float | None]:
    """A compute phase's share of the average request (all successes in the denominator)."""
    return lambda ts: _ratio(_sum(ts, lambda t: t.executed * getattr(t, attr)), _sum(ts, lambda t: t.success))


def overhead(ts: Traffic) -> float | None:
    def rest(t: ModelTraffic) -> float:
        return t.success * (t.request_s - t.queue_s) - t.executed * (t.input_s + t.infer_s + t.output_s)

    spent = _sum(ts, rest)
    return _ratio(spent, _sum(ts, lambda t: t.success))


def error_ratio(ts: Traffic) -> float | None:
    failed = _sum(ts, lambda t: sum(t.failures.values()))
    return _ratio(failed, failed + _sum(ts, lambda t: t.success))


def batch_size(ts: Traffic) -> float | None:
    return _ratio(_sum(ts, lambda t: t.inference_rate), _sum(ts, lambda t: t.execution_rate))


def requests_per_execution(ts: Traffic) -> float | None:
    return _ratio(_sum(ts, lambda t: t.executed), _sum(ts, lambda t: t.execution_rate))


def cache_hit_ratio(ts: Traffic) -> float | None:
    if all(t.cache_hits is None for t in ts):
        return None  # no cache series at all
    return _ratio(_sum(ts, lambda t: t.cache_hits or 0.0), _sum(ts, lambda t: t.success))


def rate_of(attr: str) -> Callable[[Traffic], float]:
    return lambda ts: _sum(ts, lambda t: float(getattr(t, attr)))


# --- grouping ----------------------------------------------------------------------------------

def _keep(out: Expected, key: Labels, value: float | None) -> None:
    if value is not None:
        out[key] = value


def per_model(fn: Callable[[Traffic], float | None], suffix: Iterable[tuple[str, str]] = ()) -> Oracle:
    def oracle(fleet: Fleet, _: Mapping[str, str]) -> Expected:
        out: Expected = {}
        for model, version in fleet.models():
            ts = [t for t in fleet.traffic if (t.model, t.version) == (model, version)]
            _keep(out, labels(model=model, version=version) | frozenset(suffix), fn(ts))
        return out
    return oracle


def overall(fn: Callable[[Traffic], float | None]) -> Oracle:
    def oracle(fleet: Fleet, _: Mapping[str, str]) -> Expected:
        out: Expected = {}
        _keep(out, labels(), fn(list(fleet.traffic)))
        return out
    return oracle


def traffic_share(fleet: Fleet, _: Mapping[str, str]) -> Expected:
    out: Expected = {}
    for model, version in fleet.models():
        mine = _sum([t for t in fleet.traffic if (t.model, t.version) == (model, version)], lambda t: t.success)
        total = _sum([t for t in fleet.traffic if t.model == model], lambda t: t.success)
        _keep(out, labels(model=model, version=version), _ratio(mine, total))
    return out


def failures_by_reason(fleet: Fleet, _: Mapping[str, str]) -> Expected:
    out: Expected = {}
    for model, version in fleet.models():
        ts = [t for t in fleet.traffic if (t.model, t.version) == (model, version)]
        for reason in REASONS:
            out[labels(model=model, version=version, reason=reason)] = _sum(ts, lambda t, r=reason: t.failure(r))
    return out


def quantiles(family: str, quantile: str) -> Oracle:
    def oracle(fleet: Fleet, _: Mapping[str, str]) -> Expected:
        out: Expected = {}
        for t in fleet.traffic:
            value = t.summaries.get(family, {}).get(quantile)
            if value is not None and value == value:  # NaN quantiles are dropped
                out[labels(model=t.model, version=t.version, instance=t.instance)] = value
        return out
    return oracle


def per_gpu(attr: str, divide_by: str | None = None) -> Oracle:
    def oracle(fleet: Fleet, _: Mapping[str, str]) -> Expected:
        return {labels(gpu_uuid=g.uuid): getattr(g, attr) / (getattr(g, divide_by) if divide_by else 1)
                for g in fleet.gpus}
    return oracle


def gpu_pie(part: str) -> Oracle:
    def oracle(fleet: Fleet, chosen: Mapping[str, str]) -> Expected:
        gpus = [g for g in fleet.gpus if g.uuid == chosen["gpu"]]
        used = sum(g.memory_used for g in gpus)
        return {labels(): used if part == "used" else sum(g.memory_total for g in gpus) - used}
    return oracle


def per_host(attr: str) -> Oracle:
    def oracle(fleet: Fleet, _: Mapping[str, str]) -> Expected:
        return {labels(instance=h.instance): getattr(h, attr) for h in fleet.hosts}
    return oracle


def targets(what: str, jobs: Callable[[Fleet], set[str]], by_job: bool = False) -> Oracle:
    def value(ts: list[float]) -> float:
        return {"up": sum(ts), "down": sum(1 - u for u in ts), "configured": float(len(ts)),
                "duration": max(ts)}[what]

    def oracle(fleet: Fleet, _: Mapping[str, str]) -> Expected:
        chosen = [t for t in fleet.targets if t.job in jobs(fleet)]
        pick = (lambda t: t.scrape_duration) if what == "duration" else (lambda t: t.up)
        if not by_job:
            return {labels(): value([pick(t) for t in chosen])}
        return {labels(job=job): value([pick(t) for t in chosen if t.job == job]) for job in jobs(fleet)}
    return oracle


def triton_jobs(_: Fleet) -> set[str]:
    return {JOB}  # the job variable lists jobs with Triton series


def all_jobs(fleet: Fleet) -> set[str]:
    return {t.job for t in fleet.targets}


def constant(values: Mapping[Labels, float]) -> Oracle:
    return lambda fleet, chosen: dict(values)


def _models_serving(fleet: Fleet, _: Mapping[str, str]) -> Expected:
    return {labels(): float(len(fleet.models()))}


def _breakdown(stem: str, title: str, by_model: bool) -> dict[tuple[str, str, str], Oracle]:
    group = per_model if by_model else overall
    return {
        (stem, title, "A"): group(queue_time),
        (stem, title, "B"): group(phase_share("input_s")),
        (stem, title, "C"): group(phase_share("infer_s")),
        (stem, title, "D"): group(phase_share("output_s")),
        (stem, title, "E"): group(overhead),
    }


OV, ST = "triton-overview", "triton-stack"
REQUEST_Q, INFER_Q = SUMMARY_FAMILIES

ORACLES: dict[tuple[str, str, str], Oracle] = {
    # Service health
    (OV, "Targets up", "A"): targets("up", triton_jobs),
    (OV, "Targets down", "A"): targets("down", triton_jobs),
    (OV, "Model versions", "A"): _models_serving,
    (OV, "Requests/s (all models)", "A"): overall(rate_of("success")),
    (OV, "Error ratio (all models)", "A"): overall(error_ratio),
    (OV, "Pending requests (all models)", "A"): overall(rate_of("pending")),
    # Readiness
    (OV, "Endpoints not ready", "A"): lambda fleet, _: {
        labels(): sum(1 - success for success, _ in fleet.probes.values())} if fleet.probes else {},
    (OV, "Probe success by endpoint", "A"): lambda fleet, _: {
        labels(instance=url): float(success) for url, (success, _) in fleet.probes.items()},
    (OV, "Probe duration", "A"): lambda fleet, _: {
        labels(instance=url): seconds for url, (_, seconds) in fleet.probes.items()},
    # Latency per request
    (OV, "Request time per request", "A"): per_model(request_time),
    (OV, "Queue time per request", "A"): per_model(queue_time),
    (OV, "Inference time per request", "A"): per_model(compute_time("infer_s")),
    (OV, "Input time per request", "A"): per_model(compute_time("input_s")),
    (OV, "Output time per request", "A"): per_model(compute_time("output_s")),
    **_breakdown(OV, "Aggregated latency per request", by_model=False),
    **_breakdown(OV, "Aggregated latency per request, by model", by_model=True),
    (OV, "Request time quantiles", "A"): quantiles(REQUEST_Q, "0.5"),
    (OV, "Request time quantiles", "B"): quantiles(REQUEST_Q, "0.9"),
    (OV, "Request time quantiles", "C"): quantiles(REQUEST_Q, "0.99"),
    (OV, "Inference time quantiles", "A"): quantiles(INFER_Q, "0.5"),
    (OV, "Inference time quantiles", "B"): quantiles(INFER_Q, "0.9"),
    (OV, "Inference time quantiles", "C"): quantiles(INFER_Q, "0.99"),
    # Throughput and batching
    (OV, "Successful requests/s", "A"): per_model(rate_of("success")),
    (OV, "Failed requests/s by reason", "A"): failures_by_reason,
    (OV, "Error ratio", "A"): per_model(error_ratio),
    (OV, "Inferences/s", "A"): per_model(rate_of("inference_rate")),
    (OV, "Executions/s", "A"): per_model(rate_of("execution_rate")),
    (OV, "Batch ratio", "A"): per_model(batch_size),
    (OV, "Batch ratio", "B"): per_model(requests_per_execution),
    (OV, "Pending requests", "A"): per_model(rate_of("pending")),
    # Versions
    (OV, "Traffic share by version", "A"): traffic_share,
    (OV, "Error ratio by version", "A"): per_model(error_ratio),
    (OV, "Request time by version", "A"): per_model(request_time),
    # GPU
    (OV, "GPU memory $gpu", "A"): gpu_pie("used"),
    (OV, "GPU memory $gpu", "B"): gpu_pie("free"),
    (OV, "GPU utilization", "A"): per_gpu("utilization"),
    (OV, "GPU memory used", "A"): per_gpu("memory_used", "memory_total"),
    (OV, "GPU power vs limit", "A"): per_gpu("power"),
    (OV, "GPU power vs limit", "B"): per_gpu("power_limit"),
    (OV, "GPU average power (from energy)", "A"): per_gpu("power"),
    # CPU and memory
    (OV, "Host CPU utilization", "A"): per_host("cpu"),
    (OV, "Host memory", "A"): per_host("memory_used"),
    (OV, "Host memory", "B"): per_host("memory_total"),
    (OV, "Pinned memory pool", "A"): per_host("pinned_used"),
    (OV, "Pinned memory pool", "B"): per_host("pinned_total"),
    # Response cache
    (OV, "Response cache hit ratio", "A"): per_model(cache_hit_ratio),
    (OV, "Response cache used", "A"): lambda fleet, _: {
        labels(): max(h.cache_util for h in fleet.hosts if h.cache_util is not None)}
    if any(h.cache_util is not None for h in fleet.hosts) else {},
    # Monitoring stack
    (ST, "Targets up", "A"): targets("up", all_jobs),
    (ST, "Targets down", "A"): targets("down", all_jobs),
    (ST, "Scrape targets up", "A"): targets("up", all_jobs, by_job=True),
    (ST, "Scrape targets up", "B"): targets("configured", all_jobs, by_job=True),
    (ST, "Scrape duration", "A"): targets("duration", all_jobs, by_job=True),
    (ST, "Prometheus active series", "A"): lambda fleet, _: {
        labels(instance=k): v for k, v in fleet.head_series.items()},
    (ST, "Prometheus samples appended/s", "A"): lambda fleet, _: {
        labels(instance="localhost:9090"): sum(fleet.samples_appended.values())} if fleet.samples_appended else {},
    (ST, "Container CPU", "A"): lambda fleet, _: {labels(name=k): v for k, v in fleet.container_cpu.items() if k},
    (ST, "Container memory", "A"): lambda fleet, _: {
        labels(name=k): v for k, v in fleet.container_memory.items() if k},
}


def _llm_oracles() -> dict[tuple[str, str, str], Oracle]:
    from .oracle_llm import LLM_ORACLES  # it builds on the helpers above

    return LLM_ORACLES


ORACLES.update(_llm_oracles())


#: Dashboards whose known answers need their own scenario (not this fleet), and the test that has it.
OWN_SCENARIO: dict[str, str] = {"triton-slo": "tests/test_slo_dashboard.py (SLO rules backfilled in two passes)"}


def fleet_dashboards(dashboards: Mapping[str, Any]) -> dict[str, Any]:
    """The dashboards this fleet's oracles answer for: all but :data:`OWN_SCENARIO`'s."""
    return {stem: doc for stem, doc in dashboards.items() if stem not in OWN_SCENARIO}


def expected(stem: str, title: str, ref_id: str, chosen: Mapping[str, str], fleet: Fleet = FLEET) -> Expected:
    key = (stem, title, ref_id)
    if key not in ORACLES:
        raise LookupError(f"no known answer for {key}: add a scenario and an oracle in tests/support/oracle.py")
    return ORACLES[key](fleet, chosen)
