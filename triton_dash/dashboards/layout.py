"""House defaults for the built-in dashboards."""

from __future__ import annotations

from collections.abc import Sequence

import grafanalib.core as G

from ..panels import DataSource, PanelScope
from ..profile import Profile
from ..selector import ResponseCache, Selector

__all__ = ["default_dashboard", "panel_scope", "resolve_profile"]


def default_dashboard(
    *, title: str, uid: str, description: str, tags: Sequence[str], panels: Sequence[G.Panel],
    variables: Sequence[G.Template],
) -> G.Dashboard:
    """Last hour, 30 s refresh, shared crosshair, browser time zone."""
    return G.Dashboard(
        title=title, uid=uid, description=description, tags=list(tags), panels=list(panels),
        templating=G.Templating(list=list(variables)), refresh="30s", graphTooltip=1,
        timezone="browser", time=G.Time("now-1h", "now"),
    )


def resolve_profile(profile: Profile | None, *, recording_rules: bool = False,
                    cluster_label: str | None = None) -> Profile:
    """The profile a builder works with: ``profile``, or the defaults, with the older keyword arguments
    (``recording_rules=True``, ``cluster_label="cluster"``) applied on top."""
    return (profile or Profile()).with_(recording_rules=recording_rules or None, cluster_label=cluster_label)


def panel_scope(selector: Selector, datasource: DataSource, profile: Profile) -> PanelScope:
    """What every panel of a built-in dashboard gets: the profile's selector and the datasource.

    A fact the caller's ``selector`` already states (recorded, a cluster label) is kept where the profile
    leaves it at its default.
    """
    chosen = profile.dashboard_selector(selector)
    chosen = chosen.with_(
        recording_rules=profile.recording_rules or selector.recording_rules,
        cluster_label=profile.cluster_label or selector.cluster_label,
        response_cache=(selector.response_cache if profile.response_cache is ResponseCache.AUTO
                        else profile.response_cache),
    )
    return {"selector": chosen, "datasource": datasource}
