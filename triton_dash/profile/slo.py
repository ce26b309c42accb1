"""Service level objectives for Triton models: what counts as good, over what window, at what objective.

Two kinds, both per model version and both checked on construction:

- :class:`AvailabilitySLO`: good = ``nv_inference_request_success``, bad =
  ``nv_inference_request_failure`` whose ``reason`` is not excluded (default
  ``CANCELED``, usually the client's doing; excluded reasons are neither good
  nor bad, so they leave the denominator too);
- :class:`LatencySLO`: good = requests in the histogram bucket ``le=<threshold>``
  of a latency histogram the catalogue knows, valid = the histogram's
  ``_count``. The threshold must be a bucket boundary, or no series matches
  and the alert silently never fires.

The profile's ``[[slo]]`` tables and the ``slo`` command's flags both end here::

    from triton_dash.profile.slo import parse_slo_tables, parse_latency_flag
    slos = parse_slo_tables([{"objective": 99.9},
                             {"kind": "latency", "histogram": "first-response", "threshold": "500ms",
                              "objective": 99}])
    parse_latency_flag("first-response:500ms:99")  # the same latency SLO
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .. import validate
from ..metrics import CATALOGUE, FIRST_RESPONSE_HISTOGRAM, VLLM_E2E_LATENCY, VLLM_TIME_TO_FIRST_TOKEN, Metric

__all__ = [
    "BURN_WINDOWS", "DEFAULT_EXCLUDED_REASONS", "DEFAULT_JOB", "DEFAULT_MODEL", "DEFAULT_WINDOW",
    "FAILURE_REASONS", "HISTOGRAMS", "SLO", "SLO_KEYS", "WINDOWS", "AvailabilitySLO", "BurnWindow",
    "LatencyHistogram", "LatencySLO", "SloKind", "burn_factor", "le_spellings", "parse_latency_flag",
    "parse_slo_tables",
]

#: The SLO periods the SRE workbook's window table is written for.
WINDOWS: tuple[str, ...] = ("28d", "30d")
DEFAULT_WINDOW = "30d"
DEFAULT_JOB = "triton"
DEFAULT_MODEL = ".+"
#: ``nv_inference_request_failure`` reasons (since 24.07).
FAILURE_REASONS: tuple[str, ...] = ("REJECTED", "CANCELED", "BACKEND", "OTHER")
DEFAULT_EXCLUDED_REASONS: tuple[str, ...] = ("CANCELED",)
_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


class SloKind(str, enum.Enum):
    AVAILABILITY = "availability"
    LATENCY = "latency"


_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "µs": 1e-6}


@dataclass(frozen=True)
class LatencyHistogram:
    """A latency histogram family usable as a latency SLI, with its default bucket boundaries (in its unit)."""

    alias: str
    metric: Metric
    buckets: tuple[float, ...]

    @property
    def unit_seconds(self) -> float:
        return _UNIT_SECONDS[self.metric.unit]

    def show(self, value: float) -> str:
        """A boundary in the family's unit: ``500ms``, ``0.5s``."""
        unit = "us" if self.metric.unit == "µs" else self.metric.unit
        return f"{value:g}{unit}"


#: Core PR #474's default buckets for the proposed ``*_histogram_us`` families (not yet in a release).
_US_BUCKETS = (1000.0, 5000.0, 25000.0, 50000.0, 100000.0)

HISTOGRAMS: dict[str, LatencyHistogram] = {
    "first-response": LatencyHistogram("first-response", FIRST_RESPONSE_HISTOGRAM, (100.0, 500.0, 2000.0, 5000.0)),
    "vllm-ttft": LatencyHistogram("vllm-ttft", VLLM_TIME_TO_FIRST_TOKEN, (
        0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)),
    "vllm-e2e": LatencyHistogram("vllm-e2e", VLLM_E2E_LATENCY, (
        1.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0)),
    **{metric.name.removeprefix("nv_inference_").removesuffix("_duration_histogram_us").replace("_", "-"):
       LatencyHistogram(metric.name, metric, _US_BUCKETS)
       for metric in CATALOGUE.values() if metric.name.endswith("_histogram_us")},
}


def _histogram(name: str, what: str) -> LatencyHistogram:
    for histogram in HISTOGRAMS.values():
        if name in (histogram.alias, histogram.metric.name):
            return histogram
    known = ", ".join(f"{h.alias} ({h.metric.name})" for h in HISTOGRAMS.values())
    raise validate.InvalidValue(f"{what}={name!r} is not a latency histogram triton_dash knows; use one of {known}. "
                                "Triton's default counters give averages only: no latency SLO without a histogram")


def _go_float(value: float) -> str:
    """Go's ``strconv.FormatFloat(v, 'g', -1, 64)``: shortest digits; exponent form below 1e-4 or from 1e6."""
    exp_text = f"{float(value):e}".partition("e")[2]  # only for the exponent
    shortest = repr(float(value))
    mantissa = shortest.split("e")[0].replace(".", "").lstrip("0") or "0"
    mantissa = mantissa.rstrip("0") or "0"
    exp = int(exp_text)
    if exp < -4 or exp >= 6:
        head = mantissa[0] + ("." + mantissa[1:] if len(mantissa) > 1 else "")
        return f"{head}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    return shortest.removesuffix(".0")  # Python's repr is plain decimal in this range, as Go's is


def le_spellings(value: float) -> tuple[str, ...]:
    """How an ``le`` boundary is stored: as Triton prints it (C++ ``%g``-style, Prometheus 2 keeps it) and as
    Prometheus 3 normalises it (Go's shortest float, ``.0`` added to a whole number): 500 -> ("500", "500.0")."""
    triton = f"{value:.16g}"
    prom3 = _go_float(value)
    if "." not in prom3 and "e" not in prom3:
        prom3 += ".0"
    return tuple(dict.fromkeys((triton, prom3)))


@dataclass(frozen=True)
class _Common:
    name: str
    objective: float  #: percent, e.g. 99.9
    window: str = DEFAULT_WINDOW
    #: Regex of the scrape jobs; None: the profile's job (else ``triton``), filled in by the rules.
    job: str | None = None
    model: str = DEFAULT_MODEL
    runbook_url: str = ""

    def _check(self) -> None:
        if not _NAME.match(self.name):
            raise validate.InvalidValue(f"slo name={self.name!r} must be lower-case letters, digits and '-' "
                                        "(it becomes a label value and a group name)")
        validate.number(self.objective, f"slo {self.name!r} objective", minimum=0, exclusive_minimum=True)
        if self.objective >= 100:
            raise validate.InvalidValue(f"slo {self.name!r} objective={self.objective:g} leaves no error budget; "
                                        "give a percentage below 100, e.g. 99.9")
        if self.window not in WINDOWS:
            raise validate.InvalidValue(f"slo {self.name!r} window={self.window!r}: use one of {', '.join(WINDOWS)}")
        if self.job is not None:
            validate.re2_regex(self.job, f"slo {self.name!r} job")
        validate.re2_regex(self.model, f"slo {self.name!r} model")
        if self.runbook_url:
            validate.url(self.runbook_url, f"slo {self.name!r} runbook_url")

    @property
    def error_budget(self) -> float:
        """The share of requests allowed to be bad: 1 - objective (0.001 for 99.9)."""
        return round(1 - self.objective / 100, 12)

    @property
    def objective_ratio(self) -> float:
        return round(self.objective / 100, 12)

    @property
    def period_hours(self) -> float:
        return validate.duration_seconds(self.window) / 3600


@dataclass(frozen=True)
class AvailabilitySLO(_Common):
    """Good = successful requests; bad = failures whose reason is not excluded."""

    excluded_reasons: tuple[str, ...] = DEFAULT_EXCLUDED_REASONS
    kind: SloKind = field(default=SloKind.AVAILABILITY, init=False)

    def __post_init__(self) -> None:
        self._check()
        for reason in self.excluded_reasons:
            if reason not in FAILURE_REASONS:
                raise validate.InvalidValue(f"slo {self.name!r} exclude_reasons: {reason!r} is not a Triton failure "
                                            f"reason; use some of {', '.join(FAILURE_REASONS)}")
        if len(set(self.excluded_reasons)) == len(FAILURE_REASONS):
            raise validate.InvalidValue(f"slo {self.name!r} exclude_reasons excludes every failure reason: nothing "
                                        "could ever be bad")


@dataclass(frozen=True)
class LatencySLO(_Common):
    """Good = requests in the histogram's bucket at ``threshold`` (in the family's unit); valid = its count."""

    histogram: LatencyHistogram = HISTOGRAMS["first-response"]
    threshold: float = 500.0
    #: The bucket boundaries the servers really use (Triton allows per-model overrides); default: the family's.
    buckets: tuple[float, ...] = ()
    kind: SloKind = field(default=SloKind.LATENCY, init=False)

    def __post_init__(self) -> None:
        self._check()
        for value in self.buckets:
            validate.number(value, f"slo {self.name!r} buckets", minimum=0, exclusive_minimum=True)
        boundaries = sorted(self.buckets or self.histogram.buckets)
        validate.number(self.threshold, f"slo {self.name!r} threshold", minimum=0, exclusive_minimum=True)
        if not any(math.isclose(self.threshold, b, rel_tol=1e-9) for b in boundaries):
            below = [b for b in boundaries if b < self.threshold]
            above = [b for b in boundaries if b > self.threshold]
            near = " and ".join(self.histogram.show(b) for b in (below[-1:] + above[:1]))
            raise validate.InvalidValue(
                f"slo {self.name!r} threshold={self.histogram.show(self.threshold)} is not a bucket boundary of "
                f"{self.histogram.metric.name} (buckets {', '.join(self.histogram.show(b) for b in boundaries)}); "
                f"the nearest are {near}. A threshold between boundaries matches no series, so the alert could "
                "never fire; if your servers use other buckets, list them in 'buckets'")

    @property
    def le(self) -> tuple[str, ...]:
        """The ``le`` label values the threshold's bucket may carry (Prometheus 2 and 3)."""
        boundary = next(b for b in (self.buckets or self.histogram.buckets)
                        if math.isclose(self.threshold, b, rel_tol=1e-9))
        return le_spellings(boundary)

    @property
    def threshold_seconds(self) -> float:
        return self.threshold * self.histogram.unit_seconds


SLO = AvailabilitySLO | LatencySLO


@dataclass(frozen=True)
class BurnWindow:
    """One row of the SRE workbook's table: spend ``budget_share`` of the budget in ``long``, still on ``short``."""

    severity: str
    long: str
    short: str
    budget_share: float
    for_: str


#: The SRE workbook, chapter 5, table 5-8 plus its 1d/2h ticket pair (Sloth and kubernetes-mixin ship it too).
BURN_WINDOWS: tuple[BurnWindow, ...] = (
    BurnWindow("page", "1h", "5m", 0.02, "2m"),
    BurnWindow("page", "6h", "30m", 0.05, "2m"),
    BurnWindow("ticket", "1d", "2h", 0.10, "15m"),
    BurnWindow("ticket", "3d", "6h", 0.10, "15m"),
)


def burn_factor(slo: SLO, window: BurnWindow) -> float:
    """The burn rate that spends ``window.budget_share`` of the budget in ``window.long``: 14.4 for 2 % in 1 h."""
    hours = validate.duration_seconds(window.long) / 3600
    return round(window.budget_share * slo.period_hours / hours, 6)

#: The keys of a profile ``[[slo]]`` table.
SLO_KEYS: dict[str, str] = {
    "name": "label value and rule-group name (default: 'availability', or 'latency-<histogram>-<threshold>')",
    "kind": "'availability' (default) or 'latency'",
    "objective": "percent of good requests, e.g. 99.9 (required)",
    "window": "28d or 30d (default 30d)",
    "job": "regex of Triton's scrape jobs (default: the profile's job, else 'triton')",
    "model": "regex of the models (default '.+', every model)",
    "exclude_reasons": "availability: failure reasons that are neither good nor bad (default ['CANCELED'])",
    "histogram": "latency: first-response, vllm-ttft, vllm-e2e, or a family name",
    "threshold": "latency: a bucket boundary, e.g. '500ms', '0.5s', or a number in the family's unit",
    "buckets": "latency: the bucket boundaries your servers use, in the family's unit (default: the family's)",
    "runbook_url": "absolute http(s) URL the alerts carry as runbook_url (default: none; the description names "
                   "docs/slo.md)",
}

#: How the dataclasses name a key in their errors ("slo 'availability' objective=..."), made "slo[0].objective=...".
_OWN_PREFIX = re.compile(r"^slo '[^']*' ")
_THRESHOLD = re.compile(r"^(?P<number>\d+(?:\.\d+)?(?:e[+-]?\d+)?)(?P<unit>us|µs|ms|s|m)?$")
_TO_SECONDS = {"us": 1e-6, "µs": 1e-6, "ms": 0.001, "s": 1.0, "m": 60.0}


def _threshold(value: object, histogram: LatencyHistogram, what: str) -> float:
    """A threshold in the family's unit, from ``500ms`` / ``0.5s`` / a bare number (already in that unit)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise validate.InvalidValue(f"{what}={value!r} is not a duration; write e.g. 500ms or 0.5s")
    if isinstance(value, int | float):
        return float(value)
    match = _THRESHOLD.match(value.strip())
    if not match:
        raise validate.InvalidValue(f"{what}={value!r} is not a duration; write e.g. 500ms or 0.5s")
    number = float(match["number"])
    if match["unit"] is None:
        return number
    return float(f"{number * _TO_SECONDS[match['unit']] / histogram.unit_seconds:.12g}")


def _number(value: object, what: str) -> float:
    if isinstance(value, str):
        try:
            return float(value.strip().removesuffix("%"))
        except ValueError:
            pass
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise validate.InvalidValue(f"{what}={value!r} is not a number; write e.g. 99.9")
    return float(value)


def _string(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise validate.InvalidValue(f"{what}={value!r} is not a string")
    return value


def _strings(value: object, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(item.strip() for item in value.split(",") if item.strip())
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        raise validate.InvalidValue(f"{what}={value!r} is not a list of strings")
    return tuple(value)


def _numbers(value: object, what: str) -> tuple[float, ...]:
    if not isinstance(value, list | tuple):
        raise validate.InvalidValue(f"{what}={value!r} is not a list of numbers")
    return tuple(_number(item, what) for item in value)


def _one(table: Mapping[str, object], where: str) -> SLO:
    unknown = sorted(set(table) - set(SLO_KEYS))
    if unknown:
        raise validate.InvalidValue(f"{where}: unknown key {unknown[0]!r}; known: {', '.join(SLO_KEYS)}")
    if "objective" not in table:
        raise validate.InvalidValue(f"{where}: key 'objective' is missing; give a percentage, e.g. objective = 99.9")
    kind_text = _string(table.get("kind", "latency" if "histogram" in table else "availability"), f"{where}.kind")
    try:
        kind = SloKind(kind_text)
    except ValueError:
        raise validate.InvalidValue(f"{where}.kind={kind_text!r}: use availability or latency") from None
    common: dict[str, object] = {"objective": _number(table["objective"], f"{where}.objective")}
    for key in ("window", "job", "model", "runbook_url"):
        if key in table:
            common[key] = _string(table[key], f"{where}.{key}")
    try:
        if kind is SloKind.AVAILABILITY:
            extra = sorted(set(table) & {"histogram", "threshold", "buckets"})
            if extra:
                raise validate.InvalidValue(f"{where}.{extra[0]} applies to latency SLOs; add kind = \"latency\"")
            name = _string(table.get("name", "availability"), f"{where}.name")
            reasons = (_strings(table["exclude_reasons"], f"{where}.exclude_reasons")
                       if "exclude_reasons" in table else DEFAULT_EXCLUDED_REASONS)
            return AvailabilitySLO(name=name, excluded_reasons=reasons, **common)  # type: ignore[arg-type]
        if "exclude_reasons" in table:
            raise validate.InvalidValue(f"{where}.exclude_reasons applies to availability SLOs")
        for key in ("histogram", "threshold"):
            if key not in table:
                raise validate.InvalidValue(f"{where}: key {key!r} is missing (a latency SLO needs it)")
        histogram = _histogram(_string(table["histogram"], f"{where}.histogram"), f"{where}.histogram")
        threshold = _threshold(table["threshold"], histogram, f"{where}.threshold")
        buckets = _numbers(table["buckets"], f"{where}.buckets") if "buckets" in table else ()
        default_name = f"latency-{histogram.alias.split(':')[-1]}-{histogram.show(threshold)}"
        name = _string(table.get("name", re.sub(r"[^a-z0-9-]", "-", default_name.lower())), f"{where}.name")
        return LatencySLO(name=name, histogram=histogram, threshold=threshold, buckets=buckets,
                          **common)  # type: ignore[arg-type]
    except validate.InvalidValue as exc:
        message = _OWN_PREFIX.sub(f"{where}.", str(exc), count=1)
        raise validate.InvalidValue(message if message.startswith(where) else f"{where}: {message}") from None


def parse_slo_tables(tables: Sequence[Mapping[str, object]]) -> tuple[SLO, ...]:
    """The profile's ``[[slo]]`` tables, each checked; an error names the table (``slo[1]``) and the key."""
    if not isinstance(tables, list | tuple):
        raise validate.InvalidValue("slo must be a list of tables ([[slo]] in TOML)")
    out: list[SLO] = []
    for index, table in enumerate(tables):
        if not isinstance(table, Mapping):
            raise validate.InvalidValue(f"slo[{index}] is not a table")
        out.append(_one(table, f"slo[{index}]"))
    names = [slo.name for slo in out]
    for name in names:
        if names.count(name) > 1:
            raise validate.InvalidValue(f"two SLOs are named {name!r}; give each a distinct 'name'")
    return tuple(out)


def parse_latency_flag(text: str, **common: object) -> dict[str, object]:
    """``first-response:500ms:99`` (histogram:threshold:objective) -> an ``[[slo]]`` table for it.

    The histogram may be a family name with colons (``vllm:time_to_first_token_seconds:0.5s:99``).
    """
    parts = text.rsplit(":", 2)
    if len(parts) != 3 or not all(parts):
        raise validate.InvalidValue(f"--latency {text!r}: write HISTOGRAM:THRESHOLD:OBJECTIVE, e.g. "
                                    "first-response:500ms:99")
    histogram, threshold, objective = parts
    return {"kind": "latency", "histogram": histogram, "threshold": threshold, "objective": objective, **common}
