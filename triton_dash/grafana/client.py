"""A small Grafana HTTP API client on ``requests``: health, folders, datasources, dashboards.

Only uid-addressed routes are used (numeric-id routes are gone in Grafana 12/13).
Connection errors and 502/503/504 are retried a bounded number of times with
backoff; every other failure raises :class:`GrafanaError` with a one-line
message a person can act on. Credentials never appear in messages.

    client = GrafanaClient("http://localhost:3000", token=os.environ["GRAFANA_TOKEN"])
    client.health()["version"]
    client.save_dashboard(doc, folder_uid="triton", message="triton_dash 0.1.0")
"""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests

from .. import validate

__all__ = ["Action", "GrafanaClient", "GrafanaError", "NotGrafana", "plain_text"]

RETRY_STATUSES = frozenset({502, 503, 504})
CONFLICT_STATUSES = frozenset({409, 412})  # Grafana <= 13.0 answers 412, newer 409
SEARCH_PAGE = 1000
#: A body that is not JSON is quoted at most this long in a message (an HTML error page is not pasted whole).
QUOTE_CHARS = 120
#: Keys only Grafana's /api/health answers with ({"database": "ok", "version": ..., "commit": ...}); the
#: version and commit may be hidden, the database state is not.
HEALTH_KEYS = ("database", "version")


class GrafanaError(Exception):
    """A Grafana call failed; ``str()`` is one line for a person. ``status`` is 0 without a response."""

    def __init__(self, message: str, status: int = 0, body: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = dict(body or {})

    @property
    def conflict(self) -> bool:
        return self.status in CONFLICT_STATUSES


class NotGrafana(GrafanaError):
    """The server at the URL answered, but not as Grafana does (its /api/health is not Grafana's JSON)."""


@dataclass(frozen=True)
class Action:
    """What a call does, for messages: ``what`` (e.g. "save dashboard 'x'") and the permission it needs."""

    what: str
    permission: str = ""


_TAG = re.compile(r"<[^>]*>")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_INVISIBLE = re.compile(r"<(script|style|head)[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


def plain_text(text: str, limit: int = QUOTE_CHARS) -> str:
    """A non-JSON body as a short quote for one line: an HTML page as its title (else its visible text),
    whitespace collapsed, at most ``limit`` characters (``...`` marks a cut)."""
    if "<" in text and ">" in text:
        title = _TITLE.search(text)
        visible = html.unescape(_TAG.sub(" ", _INVISIBLE.sub(" ", text)))
        text = html.unescape(_TAG.sub(" ", title[1])) if title and title[1].strip() else visible
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 3]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut) + "..."


def error_message(body: Any, fallback: str = "") -> str:
    """Grafana's message from any of its error-body shapes (and /apis' ``Status`` objects), on one line."""
    if isinstance(body, Mapping):
        parts = [str(body[k]) for k in ("message", "error") if body.get(k)]
        status = body.get("status")
        if status and isinstance(status, str) and status not in ("error", "success", "Failure"):
            parts.insert(0, str(body["status"]))
        text = ": ".join(dict.fromkeys(parts))
    else:
        text = str(body or "")
    return " ".join(text.split())[:300] or fallback


class GrafanaClient:
    """Talks to one Grafana (one org) through one ``requests.Session``.

    Authentication: a service-account ``token`` (sent as ``Bearer``) or ``user``
    and ``password`` (basic auth). ``org_id`` adds ``X-Grafana-Org-Id``.
    ``verify`` is ``True`` (system CAs), ``False``, or a CA-bundle path.
    """

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        user: str | None = None,
        password: str | None = None,
        org_id: int | None = None,
        verify: bool | str = True,
        timeout: tuple[float, float] = (5.0, 30.0),
        retries: int = 3,
        backoff: float = 0.5,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = validate.url(url, "GRAFANA_URL")
        validate.secret(token, "GRAFANA_TOKEN")
        if user:
            validate.text(user, "GRAFANA_USER")
        validate.secret(password, "GRAFANA_PASSWORD")
        if org_id is not None:
            validate.number(org_id, "GRAFANA_ORG_ID", minimum=1)
        for value in timeout:
            validate.number(value, "timeout", minimum=0, exclusive_minimum=True)
        validate.number(retries, "retries", minimum=0, maximum=10)
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self._sleep = sleep
        self.session = session or requests.Session()
        self.session.verify = verify
        self.session.headers.update({"Accept": "application/json", "User-Agent": "triton-dash"})
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        elif user:
            self.session.auth = (user, password or "")
        if org_id is not None:
            self.session.headers["X-Grafana-Org-Id"] = str(org_id)

    def __repr__(self) -> str:
        auth = "token" if "Authorization" in self.session.headers else "basic" if self.session.auth else "none"
        return f"GrafanaClient({self.url!r}, auth={auth})"  # never the credentials

    # --- transport ---------------------------------------------------------------------------

    def request(self, method: str, path: str, action: Action, *, json: Any = None,
                allow: frozenset[int] = frozenset()) -> tuple[int, Any]:
        """One API call with bounded retries; returns (status, parsed body).

        Statuses in ``allow`` (for example 404 on a lookup) are returned, not raised.
        """
        for attempt in range(1, self.retries + 2):
            try:
                response = self.session.request(method, self.url + path, json=json, timeout=self.timeout)
            except requests.exceptions.SSLError as exc:
                raise GrafanaError(f"TLS verification failed for {self.url}: {_reason(exc)}; "
                                   "pass --ca-bundle FILE (or fix the certificate)") from exc
            except requests.exceptions.Timeout as exc:
                if attempt > self.retries:
                    raise GrafanaError(f"Grafana at {self.url} did not answer within {self.timeout[1]:g}s when "
                                       f"asked to {action.what} ({attempt} tries)") from exc
            except requests.exceptions.ConnectionError as exc:
                if attempt > self.retries:
                    raise GrafanaError(
                        f"cannot reach Grafana at {self.url} ({_reason(exc)}); start the stack with "
                        "'docker compose -f provisioning/docker-compose.yml up -d' or set GRAFANA_URL") from exc
            else:
                body = _body(response)
                if response.status_code < 400 or response.status_code in allow:
                    return response.status_code, body
                if response.status_code not in RETRY_STATUSES or attempt > self.retries:
                    raise self._error(response.status_code, body, action, attempt)
            self._sleep(self.backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _error(self, status: int, body: Any, action: Action, attempt: int) -> GrafanaError:
        message = error_message(body, fallback=f"HTTP {status}")
        if status == 401:
            text = (f"Grafana at {self.url} rejected the credentials (401: {message}); set GRAFANA_TOKEN to a "
                    "service-account token, or GRAFANA_USER and GRAFANA_PASSWORD")
        elif status == 403:
            need = f"; it needs the {action.permission} permission" if action.permission else ""
            if "read-only" in message.lower():
                need = "; the datasource is provisioned read-only (editable: false): pass --no-datasource"
            text = f"Grafana refused to {action.what} (403: {message}){need}"
        elif status in CONFLICT_STATUSES:
            text = f"conflict when asked to {action.what} ({status}: {message})"
        elif status >= 500:
            tries = f" after {attempt} tries" if attempt > 1 else ""
            text = f"Grafana failed to {action.what} ({status}: {message}){tries}"
        else:
            text = f"Grafana rejected the request to {action.what} ({status}: {message})"
        return GrafanaError(text, status, body if isinstance(body, Mapping) else {"message": message})

    # --- API ---------------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        """``GET /api/health`` (no authentication needed): Grafana's JSON, with ``database`` (and ``version``).

        Anything else (an HTML page, Prometheus' /metrics text, a 404, JSON without those keys) raises
        :class:`NotGrafana`: every HTTP server answers something, and push must not take one for Grafana.
        """
        status, body = self.request("GET", "/api/health", Action("report its health"), allow=frozenset({404}))
        if status == 200 and isinstance(body, Mapping) and not isinstance(body, _TextBody) and any(
                key in body for key in HEALTH_KEYS):
            return dict(body)
        if isinstance(body, _TextBody):
            kind = f"a {body.content_type} page" if body.content_type else "a page that is not JSON"
            seen = f"{kind}: {plain_text(body['message'], 60)!r}" if body["message"] else "an empty page"
        else:
            seen = f"JSON without {' or '.join(map(repr, HEALTH_KEYS))}: {plain_text(json.dumps(body), 60)}"
        raise NotGrafana(f"{self.url} does not look like a Grafana (GET /api/health gave HTTP {status}, {seen}); "
                         "check --url/GRAFANA_URL", status)

    def get_folder(self, uid: str) -> dict[str, Any] | None:
        status, body = self.request("GET", f"/api/folders/{uid}", Action(f"read folder {uid!r}", "folders:read"),
                                    allow=frozenset({404}))
        return None if status == 404 else dict(body)

    def create_folder(self, uid: str, title: str) -> dict[str, Any]:
        _, body = self.request("POST", "/api/folders", Action(f"create folder {title!r}", "folders:create"),
                               json={"uid": uid, "title": title})
        return dict(body)

    def update_folder(self, uid: str, title: str, version: int | None) -> dict[str, Any]:
        """``PUT /api/folders/:uid``: rename; ``overwrite`` so a concurrent edit does not stop a push."""
        _, body = self.request("PUT", f"/api/folders/{uid}", Action(f"rename folder {uid!r} to {title!r}",
                                                                   "folders:write"),
                               json={"title": title, "version": version or 0, "overwrite": True})
        return dict(body)

    def search_dashboards(self, *, folder_uid: str, tag: str) -> list[dict[str, Any]]:
        """``GET /api/search``: dashboards in one folder carrying ``tag`` (all pages)."""
        found: list[dict[str, Any]] = []
        page = 1
        while True:
            query = urlencode({"type": "dash-db", "folderUIDs": folder_uid, "tag": tag, "limit": SEARCH_PAGE,
                               "page": page})
            _, body = self.request("GET", f"/api/search?{query}",
                                   Action(f"search folder {folder_uid!r}", "dashboards:read"))
            batch = [dict(item) for item in body if isinstance(item, Mapping)] if isinstance(body, list) else []
            found += batch
            if len(batch) < SEARCH_PAGE:
                return found
            page += 1

    def delete_dashboard(self, uid: str) -> dict[str, Any]:
        """``DELETE /api/dashboards/uid/:uid``; a dashboard already gone is not an error."""
        status, body = self.request("DELETE", f"/api/dashboards/uid/{uid}",
                                    Action(f"delete dashboard {uid!r}", "dashboards:delete"), allow=frozenset({404}))
        return {} if status == 404 else dict(body)

    def get_datasource(self, uid: str) -> dict[str, Any] | None:
        status, body = self.request("GET", f"/api/datasources/uid/{uid}",
                                    Action(f"read datasource {uid!r}", "datasources:read"), allow=frozenset({404}))
        return None if status == 404 else dict(body)

    def create_datasource(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        _, body = self.request("POST", "/api/datasources",
                               Action(f"create datasource {spec['name']!r}", "datasources:create"), json=dict(spec))
        return dict(body)

    def update_datasource(self, uid: str, spec: Mapping[str, Any]) -> dict[str, Any]:
        _, body = self.request("PUT", f"/api/datasources/uid/{uid}",
                               Action(f"update datasource {uid!r}", "datasources:write"), json=dict(spec))
        return dict(body)

    def get_dashboard(self, uid: str) -> dict[str, Any] | None:
        """``{"dashboard": ..., "meta": ...}``, or None when there is no such dashboard."""
        status, body = self.request("GET", f"/api/dashboards/uid/{uid}",
                                    Action(f"read dashboard {uid!r}", "dashboards:read"), allow=frozenset({404}))
        return None if status == 404 else dict(body)

    def save_dashboard(self, dashboard: Mapping[str, Any], *, folder_uid: str, message: str) -> dict[str, Any]:
        """``POST /api/dashboards/db`` with ``overwrite``: idempotent for a fixed uid."""
        if not dashboard.get("uid"):
            # Since Grafana 11.6 a POST without uid creates a duplicate every time.
            raise GrafanaError(f"dashboard {dashboard.get('title')!r} has no uid; refusing to create a duplicate")
        payload = {"dashboard": {**dashboard, "id": None}, "folderUid": folder_uid, "overwrite": True,
                   "message": message[:500]}
        action = Action(f"save dashboard {dashboard.get('uid')!r}", "dashboards:write")
        _, body = self.request("POST", "/api/dashboards/db", action, json=payload)
        return dict(body)


class _TextBody(dict[str, str]):
    """A response body that was not JSON: ``{"message": its first words}``, and its content type."""

    def __init__(self, message: str, content_type: str) -> None:
        super().__init__(message=message)
        self.content_type = content_type


def _body(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
        return _TextBody(plain_text(response.text), content_type)


def _reason(exc: BaseException) -> str:
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "timed out", "certificate verify failed",
                   "Connection aborted", "RemoteDisconnected", "Connection reset"):
        if marker in text:
            return marker.lower() if marker != "RemoteDisconnected" else "connection closed"
    return " ".join(text.split())[:120]
