"""Versions of one model side by side: traffic share, and each version against the model's other versions.

PromQL cannot order versions (``version`` is a string label), so a canary is
judged against *the other versions of the same model combined*: with a new
version taking a slice of traffic, "the others" is the version it replaces.

    >>> from triton_dash.queries.versions import traffic_share
    >>> print(traffic_share())  # doctest: +ELLIPSIS
    sum by (model, version) (rate(nv_inference_request_success{...}[...])) / ignoring(version) group_left() ...
"""

from __future__ import annotations

from collections.abc import Sequence

from .. import metrics as m
from ..selector import DEFAULT_SELECTOR, MODEL_GROUPING, Selector
from ._promql import sum_rate

__all__ = ["other_versions_error_ratio", "other_versions_request_time", "traffic_share", "version_error_ratio",
           "version_request_time"]

Grouping = Sequence[str]


def _model_level(by: Grouping) -> tuple[str, ...]:
    return tuple(label for label in by if label != "version")


def traffic_share(sel: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING) -> str:
    """Each version's share of its model's successful requests, 0-1."""
    version = sum_rate(m.INFERENCE_REQUEST_SUCCESS, sel, by)
    model = sum_rate(m.INFERENCE_REQUEST_SUCCESS, sel, _model_level(by))
    return f"{version} / ignoring(version) group_left() ({model} > 0)"


def _all(sel: Selector, by: Grouping) -> str:
    return (f"({sum_rate(m.INFERENCE_REQUEST_SUCCESS, sel, by)} + "
            f"{sum_rate(m.INFERENCE_REQUEST_FAILURE, sel, by)})")


def version_error_ratio(sel: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING) -> str:
    """Failed / all requests of each version (the overview's error ratio, by version)."""
    return f"{sum_rate(m.INFERENCE_REQUEST_FAILURE, sel, by)} / ({_all(sel, by)} > 0)"


def _others(numerator: str, denominator: str, sel: Selector, by: Grouping,
            version_num: str, version_den: str) -> str:
    """(model total - this version) / (model total - this version), one series per version; guarded."""
    on = f"on({', '.join(_model_level(by))}) group_right()"
    return f"({numerator} - {on} {version_num}) / (({denominator} - {on} {version_den}) > 0)"


def other_versions_error_ratio(sel: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING) -> str:
    """For each version, the error ratio of the model's *other* versions combined (absent if they had no traffic)."""
    level = _model_level(by)
    return _others(sum_rate(m.INFERENCE_REQUEST_FAILURE, sel, level), _all(sel, level), sel, by,
                   sum_rate(m.INFERENCE_REQUEST_FAILURE, sel, by), _all(sel, by))


def version_request_time(sel: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING) -> str:
    """End-to-end time per successful request of each version, in µs."""
    return (f"{sum_rate(m.INFERENCE_REQUEST_DURATION, sel, by)} / "
            f"({sum_rate(m.INFERENCE_REQUEST_SUCCESS, sel, by)} > 0)")


def other_versions_request_time(sel: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING) -> str:
    """For each version, the request time (µs) of the model's other versions combined."""
    level = _model_level(by)
    return _others(sum_rate(m.INFERENCE_REQUEST_DURATION, sel, level),
                   sum_rate(m.INFERENCE_REQUEST_SUCCESS, sel, level), sel, by,
                   sum_rate(m.INFERENCE_REQUEST_DURATION, sel, by), sum_rate(m.INFERENCE_REQUEST_SUCCESS, sel, by))
