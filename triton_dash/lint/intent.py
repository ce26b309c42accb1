"""What a dashboard target means to show, recognised from its metrics, its panel's title and unit.

``lint --fix`` rewrites a wrong target only when it can tell what number the
panel wants: "Queue Time (milliseconds)" over ``nv_inference_queue_duration_us``
wants the queue time per request, whatever the expression got wrong. The
answer is an :class:`Intent`: the meaning, the series the target selects (a
:class:`~triton_dash.selector.Selector` built from the target's own matchers
and variables) and its grouping. :meth:`Intent.expression` writes the number
with the project's own query functions.

    >>> intent = recognise("rate(nv_inference_queue_duration_us[30s]) / 1000",
    ...                    title="Queue Time (milliseconds)", unit="ms", legend="{{model}}")
    >>> intent.meaning.name, intent.by, intent.unit
    ('QUEUE_TIME', ('model',), 's')
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import promql_parser as pp

from .. import metrics as m
from .. import queries as q
from ..analysis.promql import Node, SelectorUse, aggregation_labels, binary_op, function_name, parse, selectors, walk
from ..analysis.variables import UnexpandedVariable, expand, regex_escape
from ..metrics import Metric, MetricKind, identify
from ..queries.llm import MS_PER_S
from ..selector import MODEL_GROUPING, Selector

__all__ = ["TIME_UNITS", "Intent", "Meaning", "is_ratio", "panel_unit", "recognise", "restore_placeholders",
           "with_placeholders"]

#: Grafana units that show a time.
TIME_UNITS = frozenset({"ns", "µs", "us", "ms", "s", "m", "h", "d", "dtdurations", "dtdurationms", "clocks"})
PERCENT_UNITS = frozenset({"percent", "percentunit"})
_TIME_WORDS = re.compile(r"\b(time|latency|latencies|duration|delay|wait)\b", re.IGNORECASE)
_PER_SECOND_WORDS = re.compile(r"(/\s*s\b|per second|\brate\b|throughput|\bqps\b|\brps\b)", re.IGNORECASE)
_BATCH_SIZE_WORDS = re.compile(r"batch(ing)?[\s_-]*(size|ratio)|items per (execution|batch)", re.IGNORECASE)
_PLACEHOLDER = "__tdvar_{}__"
_PLACEHOLDER_RE = re.compile(r"__tdvar_([0-9a-f]+)__")
_VARIABLE = re.compile(r"\$\{([A-Za-z_][\w.]*)(?::[^}]*)?\}|\$([A-Za-z_]\w*)|\[\[([A-Za-z_]\w*)(?::[^\]]*)?\]\]")
_SELECTOR_LABELS = {"job": "job", "instance": "instance", "model": "model", "version": "version", "gpu_uuid": "gpu"}
_NOT_SELECTION = {"__name__", "le", "quantile"}
#: Labels that name the model: Triton's (model, version), upstream vLLM's model_name.
_MODEL_LABELS = ("model", "version", "model_name")


class Meaning(enum.Enum):
    """The numbers ``lint --fix`` can write, each with the unit that matches it."""

    REQUEST_TIME = ("request time per request", "s")
    QUEUE_TIME = ("queue time per request", "s")
    COMPUTE_INPUT_TIME = ("input time per executed request", "s")
    COMPUTE_INFER_TIME = ("inference time per executed request", "s")
    COMPUTE_OUTPUT_TIME = ("output time per executed request", "s")
    COMPUTE_TIME = ("compute time per executed request", "s")
    LOAD_RATIO = ("request time over compute time", "short")
    BATCH_SIZE = ("inferences per execution", "short")
    REQUESTS_PER_EXECUTION = ("requests per execution", "short")
    ERROR_RATIO = ("failed / all requests", "percentunit")
    SUCCESS_RATE = ("successful requests per second", "reqps")
    INFERENCE_RATE = ("inferences per second", "short")
    EXECUTION_RATE = ("executions per second", "short")
    PENDING_REQUESTS = ("pending requests", "short")
    GPU_UTILIZATION = ("GPU utilisation, 0-1", "percentunit")
    GPU_MEMORY_USED = ("GPU memory used", "bytes")
    GPU_MEMORY_RATIO = ("GPU memory used / total, 0-1", "percentunit")
    CPU_UTILIZATION = ("host CPU utilisation, 0-1", "percentunit")
    KV_CACHE_RATIO = ("KV-cache blocks used / max, 0-1", "percentunit")
    HISTOGRAM_QUANTILE = ("a quantile of merged histogram buckets", "")
    TOKEN_RATE = ("tokens per second", "short")
    CATEGORY_GAUGE = ("a backend gauge, one series per category", "")

    @property
    def text(self) -> str:
        return self.value[0]

    @property
    def default_unit(self) -> str:
        return self.value[1]


_TIMES: dict[str, Meaning] = {
    m.INFERENCE_REQUEST_DURATION.name: Meaning.REQUEST_TIME,
    m.INFERENCE_QUEUE_DURATION.name: Meaning.QUEUE_TIME,
    m.INFERENCE_COMPUTE_INPUT_DURATION.name: Meaning.COMPUTE_INPUT_TIME,
    m.INFERENCE_COMPUTE_INFER_DURATION.name: Meaning.COMPUTE_INFER_TIME,
    m.INFERENCE_COMPUTE_OUTPUT_DURATION.name: Meaning.COMPUTE_OUTPUT_TIME,
    "nv_inference_compute_duration_us": Meaning.COMPUTE_TIME,  # removed in 20.06
}
_LOAD_RATIO = "nv_inference_load_ratio"

Builder = Callable[[Selector, Sequence[str]], str]
_BUILDERS: dict[Meaning, Builder] = {
    Meaning.REQUEST_TIME: q.request_time_per_request,
    Meaning.QUEUE_TIME: q.queue_time_per_request,
    Meaning.COMPUTE_INPUT_TIME: q.compute_input_time_per_request,
    Meaning.COMPUTE_INFER_TIME: q.compute_infer_time_per_request,
    Meaning.COMPUTE_OUTPUT_TIME: q.compute_output_time_per_request,
    Meaning.COMPUTE_TIME: q.compute_time_per_request,
    Meaning.LOAD_RATIO: q.load_ratio,
    Meaning.BATCH_SIZE: q.batch_size,
    Meaning.REQUESTS_PER_EXECUTION: q.requests_per_execution,
    Meaning.ERROR_RATIO: q.error_ratio,
    Meaning.SUCCESS_RATE: q.success_rate,
    Meaning.INFERENCE_RATE: q.inference_rate,
    Meaning.EXECUTION_RATE: q.execution_rate,
    Meaning.PENDING_REQUESTS: q.pending_requests,
    Meaning.GPU_UTILIZATION: q.gpu_utilization,
    Meaning.GPU_MEMORY_USED: q.gpu_memory_used,
    Meaning.GPU_MEMORY_RATIO: q.gpu_memory_used_ratio,
    Meaning.CPU_UTILIZATION: q.cpu_utilization,
    Meaning.KV_CACHE_RATIO: q.kv_cache_used_ratio,
}
_DEFAULT_GROUPING: dict[Meaning, tuple[str, ...]] = {
    Meaning.GPU_UTILIZATION: ("gpu_uuid",), Meaning.GPU_MEMORY_USED: ("gpu_uuid",),
    Meaning.GPU_MEMORY_RATIO: ("gpu_uuid",), Meaning.CPU_UTILIZATION: ("instance",),
}


@dataclass(frozen=True)
class Intent:
    """A recognised target: what it means, which series, grouped how."""

    meaning: Meaning
    selector: Selector
    by: tuple[str, ...]
    metric: Metric | None = None  # the histogram or token counter, for the meanings that need one
    quantile: str = ""
    divide_by: str | None = None  # a histogram in ms is shown in s
    categories: tuple[str, ...] = ()  # the category values a category gauge keeps (none: all)

    @property
    def unit(self) -> str:
        if self.meaning is Meaning.HISTOGRAM_QUANTILE and self.metric is not None:
            return "s" if self.metric.unit in ("s", "ms") else "short"
        return self.meaning.default_unit

    def expression(self) -> str:
        """The number, written by the project's query functions."""
        if self.meaning is Meaning.HISTOGRAM_QUANTILE:
            assert self.metric is not None
            return q.histogram_quantile(self.metric, self.quantile, self.selector, self.by, divide_by=self.divide_by)
        if self.meaning is Meaning.TOKEN_RATE:
            assert self.metric is not None
            return q.token_rate(self.metric, self.selector, self.by)
        if self.meaning is Meaning.CATEGORY_GAUGE:
            assert self.metric is not None and self.metric.category_label is not None
            return q.category_gauge(self.metric, self.metric.category_label, self.categories, self.selector,
                                    tuple(label for label in self.by if label != self.metric.category_label))
        return _BUILDERS[self.meaning](self.selector, self.by)


# --- reading the target ----------------------------------------------------------------------------

def with_placeholders(expr: str, rate_interval: str = "999999s") -> str:
    """``expr`` with each template variable as a placeholder string (it must sit in a label value) and the
    macros as durations, so it parses and its matchers still say which variable they used.

    The placeholder spells the variable as written (``${ns:regex}`` stays ``${ns:regex}`` after
    :func:`restore_placeholders`).
    """
    def hide(match: re.Match[str]) -> str:
        if (match[1] or match[2] or match[3]).startswith("__"):
            return match[0]  # a Grafana macro: expand() knows it
        return _PLACEHOLDER.format(match[0].encode("utf-8").hex())

    return expand(_VARIABLE.sub(hide, expr), {}, rate_interval=rate_interval, interval="888888s", range_="777777s")


def restore_placeholders(text: str) -> str:
    """The variables of :func:`with_placeholders`, back as they were written."""
    return _PLACEHOLDER_RE.sub(lambda match: bytes.fromhex(match[1]).decode("utf-8"), text)


def _strip(node: Node) -> Node:
    while isinstance(node, pp.ParenExpr):
        node = node.expr
    return node


def _grouping(ast: Node) -> tuple[str, ...] | None:
    """The labels the result keeps: the first (outermost) aggregation's ``by``; None when it is ``without``."""
    for node, _ in walk(ast):
        labels = aggregation_labels(node)
        if labels is None:
            continue
        kind, names = labels
        if kind == "without" and names:
            return None
        return tuple(label for label in names if label != "le")
    return ()


def _selector(use: SelectorUse, drop: Sequence[str] = ()) -> Selector | None:
    """A Selector with the target's own matchers (its variables kept); None if one cannot be expressed.

    A matcher on a label the catalogue does not list for the metric (``gpu_uuid`` on a per-model
    counter) is kept as an extra matcher, so no matcher of the target is lost.
    """
    fields: dict[str, Any] = dict.fromkeys(_SELECTOR_LABELS.values())
    extra = []
    metric = identify(use.name)
    carried = set(metric.scrape_labels) | set(metric.labels) if metric else set(_SELECTOR_LABELS)
    for label, (op, value) in sorted(use.matchers.items()):
        if label in _NOT_SELECTION or label in drop:
            continue
        templated, value = bool(_PLACEHOLDER_RE.search(value)), restore_placeholders(value)
        if label in _SELECTOR_LABELS and label in carried and op in ("=", "=~"):
            fields[_SELECTOR_LABELS[label]] = value if op == "=~" or templated else regex_escape(value)
        else:
            extra.append((label, op, value))
    try:
        return Selector(**fields, extra=tuple(extra))
    except ValueError:
        return None


def _numerator_names(ast: Node) -> set[str]:
    divided = {id(n.rhs) for n, _ in walk(ast) if binary_op(n) == "/"}
    out: set[str] = set()

    def visit(node: Node) -> None:
        if id(node) in divided:
            return
        if isinstance(node, pp.VectorSelector):
            out.add(str(node.name or ""))
        for child in _children(node):
            visit(child)

    visit(ast)
    return out


def _children(node: Node) -> list[Node]:
    from ..analysis.promql import children

    return list(children(node))


def _says_time(title: str, unit: str) -> bool:
    return (unit in TIME_UNITS or bool(_TIME_WORDS.search(title))) and not _PER_SECOND_WORDS.search(title)


def _quantile(ast: Node) -> tuple[Metric, str] | None:
    for node, _ in walk(ast):
        if function_name(node) != "histogram_quantile" or len(node.args) < 2:
            continue
        phi = _strip(node.args[0])
        if not isinstance(phi, pp.NumberLiteral):
            return None
        for use in selectors(node.args[1]):
            family = identify(use.name.removesuffix("_bucket"))
            if use.name.endswith("_bucket") and family is not None and family.kind is MetricKind.HISTOGRAM:
                return family, f"{phi.val:g}"
    return None


def _meaning(ast: Node, names: set[str], title: str, unit: str,
             legend: str = "") -> tuple[Meaning, Metric | None] | None:
    lowered = title.lower()
    named = f"{title} {re.sub(r'{{[^}]*}}', '', legend)}".lower()  # the legend can name one line of many
    if any(name.startswith(_LOAD_RATIO) for name in names):
        return Meaning.LOAD_RATIO, None
    quantile = _quantile(ast)
    if quantile is not None:
        return Meaning.HISTOGRAM_QUANTILE, quantile[0]
    times = {_TIMES[name] for name in _numerator_names(ast) if name in _TIMES}
    if len(times) == 1 and _says_time(title, unit):
        return times.pop(), None
    if times:
        return None
    if m.INFERENCE_EXEC_COUNT.name in names and re.search(r"requests? (per|/) ?(execution|batch)", named):
        return Meaning.REQUESTS_PER_EXECUTION, None
    if m.INFERENCE_EXEC_COUNT.name in names and _BATCH_SIZE_WORDS.search(named):
        return Meaning.BATCH_SIZE, None
    if m.INFERENCE_REQUEST_FAILURE.name in names and (m.INFERENCE_REQUEST_SUCCESS.name in names
                                                      or unit in PERCENT_UNITS or "ratio" in lowered):
        return Meaning.ERROR_RATIO, None
    if m.TRTLLM_KV_CACHE_BLOCKS.name in names and ("fraction" in lowered or unit in PERCENT_UNITS
                                                   or "utili" in lowered or "usage" in lowered):
        return Meaning.KV_CACHE_RATIO, None
    if names <= {m.GPU_MEMORY_USED.name, m.GPU_MEMORY_TOTAL.name} and m.GPU_MEMORY_USED.name in names:
        return (Meaning.GPU_MEMORY_RATIO if m.GPU_MEMORY_TOTAL.name in names else Meaning.GPU_MEMORY_USED), None
    single = {
        m.GPU_UTILIZATION.name: Meaning.GPU_UTILIZATION, m.CPU_UTILIZATION.name: Meaning.CPU_UTILIZATION,
        m.INFERENCE_REQUEST_SUCCESS.name: Meaning.SUCCESS_RATE, m.INFERENCE_COUNT.name: Meaning.INFERENCE_RATE,
        m.INFERENCE_EXEC_COUNT.name: Meaning.EXECUTION_RATE,
        m.INFERENCE_PENDING_REQUEST_COUNT.name: Meaning.PENDING_REQUESTS,
    }
    if len(names) == 1:
        (name,) = names
        metric = identify(name)
        if metric is not None and metric.category_label and not _is_ratio(ast):
            return Meaning.CATEGORY_GAUGE, metric
        rated = all(use.function in ("rate", "increase", "irate") for use in selectors(ast))
        if name in single and not _is_ratio(ast) and (rated or metric is None or not metric.is_counter):
            return single[name], None
        if metric is not None and metric.unit == "tokens" and metric.is_counter and rated and not name.endswith(
                ("_bucket", "_sum", "_count")) and not _is_ratio(ast):
            return Meaning.TOKEN_RATE, metric
    return None


def _is_ratio(ast: Node) -> bool:
    return any(binary_op(node) in ("/", "+", "-") and not _scalar(node.rhs) and not _scalar(node.lhs)
               for node, _ in walk(ast))


def is_ratio(expr: str) -> bool:
    """Whether an expression divides (or adds, subtracts) two series, not just a series by a number."""
    try:
        return _is_ratio(parse(with_placeholders(expr)))
    except (UnexpandedVariable, ValueError):
        return False


def _scalar(node: Node) -> bool:
    return isinstance(_strip(node), pp.NumberLiteral)


def _legend_labels(legend: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(re.findall(r"\{\{\s*(\w+)\s*\}\}", legend)))


def recognise(expr: str, *, title: str, unit: str = "", legend: str = "") -> Intent | None:
    """The intent of one target (its expression as written, with variables), or None when it is not clear."""
    try:
        ast = parse(with_placeholders(expr))
    except (UnexpandedVariable, ValueError):
        return None
    uses = list(selectors(ast))
    names = {use.name for use in uses}
    found = _meaning(ast, names, title, unit, legend)
    if found is None:
        return None
    meaning, metric = found
    primary = next((u for u in uses if u.name in _TIMES or u.name == (metric.name if metric else "")), None) \
        or next((u for u in uses if not u.name.startswith(_LOAD_RATIO)), uses[0])
    drop: tuple[str, ...] = ("kv_cache_block_type",) if meaning is Meaning.KV_CACHE_RATIO else ()
    categories: tuple[str, ...] = ()
    if meaning is Meaning.CATEGORY_GAUGE:
        assert metric is not None and metric.category_label is not None
        op, value = primary.matchers.get(metric.category_label, ("", ""))
        if op == "=" or (op == "=~" and re.fullmatch(r"[\w|]+", value)):
            categories = tuple(value.split("|"))
        elif op:
            return None
        drop = (metric.category_label,)
    selector = _selector(primary, drop)
    by = _grouping(ast)
    if selector is None or by is None:
        return None
    if not by and not any(isinstance(n, pp.AggregateExpr) for n, _ in walk(ast)):
        named = tuple(label for label in _MODEL_LABELS if label in primary.matchers)
        by = _legend_labels(legend) or _DEFAULT_GROUPING.get(meaning, named if "model_name" in named else
                                                            MODEL_GROUPING)
    if meaning is Meaning.HISTOGRAM_QUANTILE:
        assert metric is not None
        quantile = _quantile(ast)
        assert quantile is not None
        divide_by = MS_PER_S if metric.unit == "ms" else None
        return Intent(meaning, selector, by, metric, quantile[1], divide_by)
    return Intent(meaning, selector, by, metric, categories=categories)


def panel_unit(panel: Mapping[str, Any]) -> str:
    """The unit a panel shows its numbers in: fieldConfig.defaults.unit, else the legacy left y-axis format."""
    unit = ((panel.get("fieldConfig") or {}).get("defaults") or {}).get("unit")
    if unit:
        return str(unit)
    axes = panel.get("yaxes") or []
    if axes and isinstance(axes[0], Mapping) and axes[0].get("format"):
        return str(axes[0]["format"])
    return ""
