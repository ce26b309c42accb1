"""Push compiled dashboards and their Prometheus datasource to a live Grafana.

Order: validate every dashboard, then health (Grafana's JSON, else one-line "does not look like a
Grafana", nothing written) -> which API (see
:mod:`~triton_dash.grafana.discovery`) -> datasource -> folder -> dashboards.
A dashboard whose content and folder already equal what Grafana holds is not
written again; ``dry_run`` writes nothing and says what would change. Folders
and dashboards go through the current ``/apis`` or the legacy ``/api`` routes
(:class:`~triton_dash.grafana.api.DashboardApi`); the datasource always through
``/api/datasources`` (it has no /apis replacement).

    client = GrafanaClient("http://localhost:3000", token="...")
    for outcome in push(client, docs, datasource=DatasourceSpec(), folder=FolderSpec()):
        print(outcome.kind, outcome.name, outcome.result)   # first: grafana 13.1.0 reachable, then: api ... current
"""

from __future__ import annotations

import copy
import difflib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__, validate
from ..profile import DEFAULT_DATASOURCE_UID
from ..validate import valid_uid
from .api import MANAGED_LABEL, MANAGER, ApiChoice, DashboardApi, StoredDashboard, normalised, same_content
from .client import GrafanaClient, GrafanaError
from .discovery import select_api
from .finalize import MANAGED_TAG
from .specs import DatasourceSpec, FolderSpec

__all__ = [
    "DatasourceSpec",
    "FolderSpec",
    "Outcome",
    "PushError",
    "load_dashboard_files",
    "outcomes_json",
    "prepare",
    "push",
    "render_table",
]

DIFF_LINES = 12


class PushError(ValueError):
    """Something to push is invalid; nothing was written."""


@dataclass(frozen=True)
class Outcome:
    kind: str  # grafana, api, datasource, folder, dashboard
    name: str
    result: str  # reachable; legacy|current (api); created, updated, renamed, unchanged, deleted; "would ..."
    version: int | str | None = None
    url: str = ""
    diff: tuple[str, ...] = field(default_factory=tuple)


def load_dashboard_files(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """Read compiled dashboard JSON files; one-line :class:`PushError` naming a bad one."""
    docs = []
    for path in paths:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise PushError(f"{path}: cannot read: {exc.strerror or exc}") from exc
        except json.JSONDecodeError as exc:
            raise PushError(f"{path}: not JSON (line {exc.lineno}: {exc.msg})") from exc
        if not isinstance(doc, dict) or "panels" not in doc:
            raise PushError(f"{path}: not a Grafana dashboard (no 'panels')")
        docs.append(doc)
    return docs


def prepare(docs: Sequence[Mapping[str, Any]], datasource_uid: str = DEFAULT_DATASOURCE_UID) -> list[dict[str, Any]]:
    """Validate every dashboard before anything is written, and point it at ``datasource_uid``."""
    seen: set[str] = set()
    out = []
    for doc in docs:
        uid, title = doc.get("uid"), doc.get("title")
        if not isinstance(title, str) or not title.strip():
            raise PushError(f"dashboard {uid!r} has no title")
        if not isinstance(uid, str) or not valid_uid(uid):
            raise PushError(f"dashboard {title!r} has an invalid uid {uid!r} (1-40 letters, digits, '-', '_')")
        if uid in seen:
            raise PushError(f"two dashboards have the uid {uid!r}")
        if any(len(str(tag)) > 50 for tag in doc.get("tags", [])):
            raise PushError(f"dashboard {uid!r} has a tag longer than 50 characters")
        seen.add(uid)
        out.append(_with_datasource(doc, datasource_uid))
    return out


def _with_datasource(doc: Mapping[str, Any], uid: str) -> dict[str, Any]:
    result = copy.deepcopy(dict(doc))
    for var in result.get("templating", {}).get("list", []):
        if var.get("type") == "datasource" and var.get("query") == "prometheus":
            var["current"] = {"selected": True, "text": uid, "value": uid}
    return result


def _diff(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> tuple[str, ...]:
    before = normalised(old).splitlines() if old else []
    lines = [line for line in difflib.unified_diff(before, normalised(new).splitlines(), lineterm="", n=0)
             if not line.startswith(("---", "+++", "@@"))]
    if len(lines) > DIFF_LINES:
        lines = [*lines[:DIFF_LINES], f"... {len(lines) - DIFF_LINES} more changed lines"]
    return tuple(lines)


def _datasource(client: GrafanaClient, spec: DatasourceSpec, dry_run: bool) -> Outcome:
    wanted = spec.payload()
    existing = client.get_datasource(spec.uid)
    if existing is None:
        if dry_run:
            return Outcome("datasource", spec.name, "would create")
        try:
            client.create_datasource(wanted)
        except GrafanaError as exc:
            if exc.status == 409 and client.get_datasource(spec.uid) is not None:
                # Ours, saved by an earlier try whose answer was lost (the retried POST found it).
                return Outcome("datasource", spec.name, "created", 1)
            if exc.status == 409:
                raise GrafanaError(f"a datasource named {spec.name!r} already exists with another uid; pass "
                                   "--datasource-name NAME, or --datasource-uid with that datasource's uid",
                                   exc.status, exc.body) from exc
            raise
        return Outcome("datasource", spec.name, "created", 1)
    same = all(existing.get(k) == wanted[k] for k in ("name", "type", "access", "url")) and all(
        (existing.get("jsonData") or {}).get(k) == v for k, v in wanted["jsonData"].items())
    if same:
        return Outcome("datasource", spec.name, "unchanged", existing.get("version"))
    if dry_run:
        return Outcome("datasource", spec.name, "would update")
    merged = {**{k: v for k, v in existing.items() if k not in ("id", "version", "secureJsonFields")}, **wanted,
              "jsonData": {**(existing.get("jsonData") or {}), **wanted["jsonData"]}}
    body = client.update_datasource(spec.uid, merged)
    return Outcome("datasource", spec.name, "updated", (body.get("datasource") or {}).get("version"))


def _folder(api: DashboardApi, spec: FolderSpec, dry_run: bool) -> Outcome:
    existing = api.get_folder(spec.uid)
    if existing is not None and existing.title != spec.title:
        if dry_run:
            change = f"~ title {existing.title!r} -> {spec.title!r}"
            return Outcome("folder", spec.title, "would rename", diff=(change,))
        renamed = api.rename_folder(existing, spec.title)
        return Outcome("folder", spec.title, "renamed", renamed.version, renamed.url)
    if existing is not None:
        return Outcome("folder", spec.title, "unchanged", existing.version, existing.url)
    if dry_run:
        return Outcome("folder", spec.title, "would create")
    created = api.create_folder(spec.uid, spec.title)
    return Outcome("folder", spec.title, "created", created.version, created.url)


def _dashboard(api: DashboardApi, doc: Mapping[str, Any], folder: FolderSpec, dry_run: bool) -> Outcome:
    stored = api.get_dashboard(doc["uid"])
    if same_content(stored, doc, folder.uid):
        assert stored is not None
        return Outcome("dashboard", doc["title"], "unchanged", stored.version, stored.url)
    verb = "update" if stored is not None else "create"
    if dry_run:
        old = stored.spec if stored is not None else None
        moved = f"~ folder {(stored.folder_uid if stored else '') or '(root)'} -> {folder.uid}"
        return Outcome("dashboard", doc["title"], f"would {verb}", diff=_diff(old, doc) or (moved,))
    saved = api.save_dashboard(doc, folder_uid=folder.uid, message=f"triton_dash {__version__}", stored=stored)
    return Outcome("dashboard", doc["title"], f"{verb}d", saved.version, saved.url)


def _ours(item: StoredDashboard, folder: FolderSpec) -> bool:
    """In our folder, marked as triton_dash's (tag, or the /apis label), and managed by nobody else."""
    marked = MANAGED_TAG in item.tags or item.labels.get(MANAGED_LABEL) == MANAGER
    return item.folder_uid == folder.uid and marked and not item.managed_by


def _prune(api: DashboardApi, keep: set[str], folder: FolderSpec, dry_run: bool) -> Iterable[Outcome]:
    """Delete, in ``folder`` only, dashboards marked as triton_dash's whose uid is not in ``keep``.

    One that Git Sync, Terraform or another tool manages (``grafana.app/managedBy``) is left alone.
    """
    found = api.dashboards_in_folder(folder.uid, MANAGED_TAG)
    for item in sorted(found, key=lambda i: i.uid):
        if item.uid in keep or not _ours(item, folder):
            continue
        if dry_run:
            yield Outcome("dashboard", item.title, "would delete", url=item.url)
            continue
        api.delete_dashboard(item.uid)
        yield Outcome("dashboard", item.title, "deleted")


def push(
    client: GrafanaClient,
    dashboards: Sequence[Mapping[str, Any]],
    *,
    datasource: DatasourceSpec | None,
    folder: FolderSpec,
    dry_run: bool = False,
    prune: bool = False,
    api: ApiChoice = ApiChoice.AUTO,
    namespace: str | None = None,
    org_id: int | None = None,
) -> Iterable[Outcome]:
    """Yield one outcome per step; raises :class:`GrafanaError` on the first failure.

    The first outcome names Grafana's version (from ``/api/health``), the second
    the API used for folders and dashboards (result ``legacy`` or ``current``).
    With ``prune``, dashboards in ``folder`` tagged ``triton-dash`` that are not
    among ``dashboards`` are deleted last (listed as "would delete" on a dry run).
    """
    if namespace:
        validate.dns_label(namespace, "namespace")
    docs = prepare(dashboards, datasource.uid if datasource else DEFAULT_DATASOURCE_UID)
    health = client.health()
    yield Outcome("grafana", str(health.get("version") or "(version hidden)"), "reachable", url=client.url)
    chosen = select_api(client, api, namespace=namespace, org_id=org_id)
    yield Outcome("api", chosen.description, chosen.kind.value)
    if datasource is not None:
        yield _datasource(client, datasource, dry_run)
    yield _folder(chosen, folder, dry_run)
    for doc in docs:
        yield _dashboard(chosen, doc, folder, dry_run)
    if prune:
        yield from _prune(chosen, {doc["uid"] for doc in docs}, folder, dry_run)


def render_table(outcomes: Sequence[Outcome], *, show_diff: bool = False) -> str:
    """A plain-text table: what, result, version, URL (and the diff of each change, indented)."""
    rows = [("WHAT", "RESULT", "VERSION", "URL")]
    rows += [(f"{o.kind} {o.name}", o.result, "" if o.version is None else str(o.version), o.url) for o in outcomes]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if show_diff and index:
            lines += [f"    {change}" for change in outcomes[index - 1].diff]
    return "\n".join(lines)


def outcomes_json(outcomes: Sequence[Outcome]) -> str:
    """The outcomes as a JSON list, for scripts (``push --format json``)."""
    rows = [{"kind": o.kind, "name": o.name, "result": o.result, "version": o.version, "url": o.url,
             "diff": list(o.diff)} for o in outcomes]
    return json.dumps(rows, indent=2, ensure_ascii=False)
