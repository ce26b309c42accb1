"""Test-session setup: the ``live`` tests run only when GRAFANA_URL names a real Grafana."""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect (not skip) the live Grafana tests when no Grafana is given."""
    if os.environ.get("GRAFANA_URL"):
        return
    live = [item for item in items if item.get_closest_marker("live")]
    if live:
        config.hook.pytest_deselected(items=live)
        items[:] = [item for item in items if not item.get_closest_marker("live")]
