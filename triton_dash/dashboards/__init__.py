"""The built-in dashboards, as grafanalib ``Dashboard`` objects.

``BUILTIN`` maps each output file stem to the function that builds it; the
``build`` command compiles them all to ``dashboards/<stem>.json``.
"""

from typing import Protocol

import grafanalib.core as G

from ..profile import Profile
from .llm import TRITON_LLM_UID, triton_llm
from .slo import TRITON_SLO_UID, triton_slo
from .stack import TRITON_STACK_UID, monitoring_stack
from .triton import TRITON_OVERVIEW_UID, triton_overview
from .variables import datasource_variable, gpu_variable, label_variable, triton_variables


class DashboardBuilder(Protocol):
    """A built-in dashboard: everything it reads comes from the profile."""

    def __call__(self, *, profile: Profile | None = None) -> G.Dashboard: ...


BUILTIN: dict[str, DashboardBuilder] = {
    "triton-llm": triton_llm,
    "triton-overview": triton_overview,
    "triton-slo": triton_slo,
    "triton-stack": monitoring_stack,
}

__all__ = [
    "BUILTIN",
    "TRITON_LLM_UID",
    "TRITON_OVERVIEW_UID",
    "TRITON_SLO_UID",
    "TRITON_STACK_UID",
    "DashboardBuilder",
    "datasource_variable",
    "gpu_variable",
    "label_variable",
    "monitoring_stack",
    "triton_llm",
    "triton_overview",
    "triton_slo",
    "triton_variables",
]
