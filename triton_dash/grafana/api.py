"""The one small interface push talks to, over Grafana's two dashboard APIs.

Grafana stores dashboards and folders once but serves them two ways: the legacy
``/api/dashboards`` and ``/api/folders`` routes (every Grafana; deprecated in 13)
and the Kubernetes-style ``/apis/dashboard.grafana.app`` and
``/apis/folder.grafana.app`` groups (``v1`` is GA from Grafana 13).
:class:`DashboardApi` is what :func:`triton_dash.grafana.push.push` needs from
either; :mod:`~triton_dash.grafana.legacy_api` and
:mod:`~triton_dash.grafana.current_api` implement it, and
:mod:`~triton_dash.grafana.discovery` picks one.

    api = select_api(client, ApiChoice.AUTO)          # from triton_dash.grafana.discovery
    stored = api.get_dashboard("triton-overview")
    same_content(stored, doc, "triton")               # True: nothing to write
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol

__all__ = [
    "MANAGED_LABEL",
    "MANAGER",
    "VOLATILE_KEYS",
    "ApiChoice",
    "DashboardApi",
    "StoredDashboard",
    "StoredFolder",
    "normalised",
    "same_content",
]

#: Kubernetes' recommended label for the tool that manages an object; push sets it on /apis writes.
MANAGED_LABEL = "app.kubernetes.io/managed-by"
MANAGER = "triton-dash"
#: Keys Grafana sets itself (or lifts into metadata on /apis): never compared, never a reason to write.
VOLATILE_KEYS = ("id", "uid", "version", "iteration")


class ApiChoice(str, Enum):
    """``push --api``: which of Grafana's dashboard APIs to use."""

    AUTO = "auto"  # the current API when GET /apis offers dashboard.grafana.app/v1, the legacy one otherwise
    LEGACY = "legacy"  # /api/dashboards/db, /api/folders (Grafana 9-13)
    CURRENT = "current"  # /apis/dashboard.grafana.app/v1 and /apis/folder.grafana.app/v1 (Grafana 13+)


@dataclass(frozen=True)
class StoredFolder:
    """A folder as Grafana holds it; ``resource_version`` only on /apis."""

    uid: str
    title: str
    version: int | str | None = None
    url: str = ""
    resource_version: str = ""


@dataclass(frozen=True)
class StoredDashboard:
    """A dashboard as Grafana holds it.

    ``spec`` is the classic dashboard JSON (empty for a search hit, which only
    carries ``tags``); ``labels`` and ``managed_by`` (the ``grafana.app/managedBy``
    annotation) exist only on /apis.
    """

    uid: str
    title: str
    spec: Mapping[str, Any]
    folder_uid: str
    version: int | str | None = None
    url: str = ""
    resource_version: str = ""
    tags: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    managed_by: str = ""


class DashboardApi(Protocol):
    """Folders and dashboards through one of Grafana's APIs. Errors raise ``GrafanaError``."""

    #: ``legacy`` or ``current``: the result column of push's ``api`` row.
    kind: ApiChoice
    #: What was used, for people: e.g. ``dashboard.grafana.app/v1, folder.grafana.app/v1, namespace default``.
    description: str

    def get_folder(self, uid: str) -> StoredFolder | None: ...

    def create_folder(self, uid: str, title: str) -> StoredFolder:
        """Create; a folder with this uid that appeared meanwhile is returned, not an error."""
        ...

    def rename_folder(self, folder: StoredFolder, title: str) -> StoredFolder: ...

    def get_dashboard(self, uid: str) -> StoredDashboard | None: ...

    def save_dashboard(self, doc: Mapping[str, Any], *, folder_uid: str, message: str,
                       stored: StoredDashboard | None) -> StoredDashboard:
        """Create (``stored`` None) or update ``doc``; concurrent changes do not stop the write."""
        ...

    def dashboards_in_folder(self, folder_uid: str, tag: str) -> list[StoredDashboard]:
        """Candidates for ``--prune``: dashboards in ``folder_uid`` that carry ``tag`` or push's label."""
        ...

    def delete_dashboard(self, uid: str) -> None:
        """Delete; one already gone is not an error."""
        ...


def normalised(doc: Mapping[str, Any]) -> str:
    """The dashboard JSON without the keys Grafana owns, as stable text (for comparing and diffing)."""
    return json.dumps({k: v for k, v in doc.items() if k not in VOLATILE_KEYS}, sort_keys=True, indent=1)


def same_content(stored: StoredDashboard | None, doc: Mapping[str, Any], folder_uid: str) -> bool:
    """True when Grafana already holds ``doc`` in ``folder_uid``: nothing to write."""
    return stored is not None and stored.folder_uid == folder_uid and normalised(stored.spec) == normalised(doc)
