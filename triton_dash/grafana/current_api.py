"""Folders and dashboards through Grafana's current API: ``/apis/dashboard.grafana.app/v1``.

Grafana 13 made ``dashboard.grafana.app/v1`` and ``folder.grafana.app/v1`` GA
(Kubernetes-style objects; the legacy routes are deprecated). An object is
``{apiVersion, kind, metadata, spec}``: ``metadata.name`` is the uid, the folder
is the ``grafana.app/folder`` annotation, ``spec`` is the classic dashboard JSON
(or ``{title}`` for a folder). Every write carries:

- the label ``app.kubernetes.io/managed-by: triton-dash`` (``--prune`` also
  recognises the ``triton-dash`` tag, since some servers ignore custom labels);
- the annotation ``grafana.app/message`` (the version-history message);
- on update, the ``metadata.resourceVersion`` that was read (optimistic
  locking). A 409 (someone changed it meanwhile, or our own retried request
  already landed) re-reads the object: when it now equals ours nothing more is
  written, otherwise the write is repeated with the fresh resourceVersion, at
  most :data:`CONFLICT_ATTEMPTS` times. A 409 on create (it exists already)
  is handled the same way, so a retried POST never makes a second copy.

    api = CurrentApi(client, namespace="default")
    api.get_dashboard("triton-overview").resource_version
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlencode

from .api import MANAGED_LABEL, MANAGER, ApiChoice, StoredDashboard, StoredFolder, same_content
from .client import Action, GrafanaClient, GrafanaError

__all__ = ["CONFLICT_ATTEMPTS", "DASHBOARD_GROUP", "FOLDER_GROUP", "CurrentApi"]

DASHBOARD_GROUP = "dashboard.grafana.app"
FOLDER_GROUP = "folder.grafana.app"
FOLDER_ANNOTATION = "grafana.app/folder"
MESSAGE_ANNOTATION = "grafana.app/message"
MANAGED_BY_ANNOTATION = "grafana.app/managedBy"
CONFLICT_ATTEMPTS = 5
LIST_PAGE = 500
_LOOKUP = frozenset({404})


class CurrentApi:
    """:class:`~triton_dash.grafana.api.DashboardApi` on ``/apis/<group>/<version>/namespaces/<ns>/...``."""

    kind = ApiChoice.CURRENT

    def __init__(self, client: GrafanaClient, *, namespace: str = "default", dashboard_version: str = "v1",
                 folder_version: str = "v1") -> None:
        self.client = client
        self.namespace = namespace
        self.dashboard_version = dashboard_version
        self.folder_version = folder_version
        self.description = (f"{DASHBOARD_GROUP}/{dashboard_version}, {FOLDER_GROUP}/{folder_version}, "
                            f"namespace {namespace}")

    # --- transport ---------------------------------------------------------------------------

    def _path(self, group: str, version: str, resource: str, name: str = "") -> str:
        base = f"/apis/{group}/{version}/namespaces/{self.namespace}/{resource}"
        return f"{base}/{name}" if name else base

    def _dashboards(self, name: str = "") -> str:
        return self._path(DASHBOARD_GROUP, self.dashboard_version, "dashboards", name)

    def _folders(self, name: str = "") -> str:
        return self._path(FOLDER_GROUP, self.folder_version, "folders", name)

    def _call(self, method: str, path: str, action: Action, *, json: Any = None,
              allow: frozenset[int] = frozenset()) -> tuple[int, Any]:
        try:
            return self.client.request(method, path, action, json=json, allow=allow)
        except GrafanaError as exc:
            if exc.status in (403, 404):
                hint = (f"; if namespace {self.namespace!r} is not this Grafana's, pass --namespace (org-<id> for "
                        "another org, stacks-<id> on Grafana Cloud), or use --api legacy")
                raise GrafanaError(str(exc) + hint, exc.status, exc.body) from exc
            raise

    # --- folders -----------------------------------------------------------------------------

    def _folder(self, obj: Mapping[str, Any]) -> StoredFolder:
        meta, spec = obj.get("metadata") or {}, obj.get("spec") or {}
        uid = str(meta.get("name") or "")
        return StoredFolder(uid, str(spec.get("title") or ""), meta.get("generation"),
                            f"{self.client.url}/dashboards/f/{uid}/", str(meta.get("resourceVersion") or ""))

    def _folder_object(self, uid: str, title: str, resource_version: str = "") -> dict[str, Any]:
        metadata: dict[str, Any] = {"name": uid, "labels": {MANAGED_LABEL: MANAGER}}
        if resource_version:
            metadata["resourceVersion"] = resource_version
        return {"apiVersion": f"{FOLDER_GROUP}/{self.folder_version}", "kind": "Folder", "metadata": metadata,
                "spec": {"title": title}}

    def get_folder(self, uid: str) -> StoredFolder | None:
        status, body = self._call("GET", self._folders(uid), Action(f"read folder {uid!r}", "folders:read"),
                                  allow=_LOOKUP)
        return None if status == 404 else self._folder(body)

    def create_folder(self, uid: str, title: str) -> StoredFolder:
        action = Action(f"create folder {title!r}", "folders:create")
        try:
            _, body = self._call("POST", self._folders(), action, json=self._folder_object(uid, title))
            return self._folder(body)
        except GrafanaError as exc:
            existing = self.get_folder(uid) if exc.status == 409 else None
            if existing is None:
                raise
        return existing if existing.title == title else self.rename_folder(existing, title)

    def rename_folder(self, folder: StoredFolder, title: str) -> StoredFolder:
        action = Action(f"rename folder {folder.uid!r} to {title!r}", "folders:write")
        current: StoredFolder | None = folder
        for _ in range(CONFLICT_ATTEMPTS):
            if current is None:
                return self.create_folder(folder.uid, title)
            if current.title == title and current is not folder:
                return current
            body = self._folder_object(folder.uid, title, current.resource_version)
            try:
                _, saved = self._call("PUT", self._folders(folder.uid), action, json=body)
                return self._folder(saved)
            except GrafanaError as exc:
                if exc.status != 409:
                    raise
            current = self.get_folder(folder.uid)
        raise _kept_changing(f"folder {folder.uid!r}")

    # --- dashboards --------------------------------------------------------------------------

    def _dashboard(self, obj: Mapping[str, Any]) -> StoredDashboard:
        meta, spec = obj.get("metadata") or {}, dict(obj.get("spec") or {})
        annotations, labels = meta.get("annotations") or {}, meta.get("labels") or {}
        uid = str(meta.get("name") or "")
        return StoredDashboard(uid, str(spec.get("title") or uid), spec, str(annotations.get(FOLDER_ANNOTATION) or ""),
                               meta.get("generation"), f"{self.client.url}/d/{uid}",
                               str(meta.get("resourceVersion") or ""), tuple(str(t) for t in spec.get("tags") or ()),
                               {str(k): str(v) for k, v in labels.items()},
                               str(annotations.get(MANAGED_BY_ANNOTATION) or ""))

    def _dashboard_object(self, doc: Mapping[str, Any], folder_uid: str, message: str,
                          resource_version: str = "") -> dict[str, Any]:
        annotations = {MESSAGE_ANNOTATION: message[:500]}
        if folder_uid:
            annotations[FOLDER_ANNOTATION] = folder_uid
        metadata: dict[str, Any] = {"name": doc["uid"], "labels": {MANAGED_LABEL: MANAGER},
                                    "annotations": annotations}
        if resource_version:
            metadata["resourceVersion"] = resource_version
        spec = {k: v for k, v in doc.items() if k not in ("id", "version")}
        return {"apiVersion": f"{DASHBOARD_GROUP}/{self.dashboard_version}", "kind": "Dashboard",
                "metadata": metadata, "spec": spec}

    def get_dashboard(self, uid: str) -> StoredDashboard | None:
        status, body = self._call("GET", self._dashboards(uid),
                                  Action(f"read dashboard {uid!r}", "dashboards:read"), allow=_LOOKUP)
        return None if status == 404 else self._dashboard(body)

    def save_dashboard(self, doc: Mapping[str, Any], *, folder_uid: str, message: str,
                       stored: StoredDashboard | None) -> StoredDashboard:
        uid = str(doc["uid"])
        if not uid:
            raise GrafanaError(f"dashboard {doc.get('title')!r} has no uid; refusing to create a duplicate")
        action = Action(f"save dashboard {uid!r}", "dashboards:write" if stored else "dashboards:create")
        for _ in range(CONFLICT_ATTEMPTS):
            try:
                if stored is None:
                    _, body = self._call("POST", self._dashboards(), action,
                                         json=self._dashboard_object(doc, folder_uid, message))
                else:
                    _, body = self._call("PUT", self._dashboards(uid), action,
                                         json=self._dashboard_object(doc, folder_uid, message,
                                                                     stored.resource_version))
                return self._dashboard(body)
            except GrafanaError as exc:
                if exc.status == 404 and stored is not None:  # deleted since we read it: create it again
                    stored = None
                    continue
                if exc.status != 409:
                    raise
            # Exists already (create) or changed since we read it (update): read it again.
            stored = self.get_dashboard(uid)
            if same_content(stored, doc, folder_uid):
                assert stored is not None
                return stored
        raise _kept_changing(f"dashboard {uid!r}")

    def _list(self) -> Iterator[Mapping[str, Any]]:
        token = ""
        while True:
            query = {"limit": LIST_PAGE, **({"continue": token} if token else {})}
            _, body = self._call("GET", f"{self._dashboards()}?{urlencode(query)}",
                                 Action("list dashboards", "dashboards:read"))
            yield from (item for item in (body or {}).get("items") or [] if isinstance(item, Mapping))
            token = str(((body or {}).get("metadata") or {}).get("continue") or "")
            if not token:
                return

    def dashboards_in_folder(self, folder_uid: str, tag: str) -> list[StoredDashboard]:
        found = [self._dashboard(item) for item in self._list()]
        return [d for d in found if d.folder_uid == folder_uid
                and (tag in d.tags or d.labels.get(MANAGED_LABEL) == MANAGER)]

    def delete_dashboard(self, uid: str) -> None:
        self._call("DELETE", self._dashboards(uid), Action(f"delete dashboard {uid!r}", "dashboards:delete"),
                   allow=_LOOKUP)


def _kept_changing(what: str) -> GrafanaError:
    return GrafanaError(f"{what} kept changing while push wrote it ({CONFLICT_ATTEMPTS} conflicts in a row, "
                        "409); stop the other writer, or run push again", 409)
