"""A local Grafana stand-in that follows Grafana's documented HTTP contract (the parts push uses).

Threaded, on 127.0.0.1. It checks auth (Bearer token or basic; /api/health is
open), keeps folders, datasources and dashboards by uid, raises versions on each
save, answers 400 "folder not found" for an unknown folder uid, 412 (Grafana <=
13.0) or 409 (newer) on a stale dashboard version without overwrite, 409 on a
duplicate datasource name or uid, and 403 for a read-only token or datasource.
It also searches (``GET /api/search``: a bare array, ``type``/``folderUIDs``/``tag``
filters, 500 for an unknown type), deletes dashboards (400 for a provisioned one)
and renames folders (``PUT /api/folders/:uid``, 412 on a stale version).
``faults`` injects 503s and dropped connections before a request is handled.
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
Fault = Callable[[str, str], str | None]  # (method, path) -> None | "503" | "drop"


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
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_id: int = 1

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id


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
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
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
            status, reply = self._route(method, path, body)
            if method != "GET" and status < 300:
                state.writes.append((method, path))
        self._send(status, reply)

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
                  "version": 1}
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
                      url=f"/dashboards/f/{folder['uid']}/{_slug(title)}")
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
        state.dashboards[uid] = {"dashboard": dash, "folderUid": folder_uid, "url": url,
                                 "message": body.get("message")}
        return 200, {"id": dash_id, "uid": uid, "url": url, "status": "success", "version": version,
                     "slug": _slug(dash["title"]), "folderUid": folder_uid}


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
