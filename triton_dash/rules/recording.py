"""Recording rules: every counter the panels divide, per job, model and version (and cluster)."""

from __future__ import annotations

from typing import Any

from .. import queries as q
from ..metrics.recorded import (
    RECORDED_COUNTERS,
    RECORDING_WINDOW,
    executed_requests,
    overhead_duration,
    recording_labels,
    recording_rule,
)
from ..profile import Profile
from ..selector import Selector

__all__ = ["recording_rules"]

#: Raw series, the recording window: what the derived recordings compute from (never from other recordings,
#: which vmalert would read before they are written within the same group).
_RAW = Selector.fixed(rate_interval=RECORDING_WINDOW)


def recording_rules(cluster_label: str | None = None, *, profile: Profile | None = None) -> dict[str, Any]:
    """One group recording every counter the panels divide, per job, model and version.

    Last come two derived recordings, so that every recorded per-request panel
    reads two series: executed requests (successes minus cache hits, as the
    profile's ``response_cache`` says) and the overhead duration (request minus
    its four phases). ``cluster_label`` (or the profile's) keeps that label.
    """
    profile = profile or Profile()
    cluster_label = cluster_label or profile.cluster_label
    raw = _RAW.with_(response_cache=profile.response_cache)
    by = recording_labels(cluster_label)
    derived = [{"record": executed_requests(cluster_label).name, "expr": q.executed_request_rate(raw, by)},
               {"record": overhead_duration(cluster_label).name, "expr": q.overhead_duration_rate(raw, by)}]
    return {"name": "triton_dash.recording", "interval": "30s",
            "rules": [recording_rule(metric, cluster_label) for metric in RECORDED_COUNTERS] + derived}
