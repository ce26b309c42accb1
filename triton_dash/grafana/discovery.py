"""Which dashboard API to push through: ``GET /apis`` says what the server offers.

``/apis`` is the Kubernetes-style discovery document (an ``APIGroupList``:
``groups[].name`` and ``groups[].versions[].version``). With ``--api auto``
(the default) push uses the current API when the server offers
``dashboard.grafana.app/v1`` and ``folder.grafana.app`` (``v1``, or ``v1beta1``
as 13.0 still serves it), and the legacy API otherwise: Grafana 11 has no
``/apis`` (404) and Grafana 12 offers only ``v1beta1`` dashboards, which its
docs mark as not enabled by default. ``--api current`` also accepts a server
that offers only ``dashboard.grafana.app/v1beta1`` (the same schema, the docs
say; v1beta1 is "a thin wrapper") and fails with one line when the groups are
absent; ``--api legacy`` asks nothing.

The namespace is ``--namespace`` when given; otherwise it follows the org, as
Grafana names them on premises: org 1 is ``default``, org N is ``org-N`` (the
org from ``--org-id``, else from ``GET /api/org``). Grafana Cloud's
``stacks-<id>`` cannot be derived: pass it.

    api = select_api(client, ApiChoice.AUTO)
    api.description   # 'dashboard.grafana.app/v1, folder.grafana.app/v1, namespace default'
"""

from __future__ import annotations

from collections.abc import Mapping

from .. import validate
from .api import ApiChoice, DashboardApi
from .client import Action, GrafanaClient, GrafanaError
from .current_api import DASHBOARD_GROUP, FOLDER_GROUP, CurrentApi
from .legacy_api import LegacyApi

__all__ = ["offered_versions", "resolve_namespace", "select_api"]

_NOT_OFFERED = frozenset({403, 404})  # no /apis at all (Grafana <= 11), or not for this user
FOLDER_VERSIONS = ("v1", "v1beta1")


def offered_versions(client: GrafanaClient) -> dict[str, tuple[str, ...]] | None:
    """``{group: (version, ...)}`` from ``GET /apis``; None when the server has no such document."""
    status, body = client.request("GET", "/apis", Action("list its APIs"), allow=_NOT_OFFERED)
    if status in _NOT_OFFERED or not isinstance(body, Mapping) or not isinstance(body.get("groups"), list):
        return None
    offered: dict[str, tuple[str, ...]] = {}
    for group in body["groups"]:
        if isinstance(group, Mapping) and isinstance(group.get("versions"), list):
            offered[str(group.get("name"))] = tuple(str(v.get("version")) for v in group["versions"]
                                                    if isinstance(v, Mapping))
    return offered


def resolve_namespace(client: GrafanaClient, namespace: str | None, org_id: int | None) -> str:
    """``namespace`` if given; else ``default`` for org 1 and ``org-<id>`` for another org."""
    if namespace:
        return validate.dns_label(namespace, "namespace")
    if org_id is None:
        status, body = client.request("GET", "/api/org", Action("read the current organisation", "orgs:read"),
                                      allow=frozenset({403, 404}))
        found = body.get("id") if status == 200 and isinstance(body, Mapping) else None
        org_id = found if isinstance(found, int) else 1
    return "default" if org_id == 1 else f"org-{org_id}"


def _describe(offered: Mapping[str, tuple[str, ...]] | None) -> str:
    if offered is None:
        return "GET /apis: not offered"
    versions = [f"{group}/{v}" for group in (DASHBOARD_GROUP, FOLDER_GROUP) for v in offered.get(group, ())]
    return "GET /apis lists " + (", ".join(versions) or f"no {DASHBOARD_GROUP}")


def select_api(client: GrafanaClient, choice: ApiChoice, *, namespace: str | None = None,
               org_id: int | None = None) -> DashboardApi:
    """The API to push through (see the module text); raises ``GrafanaError`` for an impossible ``--api current``."""
    if choice is ApiChoice.LEGACY:
        return LegacyApi(client, "--api legacy")
    offered = offered_versions(client)
    dashboards = (offered or {}).get(DASHBOARD_GROUP, ())
    folder_version = next((v for v in FOLDER_VERSIONS if v in (offered or {}).get(FOLDER_GROUP, ())), None)
    usable = ("v1", "v1beta1") if choice is ApiChoice.CURRENT else ("v1",)
    dashboard_version = next((v for v in usable if v in dashboards), None)
    if dashboard_version is None or folder_version is None:
        if choice is ApiChoice.CURRENT:
            raise GrafanaError(f"Grafana at {client.url} does not offer {DASHBOARD_GROUP}/v1 and {FOLDER_GROUP}/v1 "
                               f"({_describe(offered)}); use --api legacy (or auto)")
        return LegacyApi(client, _describe(offered))
    return CurrentApi(client, namespace=resolve_namespace(client, namespace, org_id),
                      dashboard_version=dashboard_version, folder_version=folder_version)
