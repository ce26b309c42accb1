"""House defaults for the built-in dashboards."""

from __future__ import annotations

from collections.abc import Sequence

import grafanalib.core as G

__all__ = ["default_dashboard"]


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
