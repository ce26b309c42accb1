"""The fleet's facts, read once and shared by every command (the profile).

    from triton_dash.profile import DEFAULT_DATASOURCE_UID
"""

from __future__ import annotations

__all__ = ["DEFAULT_DATASOURCE_UID"]

#: The uid of the Prometheus datasource the dashboards' ``datasource`` variable selects by default.
DEFAULT_DATASOURCE_UID = "prometheus"
