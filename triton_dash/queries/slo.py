"""SLIs, error budgets and burn rates: PromQL for one SLO, from raw counters or from its recorded series.

Raw (what the recording rules compute): for an :class:`~triton_dash.profile.slo.AvailabilitySLO`,
bad = failures whose reason is not excluded, valid = successes + bad; for a
:class:`~triton_dash.profile.slo.LatencySLO`, bad = the histogram's count minus
its bucket at the threshold, valid = its count. Both are sums of rates per
model and version (a ratio of sums, never a mean of per-pod ratios), and the
error ratio is guarded: an idle model (no valid request in the window) has no
SLI at all, rather than a perfect one, so it never alerts and never shows 100 %.

Recorded (what alerts and the SLO dashboard read): every series carries the
``slo`` label and ``model``, ``version`` (and the cluster label)::

    slo:triton_request_error:ratio_rate1h{slo="availability", model="resnet", version="1"}

    >>> from triton_dash.profile.slo import AvailabilitySLO
    >>> print(bad_rate(AvailabilitySLO(name="availability", objective=99.9), "5m"))  # doctest: +ELLIPSIS
    sum by (model, version) (rate(nv_inference_request_failure{..., reason!~"CANCELED"}[5m]))
"""

from __future__ import annotations

from collections.abc import Sequence

from .. import metrics as m
from .. import validate
from ..metrics import slo as ms
from ..profile.slo import DEFAULT_JOB, SLO, AvailabilitySLO, LatencySLO
from ..selector import MODEL_GROUPING, Selector
from .builders import guarded_ratio, sum_rate

__all__ = [
    "ALERT_WINDOWS", "BAD_RATE", "CURRENT_BURN_RATE", "ERROR_BUDGET", "ERROR_RATIO", "OBJECTIVE",
    "PERIOD_BURN_RATE", "PERIOD_ERROR_BUDGET_REMAINING", "PERIOD_SLI", "TIME_PERIOD_DAYS", "VALID_RATE",
    "bad_rate", "budget_remaining", "burn_rate", "burn_threshold", "error_ratio", "per_slo", "period_error_ratio",
    "slo_matchers", "time_to_exhaustion", "valid_rate", "window_hours",
]

#: The windows the SRE workbook's alerts read (page 1h/5m, 6h/30m; ticket 1d/2h, 3d/6h).
ALERT_WINDOWS: tuple[str, ...] = ms.SLO_WINDOWS
#: Recorded names (``level:metric:operation``); ``ERROR_RATIO + window``.
ERROR_RATIO = ms.ERROR_RATIO_PREFIX
#: Only the rules read these two (the window-long ratio sums them).
BAD_RATE = "slo:triton_request_bad:rate5m"
VALID_RATE = "slo:triton_request_valid:rate5m"
OBJECTIVE = ms.OBJECTIVE.name
ERROR_BUDGET = ms.ERROR_BUDGET.name
TIME_PERIOD_DAYS = ms.TIME_PERIOD_DAYS.name
PERIOD_SLI = ms.PERIOD_SLI.name
PERIOD_BURN_RATE = "slo:period_burn_rate:ratio"
PERIOD_ERROR_BUDGET_REMAINING = ms.PERIOD_ERROR_BUDGET_REMAINING.name
#: The burn rate over the last hour.
CURRENT_BURN_RATE = ms.CURRENT_BURN_RATE.name
#: The window whose burn rate is "current" (time to exhaustion, the current-burn recording).
CURRENT_WINDOW = "1h"

Grouping = Sequence[str]


def _selector(slo: SLO, window: str) -> Selector:
    return Selector(job=slo.job or DEFAULT_JOB, instance=None, model=slo.model, version=None, gpu=None,
                    rate_interval=window)


def bad_rate(slo: SLO, window: str, by: Grouping = MODEL_GROUPING) -> str:
    """Bad requests per second: failures not excluded, or responses slower than the threshold."""
    sel = _selector(slo, window)
    if isinstance(slo, AvailabilitySLO):
        extra = (("reason", "!~", "|".join(slo.excluded_reasons)),) if slo.excluded_reasons else ()
        return sum_rate(m.INFERENCE_REQUEST_FAILURE, sel, by, *extra)
    family = slo.histogram.metric
    count = sum_rate(family.part("_count"), sel, by)
    fast = sum_rate(family.part("_bucket"), sel, by, _le_matcher(slo))
    return f"({count} - {fast})"


def valid_rate(slo: SLO, window: str, by: Grouping = MODEL_GROUPING) -> str:
    """Requests per second that count: good + bad (excluded failure reasons are neither)."""
    sel = _selector(slo, window)
    if isinstance(slo, LatencySLO):
        return sum_rate(slo.histogram.metric.part("_count"), sel, by)
    return f"({sum_rate(m.INFERENCE_REQUEST_SUCCESS, sel, by)} + {bad_rate(slo, window, by)})"


def _le_matcher(slo: LatencySLO) -> tuple[str, str, str]:
    """``le`` as Triton prints it or as Prometheus 3 stores it: ``le=~"500|500\\.0"``."""
    return ("le", "=~", "|".join(spelling.replace(".", "\\.") for spelling in slo.le))


def error_ratio(slo: SLO, window: str, by: Grouping = MODEL_GROUPING) -> str:
    """Bad / valid requests over ``window``, 0-1; no series where the model had no valid request."""
    return guarded_ratio(bad_rate(slo, window, by), valid_rate(slo, window, by))


def slo_matchers(slo_name: str, model: str | None = None, cluster_label: str | None = None,
                 cluster: str = "$cluster") -> str:
    """``{slo=~"...", model=~"..."}`` for a recorded series (values may be dashboard variables)."""
    parts = [f'slo=~"{slo_name}"']
    if model is not None:
        parts.append(f'model=~"{model}"')
    if cluster_label:
        parts.append(f'{cluster_label}=~"{cluster}"')
    return "{" + ", ".join(parts) + "}"


def period_error_ratio(window: str, matchers: str) -> str:
    """The error ratio over the whole SLO window, from the recorded 5 m rates: request-weighted.

    ``sum_over_time`` of the bad rate over ``sum_over_time`` of the valid rate
    (the sampling interval cancels), so a busy hour counts more than a quiet
    one; never a 30-day ``rate()`` of raw counters.
    """
    bad = f"sum_over_time({BAD_RATE}{matchers}[{window}])"
    valid = f"sum_over_time({VALID_RATE}{matchers}[{window}])"
    return guarded_ratio(bad, valid)


def per_slo(name: str, matchers: str) -> str:
    """A metadata series, one per SLO: ``max by (slo)``, as every cluster of a global view records its own copy."""
    return f"max by (slo) ({name}{_slo_only(matchers)})"


def window_hours(window: str) -> float:
    return validate.duration_seconds(window) / 3600


def burn_rate(window: str, slo_matchers_: str) -> str:
    """How fast the budget burns over ``window``: the recorded error ratio / the SLO's error budget."""
    return f"{ERROR_RATIO}{window}{slo_matchers_} / on (slo) group_left () {per_slo(ERROR_BUDGET, slo_matchers_)}"


def burn_threshold(long: str, budget_share: float, matchers: str) -> str:
    """The burn rate that spends ``budget_share`` of the budget in ``long``, from the SLO's recorded period."""
    return f"{per_slo(TIME_PERIOD_DAYS, matchers)} * 24 * {budget_share:g} / {window_hours(long):g}"


def budget_remaining(matchers: str) -> str:
    """The share of the window's error budget not yet spent (negative once overspent)."""
    return f"{PERIOD_ERROR_BUDGET_REMAINING}{matchers}"


def time_to_exhaustion(matchers: str) -> str:
    """Seconds until the budget left is spent at the last hour's burn rate; none while nothing burns."""
    return (f"clamp_min({PERIOD_ERROR_BUDGET_REMAINING}{matchers}, 0) * on (slo) group_left () "
            f"({per_slo(TIME_PERIOD_DAYS, matchers)} * 86400) / ({CURRENT_BURN_RATE}{matchers} > 0)")


def _slo_only(matchers: str) -> str:
    """The metadata series carry only ``slo``: keep that matcher."""
    first = matchers.strip("{}").split(", ")[0]
    return "{" + first + "}"
