"""A local Grafana stand-in that follows Grafana's documented HTTP contract (the parts push uses).

Threaded, on 127.0.0.1. It checks auth (Bearer token or basic; /api/health is
open), keeps folders, datasources and dashboards by uid, raises versions on each
save, answers 400 "folder not found" for an unknown folder uid, 412 (Grafana <=
13.0) or 409 (newer) on a stale dashboard version without overwrite, 409 on a
duplicate datasource name or uid, and 403 for a read-only token or datasource.
It also searches (``GET /api/search``: a bare array, ``type``/``folderUIDs``/``tag``
filters, 500 for an unknown type), deletes dashboards (400 for a provisioned one)
and renames folders (``PUT /api/folders/:uid``, 412 on a stale version).
``faults`` injects 503s and dropped connections before a request is handled, or
("drop-after") a connection dropped after the request was handled (the write
landed, the client never hears so).

The current API (Grafana 12/13, ../shared/reference/grafana-12-13.md §1.3-1.4 and
grafana-http-api.md §5), served when ``apis`` names the group versions (see
:meth:`GrafanaState.grafana13`): ``GET /apis`` is the ``APIGroupList``;
``/apis/dashboard.grafana.app/<v>/namespaces/<ns>/dashboards[/<name>]`` and
``/apis/folder.grafana.app/<v>/namespaces/<ns>/folders[/<name>]`` create (201,
409 AlreadyExists), read (404 NotFound), replace (PUT: 409 Conflict when the
body's ``metadata.resourceVersion`` is not the stored one; none = unconditional),
list (``limit``/``continue``) and delete (a ``Status`` object). ``metadata.name``
is the uid, the folder is the ``grafana.app/folder`` annotation, every change
raises one global ``resourceVersion`` and a spec change raises ``generation``
(which the legacy routes show as ``version``: both APIs see one store). Errors
are Kubernetes ``Status`` objects; a namespace other than ``namespace`` is 403
(the stub's choice; the reference does not give Grafana's body). With
``legacy_dashboards=False`` the legacy dashboard and folder routes answer 404
``Not Found``, as a server with them switched off does. ``GET /api/org`` gives
the token's org. ``interfere(method, path, state)`` runs, under the lock, before
each authorised request is routed: a test's concurrent editor.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

UID = re.compile(r"^[a-zA-Z0-9_-]*$")
Fault = Callable[[str, str], str | None]  # (method, path) -> None | "503" | "drop" | "drop-after"
Interfere = Callable[[str, str, "GrafanaState"], None]
CURRENT_GROUPS = {"dashboard.grafana.app": ("v0alpha1", "v1beta1", "v1", "v2beta1", "v2"),
                  "folder.grafana.app": ("v1beta1", "v1")}
CURRENT_RESOURCES = {"dashboard.grafana.app": "dashboards", "folder.grafana.app": "folders"}
FOLDER_ANNOTATION = "grafana.app/folder"
TIMESTAMP = "2026-12-04T00:00:00Z"


@dataclass
class GrafanaState:
    token: str = "glsa_test_token"
    viewer_token: str = "glsa_viewer"
    user: str = "admin"
    password: str = "admin"
    conflict_status: int = 412  # 409 for Grafana 13.1+
    version: str = "11.3.0"
    folders: dict[str, dict[str, Any]] = field(default_factory=dict)
    datasources: dict[str, dict[str, Any]] = field(default_factory=dict)
    dashboards: dict[str, dict[str, Any]] = field(default_factory=dict)
    writes: list[tuple[str, str]] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    faults: Fault | None = None
    interfere: Interfere | None = None
    apis: dict[str, tuple[str, ...]] = field(default_factory=dict)  # {} = no /apis (Grafana 11)
    legacy_dashboards: bool = True
    namespace: str = "default"
    org_id: int = 1
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_id: int = 1
    resource_version: int = 1000

    @classmethod
    def grafana13(cls, **overrides: Any) -> GrafanaState:
        """A Grafana 13.1: /apis with dashboard.grafana.app v1 (and v1beta1, v2), folder.grafana.app v1; 409s."""
        settings: dict[str, Any] = {"version": "13.1.0", "conflict_status": 409, "apis": dict(CURRENT_GROUPS)}
        return cls(**{**settings, **overrides})

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def new_rv(self) -> str:
        self.resource_version += 1
        return str(self.resource_version)


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    query: dict[str, list[str]]
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    # --- plumbing ----------------------------------------------------------------------------
    def _send(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _json(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw or b"null")
        except ValueError:
            return None

    def _role(self) -> str | None:
        state = self.server.state
        auth = self.headers.get("Authorization", "")
        if auth == f"Bearer {state.token}":
            return "admin"
        if auth == f"Bearer {state.viewer_token}":
            return "viewer"
        if auth.startswith("Basic "):
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            if (user, password) == (state.user, state.password):
                return "admin"
        return None

    def _dispatch(self, method: str) -> None:
        state = self.server.state
        path, _, query = self.path.partition("?")
        self.query = parse_qs(query)
        body = self._json() if method in ("POST", "PUT") else None
        with state.lock:
            state.requests.append((method, path))
            fault = state.faults(method, path) if state.faults else None
        if fault == "drop":
            self._drop()
            return
        if fault == "503":
            self._send(503, {"message": "Service Unavailable"})
            return
        if path == "/api/health":
            self._send(200, {"commit": "abc1234", "database": "ok", "version": state.version})
            return
        role = self._role()
        if role is None:
            self._send(401, {"extra": None, "message": "Unauthorized", "messageId": "auth.unauthorized",
                             "statusCode": 401, "traceID": ""})
            return
        if method != "GET" and role != "admin":
            self._send(403, {"title": "Access denied", "accessErrorId": "ACE1",
                             "message": "You'll need additional permissions to perform this action. "
                                        "Permissions needed: dashboards:create"})
            return
        with state.lock:
            if state.interfere:
                state.interfere(method, path, state)
            if path.startswith("/apis"):
                status, reply = CurrentRoutes(state, self.query).route(method, path, body)
            else:
                status, reply = self._route(method, path, body)
            if method != "GET" and status < 300:
                state.writes.append((method, path))
        if fault == "drop-after":
            self._drop()
            return
        self._send(status, reply)

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    # --- the API -----------------------------------------------------------------------------
    def _route(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        state = self.server.state
        if path == "/api/org" and method == "GET":
            return 200, {"id": state.org_id, "name": "Main Org." if state.org_id == 1 else f"Org {state.org_id}",
                         "address": {}}
        if not state.legacy_dashboards and path.startswith(("/api/dashboards", "/api/folders")):
            return 404, {"message": "Not Found"}
        if match := re.fullmatch(r"/api/folders/([^/]+)", path):
            folder = state.folders.get(match[1])
            if folder is None:
                return 404, {"status": "not-found", "message": "folder not found"}
            return (200, folder) if method == "GET" else self._update_folder(folder, body or {})
        if path == "/api/search" and method == "GET":
            return self._search()
        if path == "/api/folders" and method == "POST":
            return self._create_folder(body or {})
        if match := re.fullmatch(r"/api/datasources/uid/([^/]+)", path):
            ds = state.datasources.get(match[1])
            if ds is None:
                return 404, {"message": "Data source not found"}
            return (200, ds) if method == "GET" else self._update_datasource(ds, body or {})
        if path == "/api/datasources" and method == "POST":
            return self._create_datasource(body or {})
        if match := re.fullmatch(r"/api/dashboards/uid/([^/]+)", path):
            saved = state.dashboards.get(match[1])
            if saved is None:
                return 404, {"message": "Dashboard not found", "traceID": ""}
            if method == "DELETE":
                if saved.get("provisioned"):
                    return 400, {"message": "provisioned dashboard cannot be deleted"}
                del state.dashboards[match[1]]
                title = saved["dashboard"]["title"]
                return 200, {"title": title, "message": f"Dashboard {title} deleted", "uid": match[1]}
            return 200, {"dashboard": saved["dashboard"], "meta": {
                "folderUid": saved["folderUid"], "url": saved["url"], "version": saved["dashboard"]["version"],
                "slug": _slug(saved["dashboard"]["title"]), "provisioned": False}}
        if path == "/api/dashboards/db" and method == "POST":
            return self._save_dashboard(body)
        return 404, {"message": "Not Found"}

    def _create_folder(self, body: dict[str, Any]) -> tuple[int, Any]:
        state = self.server.state
        title, uid = str(body.get("title") or "").strip(), str(body.get("uid") or "")
        if not title:
            return 400, {"message": "folder title cannot be empty"}
        if not UID.match(uid) or len(uid) > 40:
            return 400, {"message": "uid contains illegal characters"}
        if uid in state.folders:
            return 412, {"status": "version-mismatch", "message": "the folder has been changed by someone else"}
        folder = {"id": state.new_id(), "uid": uid, "title": title, "url": f"/dashboards/f/{uid}/{_slug(title)}",
                  "version": 1, "resourceVersion": state.new_rv()}
        state.folders[uid] = folder
        return 200, folder

    def _update_folder(self, folder: dict[str, Any], body: dict[str, Any]) -> tuple[int, Any]:
        """PUT /api/folders/:uid: a stale version without overwrite is 412 version-mismatch."""
        title = str(body.get("title") or "").strip()
        if not title:
            return 400, {"message": "folder title cannot be empty"}
        if not body.get("overwrite") and body.get("version") != folder["version"]:
            return 412, {"status": "version-mismatch", "message": "the folder has been changed by someone else"}
        folder.update(title=title, version=folder["version"] + 1,
                      url=f"/dashboards/f/{folder['uid']}/{_slug(title)}", resourceVersion=self.server.state.new_rv())
        return 200, folder

    def _search(self) -> tuple[int, Any]:
        """GET /api/search: a bare array; filters type, folderUIDs, tag (all must match), limit, page."""
        state, query = self.server.state, self.query
        kind = (query.get("type") or [""])[0]
        if kind not in ("", "dash-db", "dash-folder"):
            return 500, {"message": "Search failed"}
        folders = set(",".join(query.get("folderUIDs", [])).split(",")) - {""}
        tags = set(query.get("tag", []))
        limit = min(int((query.get("limit") or ["1000"])[0]), 5000)
        page = int((query.get("page") or ["1"])[0])
        hits = []
        for uid, saved in sorted(state.dashboards.items()):
            dash = saved["dashboard"]
            if kind == "dash-folder" or (folders and saved["folderUid"] not in folders):
                continue
            if not tags <= set(dash.get("tags") or []):
                continue
            hit = {"id": dash["id"], "uid": uid, "orgId": 1, "title": dash["title"],
                   "uri": f"db/{_slug(dash['title'])}", "url": saved["url"], "slug": "", "type": "dash-db",
                   "tags": dash.get("tags") or [],
                   "isStarred": False, "sortMeta": 0}
            if saved["folderUid"]:
                folder = state.folders[saved["folderUid"]]
                hit.update(folderId=folder["id"], folderUid=folder["uid"], folderTitle=folder["title"],
                           folderUrl=folder["url"])
            hits.append(hit)
        return 200, hits[(page - 1) * limit: page * limit]

    def _create_datasource(self, body: dict[str, Any]) -> tuple[int, Any]:
        state = self.server.state
        if not body.get("type") or not body.get("access"):
            return 400, {"message": "bad request data"}
        if any(ds["name"] == body.get("name") for ds in state.datasources.values()):
            return 409, {"message": "data source with the same name already exists"}
        uid = body.get("uid") or f"ds{state.next_id}"
        if uid in state.datasources:
            return 409, {"message": "data source with the same uid already exists"}
        ds = {**body, "id": state.new_id(), "uid": uid, "orgId": 1, "version": 1, "readOnly": False,
              "basicAuth": False, "isDefault": False, "secureJsonFields": {}}
        state.datasources[uid] = ds
        return 200, {"datasource": ds, "id": ds["id"], "message": "Datasource added", "name": ds["name"]}

    def _update_datasource(self, ds: dict[str, Any], body: dict[str, Any]) -> tuple[int, Any]:
        state = self.server.state
        if ds.get("readOnly"):
            return 403, {"message": "Cannot update read-only data source"}
        if any(o["name"] == body.get("name") and o["uid"] != ds["uid"] for o in state.datasources.values()):
            return 409, {"message": "Failed to update datasource: data source with the same name already exists"}
        ds.update({k: v for k, v in body.items() if k not in ("id", "uid", "version")})
        ds["version"] += 1
        return 200, {"message": "Datasource updated", "id": ds["id"], "name": ds["name"], "datasource": ds}

    def _save_dashboard(self, body: Any) -> tuple[int, Any]:
        state = self.server.state
        if not isinstance(body, dict) or not isinstance(body.get("dashboard"), dict):
            return 400, {"message": "bad request data"}
        dash, folder_uid = dict(body["dashboard"]), str(body.get("folderUid") or "")
        if not str(dash.get("title") or "").strip():
            return 400, {"status": "empty-name", "message": "Dashboard title cannot be empty"}
        uid = str(dash.get("uid") or f"gen{state.next_id}")
        if not UID.match(uid):
            return 400, {"message": "uid contains illegal characters"}
        if len(uid) > 40:
            return 400, {"message": "uid too long, max 40 characters"}
        if len(str(body.get("message") or "")) > 500:
            return 400, {"message": "message too long, max 500 characters"}
        if folder_uid and folder_uid not in state.folders:
            return 400, {"message": "folder not found"}
        existing = state.dashboards.get(uid)
        if existing:
            if not body.get("overwrite") and dash.get("version", 0) != existing["dashboard"]["version"]:
                if state.conflict_status == 409:
                    return 409, {"message": "Dashboard already exists. Use overwrite flag to update."}
                return 412, {"status": "version-mismatch", "message": "The dashboard has been changed by someone else"}
            version, dash_id = existing["dashboard"]["version"] + 1, existing["dashboard"]["id"]
        else:
            version, dash_id = 1, state.new_id()
        dash.update(uid=uid, id=dash_id, version=version)
        url = f"/d/{uid}/{_slug(dash['title'])}"
        state.dashboards[uid] = {**(existing or {}), "dashboard": dash, "folderUid": folder_uid, "url": url,
                                 "message": body.get("message"), "resourceVersion": state.new_rv()}
        return 200, {"id": dash_id, "uid": uid, "url": url, "status": "success", "version": version,
                     "slug": _slug(dash["title"]), "folderUid": folder_uid}


def _status(code: int, reason: str, message: str, **details: str) -> dict[str, Any]:
    """A Kubernetes ``Status`` object, as /apis answers errors (and deletes)."""
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure" if code >= 400 else "Success",
            "message": message, "reason": reason, "details": details, "code": code}


class CurrentRoutes:
    """``/apis``: discovery, and dashboards and folders as Kubernetes-style objects over the shared store."""

    PATH = re.compile(r"/apis/(?P<group>[a-z.]+)/(?P<version>[a-z0-9]+)/namespaces/(?P<ns>[^/]+)"
                      r"/(?P<resource>[a-z]+)(?:/(?P<name>[^/]+))?")

    def __init__(self, state: GrafanaState, query: dict[str, list[str]]) -> None:
        self.state = state
        self.query = query

    def route(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        state = self.state
        if path in ("/apis", "/apis/") and method == "GET":
            if not state.apis:
                return 404, {"message": "Not found"}
            groups = [{"name": group, "versions": [{"groupVersion": f"{group}/{v}", "version": v} for v in versions],
                       "preferredVersion": {"groupVersion": f"{group}/{versions[-1]}", "version": versions[-1]}}
                      for group, versions in sorted(state.apis.items())]
            return 200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}
        match = self.PATH.fullmatch(path)
        if (match is None or match["version"] not in state.apis.get(match["group"], ())
                or CURRENT_RESOURCES.get(match["group"]) != match["resource"]):
            return 404, {"message": "Not found"}
        group, version, resource, name = match["group"], match["version"], match["resource"], match["name"]
        if match["ns"] != state.namespace:
            return 403, _status(403, "Forbidden", f"{resource}.{group} is forbidden: namespace {match['ns']!r} "
                                                  "is not this organisation's")
        self.api_version, self.resource, self.group = f"{group}/{version}", resource, group
        store = state.dashboards if resource == "dashboards" else state.folders
        if name is None and method == "GET":
            return self._list(store)
        if name is None and method == "POST":
            return self._write(store, body, None)
        if name is None:
            return 405, _status(405, "MethodNotAllowed", "the server does not allow this method")
        if name not in store:
            return 404, _status(404, "NotFound", f'{resource}.{group} "{name}" not found', name=name,
                                group=group, kind=resource)
        if method == "GET":
            return 200, self._object(name)
        if method == "PUT":
            return self._write(store, body, name)
        if method == "DELETE":
            entry = store[name]
            if entry.get("provisioned"):
                return 400, _status(400, "BadRequest", "provisioned dashboard cannot be deleted")
            del store[name]
            return 200, {**_status(200, "", ""), "details": {"name": name, "group": group, "kind": resource,
                                                               "uid": entry.get("k8sUid", "")}}
        return 405, _status(405, "MethodNotAllowed", "the server does not allow this method")

    # --- objects -----------------------------------------------------------------------------
    def _object(self, name: str) -> dict[str, Any]:
        state = self.state
        if self.resource == "dashboards":
            entry = state.dashboards[name]
            dash = entry["dashboard"]
            spec = {k: v for k, v in dash.items() if k not in ("id", "version")}
            generation, folder, internal_id = dash.get("version", 1), entry.get("folderUid") or "", dash.get("id", 0)
        else:
            entry = state.folders[name]
            spec = {"title": entry["title"], **({"description": entry["description"]} if "description" in entry
                                                 else {})}
            generation, folder, internal_id = entry.get("version", 1), entry.get("parentUid") or "", entry["id"]
        annotations = {**entry.get("annotations", {}), "grafana.app/updatedTimestamp": TIMESTAMP}
        if folder:
            annotations[FOLDER_ANNOTATION] = folder
        metadata = {"name": name, "namespace": state.namespace, "uid": entry.get("k8sUid") or f"k8s-{internal_id}",
                    "resourceVersion": str(entry.get("resourceVersion") or "1"), "generation": generation,
                    "creationTimestamp": TIMESTAMP,
                    "labels": {**entry.get("labels", {}), "grafana.app/deprecatedInternalID": str(internal_id)},
                    "annotations": annotations}
        kind = "Dashboard" if self.resource == "dashboards" else "Folder"
        return {"kind": kind, "apiVersion": self.api_version, "metadata": metadata, "spec": spec, "status": {}}

    def _list(self, store: dict[str, dict[str, Any]]) -> tuple[int, Any]:
        limit = int((self.query.get("limit") or ["500"])[0])
        start = int((self.query.get("continue") or ["0"])[0] or 0)
        names = sorted(store)
        page = names[start:start + limit]
        metadata: dict[str, Any] = {"resourceVersion": str(self.state.resource_version)}
        if start + limit < len(names):
            metadata["continue"] = str(start + limit)
        kind = "DashboardList" if self.resource == "dashboards" else "FolderList"
        return 200, {"kind": kind, "apiVersion": self.api_version, "metadata": metadata,
                     "items": [self._object(n) for n in page]}

    def _write(self, store: dict[str, dict[str, Any]], body: Any, name: str | None) -> tuple[int, Any]:
        state, group, resource = self.state, self.group, self.resource
        if not isinstance(body, dict) or not isinstance(body.get("metadata"), dict) \
                or not isinstance(body.get("spec"), dict):
            return 400, _status(400, "BadRequest", "the body is not a Kubernetes-style object with metadata and spec")
        meta, spec = body["metadata"], dict(body["spec"])
        uid = str(meta.get("name") or (f"{meta['generateName']}{state.new_id()}" if meta.get("generateName") else ""))
        if not uid or not UID.match(uid) or len(uid) > 40:
            return 400, _status(400, "BadRequest", f"invalid metadata.name {uid!r}")
        if name is not None and uid != name:
            return 400, _status(400, "BadRequest", "the name of the object does not match the name on the URL")
        if not str(spec.get("title") or "").strip():
            return 400, _status(400, "BadRequest", "spec.title is required")
        if resource == "dashboards" and ("elements" in spec or "layout" in spec):
            return 400, _status(400, "BadRequest", "the spec looks like a v2 dashboard; use dashboard.grafana.app/v2")
        annotations = {str(k): str(v) for k, v in (meta.get("annotations") or {}).items()}
        folder = annotations.pop(FOLDER_ANNOTATION, "")
        if folder and folder not in state.folders:
            return 400, _status(400, "BadRequest", f"folder not found: {folder!r}")
        existing = store.get(uid)
        if name is None and existing is not None:
            return 409, _status(409, "AlreadyExists", f'{resource}.{group} "{uid}" already exists', name=uid,
                                group=group, kind=resource)
        if existing is not None:
            sent_rv = str(meta.get("resourceVersion") or "")
            if sent_rv and sent_rv != str(existing.get("resourceVersion")):
                return 409, _status(409, "Conflict", f'Operation cannot be fulfilled on {resource}.{group} "{uid}": '
                                    "the object has been modified; please apply your changes to the latest "
                                    "version and try again", name=uid, group=group, kind=resource)
        labels = {str(k): str(v) for k, v in (meta.get("labels") or {}).items()}
        rv = state.new_rv()
        if resource == "dashboards":
            old = existing["dashboard"] if existing else None
            old_spec = {k: v for k, v in old.items() if k not in ("id", "version")} if old else None
            generation = 1 if old is None else old["version"] + (old_spec != {**spec, "uid": uid})
            dash = {**spec, "uid": uid, "id": old["id"] if old else state.new_id(), "version": generation}
            store[uid] = {**(existing or {}), "dashboard": dash, "folderUid": folder, "url": f"/d/{uid}/"
                          f"{_slug(dash['title'])}", "message": annotations.get("grafana.app/message"),
                          "resourceVersion": rv, "labels": labels, "annotations": annotations,
                          "k8sUid": (existing or {}).get("k8sUid") or f"k8s-{uid}"}
        else:
            title = str(spec["title"]).strip()
            changed = existing is None or existing["title"] != title
            store[uid] = {**(existing or {"id": state.new_id(), "uid": uid}), "title": title,
                          "url": f"/dashboards/f/{uid}/{_slug(title)}", "resourceVersion": rv, "labels": labels,
                          "version": 1 if existing is None else existing["version"] + changed,
                          "annotations": annotations, **({"parentUid": folder} if folder else {})}
        return (201 if existing is None else 200), self._object(uid)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: GrafanaState) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state


@contextlib.contextmanager
def grafana_stub(state: GrafanaState | None = None) -> Iterator[tuple[str, GrafanaState]]:
    """Run the stub; yields (base URL, state). Always shut down."""
    server = _Server(state or GrafanaState())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
