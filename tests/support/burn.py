"""Burn-rate scenarios and their known answers, computed from the counters alone (no PromQL).

A scenario is a few models whose counters grow by a known amount every minute
(scrape interval 1 m). The same per-minute counts give promtool's input series
and, here, what every SLO recording must be and when each alert must fire:

- ``rate(x[w])`` at minute ``k`` with samples every minute from minute 0 is
  ``(X(k) - X(max(0, k - w))) / w``: exact where the window is covered; where
  it is not, Prometheus extrapolates no further back than the counter's zero
  (both counters start at 0), so the ratio of two rates is still the ratio of
  the increases;
- an alert becomes pending at the first evaluation where its condition holds
  and fires once it has held for ``for`` (2.42's ``ts - activeAt >= for``);
- the window-long ratio is ``sum_over_time(bad5m) / sum_over_time(valid5m)``
  over every evaluation so far.

The SRE workbook's detection time (``W_long * factor * budget / error_ratio``)
follows from these; the tests also check it directly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from triton_dash.profile.slo import BURN_WINDOWS, SLO, AvailabilitySLO, LatencySLO, burn_factor
from triton_dash.validate import duration_seconds

REASONS = ("REJECTED", "CANCELED", "BACKEND", "OTHER")


def minutes(window: str) -> int:
    return int(duration_seconds(window) // 60)


def cumulative(per_minute: Sequence[float]) -> list[float]:
    """Counter values at minutes 0..n from the increments during minutes 1..n (value 0 at minute 0)."""
    out, total = [0.0], 0.0
    for step in per_minute:
        total += step
        out.append(total)
    return out


def steps(*segments: tuple[int, float]) -> list[float]:
    """``steps((360, 1000), (120, 980))``: 360 minutes of +1000, then 120 of +980."""
    return [value for count, value in segments for _ in range(count)]


@dataclass
class Model:
    """One model version: per-minute increments of each counter."""

    name: str
    success: list[float] = field(default_factory=list)
    failures: dict[str, list[float]] = field(default_factory=dict)  # reason -> increments
    #: latency: requests per minute (the histogram's _count) and those within the threshold bucket
    count: list[float] = field(default_factory=list)
    fast: list[float] = field(default_factory=list)
    le: str = "500"  # how the threshold bucket is spelled (Prometheus 2: "500", Prometheus 3: "500.0")
    buckets: tuple[str, ...] = ("100", "500", "2000", "5000")

    @property
    def length(self) -> int:
        return max(len(self.success), len(self.count))


def _values(values: Sequence[float]) -> str:
    return " ".join(f"{v:g}" for v in values)


def _series(name: str, values: Sequence[float], labels: Mapping[str, str]) -> dict[str, str]:
    text = ",".join(f'{k}="{v}"' for k, v in {"job": "triton", "instance": "a:8002", **labels}.items())
    return {"series": f"{name}{{{text}}}", "values": _values(values)}


def input_series(models: Sequence[Model]) -> list[dict[str, str]]:
    """promtool's ``input_series`` for the models (explicit values, one per minute from minute 0)."""
    out = []
    for model in models:
        labels = {"model": model.name, "version": "1"}
        if model.success:
            out.append(_series("nv_inference_request_success", cumulative(model.success), labels))
            for reason in REASONS:
                increments = model.failures.get(reason, [0.0] * len(model.success))
                out.append(_series("nv_inference_request_failure", cumulative(increments),
                                   {**labels, "reason": reason}))
        if model.count:
            family = "nv_inference_first_response_histogram_ms"
            count = cumulative(model.count)
            fast = cumulative(model.fast)
            for le in model.buckets:
                values = fast if le == model.le else (count if float(le) > float(model.le) else
                                                      [0.0] * len(count))
                out.append(_series(f"{family}_bucket", values, {**labels, "le": le}))
            out.append(_series(f"{family}_bucket", count, {**labels, "le": "+Inf"}))
            out.append(_series(f"{family}_count", count, labels))
            out.append(_series(f"{family}_sum", [c * 200 for c in count], labels))
    return out


@dataclass
class Known:
    """What the rules must give for one model at every minute."""

    ratio: dict[str, list[float | None]]  # window -> ratio per minute
    bad5m: list[float | None]
    valid5m: list[float | None]


def _bad_valid(slo: SLO, model: Model) -> tuple[list[float], list[float]]:
    if isinstance(slo, LatencySLO):
        count, fast = cumulative(model.count), cumulative(model.fast)
        return [c - f for c, f in zip(count, fast, strict=True)], count
    excluded = slo.excluded_reasons if isinstance(slo, AvailabilitySLO) else ()
    zeros = [0.0] * len(model.success)
    bad = cumulative([sum(v) for v in zip(*(model.failures.get(r, zeros) for r in REASONS if r not in excluded),
                                          strict=True)])
    success = cumulative(model.success)
    return bad, [s + b for s, b in zip(success, bad, strict=True)]


def known(slo: SLO, model: Model) -> Known:
    bad, valid = _bad_valid(slo, model)
    ratio: dict[str, list[float | None]] = {}
    for window in ("5m", "30m", "1h", "2h", "6h", "1d", "3d"):
        w = minutes(window)
        series: list[float | None] = [None]
        for k in range(1, len(bad)):
            start = max(0, k - w)
            d_valid = valid[k] - valid[start]
            series.append((bad[k] - bad[start]) / d_valid if d_valid > 0 else None)
        ratio[window] = series
    bad5m: list[float | None] = [None] + [(bad[k] - bad[max(0, k - 5)]) / 300 for k in range(1, len(bad))]
    valid5m: list[float | None] = [None] + [(valid[k] - valid[max(0, k - 5)]) / 300 for k in range(1, len(bad))]
    return Known(ratio, bad5m, valid5m)


def budget_remaining(slo: SLO, k: Known, minute: int, every: int = 1) -> float | None:
    """The recorded budget left as read at ``minute``, recorded every ``every`` minutes.

    The metadata group's ``interval`` is 5m, but promtool 2.42's test runner evaluates every group at each
    ``evaluation_interval`` (observed: its annotations carry the budget of the very minute), hence 1.
    """
    minute -= minute % every
    bad = sum(v for v in k.bad5m[: minute + 1] if v is not None)
    valid = sum(v for v in k.valid5m[: minute + 1] if v is not None)
    return 1 - (bad / valid) / slo.error_budget if valid > 0 else None


def condition(slo: SLO, k: Known, severity: str, minute: int) -> float | None:
    """The alert expression's value at ``minute`` (the first matching pair's long-window burn rate), or None."""
    for window in (w for w in BURN_WINDOWS if w.severity == severity):
        factor = burn_factor(slo, window)
        long, short = k.ratio[window.long][minute], k.ratio[window.short][minute]
        if long is not None and short is not None and long / slo.error_budget > factor \
                and short / slo.error_budget > factor:
            return long / slo.error_budget
    return None


def firing(slo: SLO, k: Known, severity: str, minute: int) -> float | None:
    """The alert's value if it fires at ``minute`` (held at every evaluation for ``for``), else None."""
    hold = minutes(next(w.for_ for w in BURN_WINDOWS if w.severity == severity))
    if minute - hold < 0:
        return None
    if all(condition(slo, k, severity, m) is not None for m in range(minute - hold, minute + 1)):
        return condition(slo, k, severity, minute)
    return None


def first_firing(slo: SLO, k: Known, severity: str, until: int) -> int | None:
    return next((m for m in range(until + 1) if firing(slo, k, severity, m) is not None), None)
