"""Versions of one model side by side: traffic share, and each version against the model's other versions.

PromQL cannot order versions (``version`` is a string label), so a canary is
judged against *the other versions of the same model combined*: with a new
version taking a slice of traffic, "the others" is the version it replaces.

    >>> from triton_dash.queries.versions import traffic_share
    >>> print(traffic_share())  # doctest: +ELLIPSIS
    sum by (model, version) (rate(nv_inference_request_success{...}[...])) / ignoring(version) group_left() ...
"""

from __future__ import annotations

from collections.abc import Callable

from .. import metrics as m
from ..selector import DEFAULT_SELECTOR, MODEL_GROUPING, Grouping, Selector
from .builders import US_PER_S, sum_rate
from .requests import success_rate

__all__ = ["other_versions_error_ratio", "other_versions_request_time", "traffic_share"]



def _model_level(by: Grouping) -> tuple[str, ...]:
    return tuple(label for label in by if label != "version")


def traffic_share(sel: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING) -> str:
    """Each version's share of its model's successful requests, 0-1."""
    return f"{success_rate(sel, by)} / ignoring(version) group_left() ({success_rate(sel, _model_level(by))} > 0)"


def _others(numerator: Callable[[Grouping], str], denominator: Callable[[Grouping], str], by: Grouping,
            scale: str = "") -> str:
    """Per version, (model total - this version) of ``numerator`` over the same of ``denominator``, guarded.

    Its labels are the version's, so it compares one-to-one with the per-version query
    (``error_ratio``, ``request_time_per_request``) it stands against.
    """
    level = _model_level(by)
    on = f"on({', '.join(level)}) group_right()"
    divided = f" / {scale}" if scale else ""
    return (f"({numerator(level)} - {on} {numerator(by)}){divided} / "
            f"(({denominator(level)} - {on} {denominator(by)}) > 0)")


def other_versions_error_ratio(sel: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING) -> str:
    """For each version, the error ratio of the model's *other* versions combined (absent if they had no traffic)."""
    def failed(group: Grouping) -> str:
        return sum_rate(m.INFERENCE_REQUEST_FAILURE, sel, group)

    return _others(failed, lambda group: f"({success_rate(sel, group)} + {failed(group)})", by)


def other_versions_request_time(sel: Selector = DEFAULT_SELECTOR, by: Grouping = MODEL_GROUPING) -> str:
    """For each version, the request time (s) of the model's other versions combined."""
    return _others(lambda group: sum_rate(m.INFERENCE_REQUEST_DURATION, sel, group),
                   lambda group: success_rate(sel, group), by, scale=US_PER_S)
