"""Folders and dashboards through Grafana's legacy routes (``/api/folders``, ``/api/dashboards``).

Every Grafana from 9 to 13 serves them (deprecated from 13, "not being disabled
for the moment"). Saves use ``overwrite``, so a concurrent edit never stops a
push (412 on Grafana <= 13.0, 409 on newer builds cannot happen); ``--prune``
finds candidates with ``GET /api/search`` by folder and tag.

    api = LegacyApi(GrafanaClient("http://localhost:3000", token="glsa_..."))
    api.get_dashboard("triton-overview").version
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .api import ApiChoice, StoredDashboard, StoredFolder
from .client import GrafanaClient, GrafanaError

__all__ = ["LegacyApi"]

NO_LEGACY_HINT = "; this Grafana has no legacy dashboard API: use --api current (or auto)"


class LegacyApi:
    """:class:`~triton_dash.grafana.api.DashboardApi` on ``/api/...``."""

    kind = ApiChoice.LEGACY

    def __init__(self, client: GrafanaClient, reason: str = "") -> None:
        self.client = client
        self.description = "/api/dashboards, /api/folders" + (f" ({reason})" if reason else "")

    def _gone(self, exc: GrafanaError) -> GrafanaError:
        """A 404 on a write route: the legacy API is switched off on this server."""
        if exc.status == 404:
            return GrafanaError(str(exc) + NO_LEGACY_HINT, exc.status, exc.body)
        return exc

    def _folder(self, body: Mapping[str, Any]) -> StoredFolder:
        return StoredFolder(str(body.get("uid") or ""), str(body.get("title") or ""), body.get("version"),
                            self.client.url + str(body.get("url") or ""))

    def get_folder(self, uid: str) -> StoredFolder | None:
        body = self.client.get_folder(uid)
        return None if body is None else self._folder(body)

    def create_folder(self, uid: str, title: str) -> StoredFolder:
        try:
            return self._folder(self.client.create_folder(uid, title))
        except GrafanaError as exc:
            if not exc.conflict:
                raise self._gone(exc) from exc
            existing = self.client.get_folder(uid)  # created meanwhile: fine
            return self._folder(existing or {"uid": uid, "title": title})

    def rename_folder(self, folder: StoredFolder, title: str) -> StoredFolder:
        version = folder.version if isinstance(folder.version, int) else None
        renamed = self.client.update_folder(folder.uid, title, version)
        url = self.client.url + str(renamed["url"]) if renamed.get("url") else folder.url
        return StoredFolder(folder.uid, str(renamed.get("title") or title), renamed.get("version"), url)

    def get_dashboard(self, uid: str) -> StoredDashboard | None:
        body = self.client.get_dashboard(uid)
        if body is None or not isinstance(body.get("dashboard"), Mapping):
            return None
        spec, meta = dict(body["dashboard"]), dict(body.get("meta") or {})
        return StoredDashboard(uid, str(spec.get("title") or uid), spec, str(meta.get("folderUid") or ""),
                               spec.get("version"), self.client.url + str(meta.get("url") or ""),
                               tags=tuple(str(t) for t in spec.get("tags") or ()))

    def save_dashboard(self, doc: Mapping[str, Any], *, folder_uid: str, message: str,
                       stored: StoredDashboard | None) -> StoredDashboard:
        try:
            saved = self.client.save_dashboard(doc, folder_uid=folder_uid, message=message)
        except GrafanaError as exc:
            raise self._gone(exc) from exc
        return StoredDashboard(str(doc["uid"]), str(doc.get("title") or ""), doc, folder_uid, saved.get("version"),
                               self.client.url + str(saved.get("url") or ""))

    def dashboards_in_folder(self, folder_uid: str, tag: str) -> list[StoredDashboard]:
        found = []
        for item in self.client.search_dashboards(folder_uid=folder_uid, tag=tag):
            uid = str(item.get("uid") or "")
            if uid:
                found.append(StoredDashboard(uid, str(item.get("title") or uid), {}, str(item.get("folderUid") or ""),
                                             url=self.client.url + str(item.get("url") or ""),
                                             tags=tuple(str(t) for t in item.get("tags") or ())))
        return found

    def delete_dashboard(self, uid: str) -> None:
        self.client.delete_dashboard(uid)
