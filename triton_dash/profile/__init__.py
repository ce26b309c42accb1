"""The fleet's facts, read once and shared by every command (the profile).

- :mod:`triton_dash.profile.model`: :class:`Profile`, the one frozen object, and the one way to make a
  dashboard selector, a fixed selector, a grouping with the cluster label and the alert thresholds;
- :mod:`triton_dash.profile.alerts`: :class:`AlertConfig`, the alert thresholds and durations;
- :mod:`triton_dash.profile.load`: reading it from ``triton-dash.toml`` or ``[tool.triton-dash]``.

    from triton_dash.profile import load_profile
    profile = load_profile().profile          # triton-dash.toml in the working directory, or defaults
    selector = profile.dashboard_selector()
"""

from __future__ import annotations

from .alerts import AlertConfig
from .load import PROFILE_FILE, LoadedProfile, ProfileError, load_profile
from .model import GpuSource, Profile

__all__ = ["DEFAULT_DATASOURCE_UID", "PROFILE_FILE", "AlertConfig", "GpuSource", "LoadedProfile", "Profile",
           "ProfileError", "load_profile"]

#: The uid of the Prometheus datasource the dashboards' ``datasource`` variable selects by default.
DEFAULT_DATASOURCE_UID = "prometheus"
