"""House defaults for the built-in dashboards."""

from __future__ import annotations

from collections.abc import Sequence

import grafanalib.core as G

from ..panels import DataSource, PanelScope
from ..selector import Selector

__all__ = ["default_dashboard", "panel_scope"]


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


def panel_scope(selector: Selector, datasource: DataSource, *, recording_rules: bool,
                cluster_label: str | None) -> PanelScope:
    """What every panel of a built-in dashboard gets: the selector (recorded, clustered) and the datasource."""
    if recording_rules:
        selector = selector.with_(recorded=True)
    if cluster_label:
        selector = selector.with_(cluster_label=cluster_label)
    return {"selector": selector, "datasource": datasource}
