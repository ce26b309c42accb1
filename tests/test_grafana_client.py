"""The Grafana client's every branch, with ``responses`` (no network)."""

from __future__ import annotations

import pytest
import requests
import responses

from triton_dash.grafana.api import ApiChoice
from triton_dash.grafana.client import GrafanaClient, GrafanaError, NotGrafana, error_message, plain_text
from triton_dash.grafana.discovery import select_api
from triton_dash.grafana.push import DatasourceSpec, FolderSpec, push

URL = "http://grafana.test:3000"
TOKEN = "glsa_SECRET_never_printed"
DOC = {"uid": "d1", "title": "D1", "panels": [], "templating": {"list": []}}


def client(**kw: object) -> GrafanaClient:
    return GrafanaClient(URL, token=TOKEN, sleep=lambda _s: None, **kw)  # type: ignore[arg-type]


def _error(call: object) -> GrafanaError:
    with pytest.raises(GrafanaError) as info:
        call()  # type: ignore[operator]
    assert TOKEN not in str(info.value)
    assert "\n" not in str(info.value)
    return info.value


@pytest.mark.parametrize(("body", "message"), [
    ({"message": "folder not found"}, "folder not found"),
    ({"status": "version-mismatch", "message": "The dashboard has been changed by someone else"},
     "version-mismatch: The dashboard has been changed by someone else"),
    ({"extra": None, "message": "Unauthorized", "messageId": "auth.unauthorized", "statusCode": 401, "traceID": ""},
     "Unauthorized"),
    ({"message": "Failed", "error": "db locked", "traceID": "x"}, "Failed: db locked"),
    ("plain text", "plain text"),
])
def test_error_bodies_of_all_three_shapes(body: object, message: str) -> None:
    assert error_message(body) == message


@responses.activate
def test_auth_headers() -> None:
    responses.get(f"{URL}/api/folders/f", json={"uid": "f"})
    client(org_id=3).get_folder("f")
    sent = responses.calls[0].request.headers
    assert sent["Authorization"] == f"Bearer {TOKEN}"
    assert sent["X-Grafana-Org-Id"] == "3"
    basic = GrafanaClient(URL, user="admin", password="pw")
    basic.get_folder("f")
    assert responses.calls[1].request.headers["Authorization"].startswith("Basic ")


@responses.activate
def test_health_and_lookups() -> None:
    responses.get(f"{URL}/api/health", json={"database": "ok", "version": "11.3.0"})
    responses.get(f"{URL}/api/dashboards/uid/nope", status=404, json={"message": "Dashboard not found"})
    assert client().health()["version"] == "11.3.0"
    assert client().get_dashboard("nope") is None


@responses.activate
def test_unreachable() -> None:
    responses.get(f"{URL}/api/health", body=requests.exceptions.ConnectionError("Connection refused"))
    err = _error(client(retries=2).health)
    assert "cannot reach Grafana at http://grafana.test:3000" in str(err)
    assert "docker compose" in str(err)
    assert len(responses.calls) == 3  # 1 + 2 retries


@responses.activate
def test_401() -> None:
    responses.get(f"{URL}/api/folders/f", status=401, json={
        "extra": None, "message": "Unauthorized", "messageId": "auth.unauthorized", "statusCode": 401})
    err = _error(lambda: client().get_folder("f"))
    assert err.status == 401
    assert "rejected the credentials" in str(err) and "GRAFANA_TOKEN" in str(err)


@responses.activate
def test_403_names_the_permission() -> None:
    responses.post(f"{URL}/api/dashboards/db", status=403, json={"message": "Access denied to save dashboard"})
    err = _error(lambda: client().save_dashboard(DOC, folder_uid="f", message="m"))
    assert "dashboards:write" in str(err) and "Access denied to save dashboard" in str(err)


@responses.activate
def test_403_read_only_datasource() -> None:
    responses.put(f"{URL}/api/datasources/uid/prometheus", status=403,
                  json={"message": "Cannot update read-only data source"})
    err = _error(lambda: client().update_datasource("prometheus", {"name": "P"}))
    assert "provisioned read-only" in str(err) and "--no-datasource" in str(err)


@responses.activate
def test_400_folder_not_found_and_other_400() -> None:
    responses.post(f"{URL}/api/dashboards/db", status=400, json={"message": "folder not found"})
    assert "folder not found" in str(_error(lambda: client().save_dashboard(DOC, folder_uid="x", message="m")))
    responses.post(f"{URL}/api/folders", status=400, json={"message": "folder title cannot be empty"})
    err = _error(lambda: client().create_folder("f", ""))
    assert str(err) == "Grafana rejected the request to create folder '' (400: folder title cannot be empty)"


@pytest.mark.parametrize(("status", "body"), [
    (412, {"status": "version-mismatch", "message": "The dashboard has been changed by someone else"}),
    (409, {"message": "Dashboard already exists. Use overwrite flag to update."}),
])
@responses.activate
def test_conflicts_409_and_412_alike(status: int, body: dict[str, str]) -> None:
    responses.post(f"{URL}/api/dashboards/db", status=status, json=body)
    err = _error(lambda: client().save_dashboard(DOC, folder_uid="f", message="m"))
    assert err.conflict
    assert str(err).startswith("conflict when asked to save dashboard 'd1'")


@responses.activate
def test_datasource_name_taken_by_another_uid() -> None:
    responses.get(f"{URL}/api/health", json={"database": "ok"})
    responses.get(f"{URL}/apis", status=404, json={"message": "Not found"})  # Grafana 11: legacy API
    responses.get(f"{URL}/api/datasources/uid/prometheus", status=404, json={"message": "Data source not found"})
    responses.post(f"{URL}/api/datasources", status=409,
                   json={"message": "data source with the same name already exists"})
    err = _error(lambda: list(push(client(), [DOC], datasource=DatasourceSpec(), folder=FolderSpec())))
    assert "a datasource named 'Prometheus' already exists with another uid" in str(err)


@responses.activate
def test_folder_created_meanwhile_is_fine() -> None:
    responses.get(f"{URL}/api/folders/triton", status=404, json={"message": "folder not found"})
    responses.post(f"{URL}/api/folders", status=412, json={"status": "version-mismatch", "message": "x"})
    responses.get(f"{URL}/api/folders/triton", json={"uid": "triton", "url": "/dashboards/f/triton/t", "version": 1})
    responses.get(f"{URL}/api/health", json={"database": "ok"})
    responses.get(f"{URL}/apis", status=404, json={"message": "Not found"})
    responses.get(f"{URL}/api/dashboards/uid/d1", status=404, json={"message": "Dashboard not found"})
    responses.post(f"{URL}/api/dashboards/db", json={"version": 1, "url": "/d/d1/d1"})
    outcomes = list(push(client(), [DOC], datasource=None, folder=FolderSpec()))
    assert [o.result for o in outcomes] == ["reachable", "legacy", "created", "created"]


@responses.activate
def test_timeout() -> None:
    responses.get(f"{URL}/api/health", body=requests.exceptions.ReadTimeout("read timed out"))
    err = _error(client(retries=1, timeout=(1.0, 2.0)).health)
    assert "did not answer within 2s when asked to report its health (2 tries)" in str(err)


@responses.activate
def test_tls_failure_is_not_retried() -> None:
    responses.get(f"{URL}/api/health", body=requests.exceptions.SSLError("certificate verify failed"))
    err = _error(client().health)
    assert "TLS verification failed" in str(err) and "--ca-bundle" in str(err)
    assert len(responses.calls) == 1


@responses.activate
def test_5xx_retried_then_reported() -> None:
    for _ in range(4):
        responses.post(f"{URL}/api/dashboards/db", status=503, json={"message": "Service Unavailable"})
    err = _error(lambda: client(retries=3).save_dashboard(DOC, folder_uid="f", message="m"))
    assert str(err) == "Grafana failed to save dashboard 'd1' (503: Service Unavailable) after 4 tries"
    assert len(responses.calls) == 4


@responses.activate
def test_503_then_success() -> None:
    responses.post(f"{URL}/api/dashboards/db", status=502, body="bad gateway")
    responses.post(f"{URL}/api/dashboards/db", json={"version": 1, "url": "/d/d1/d1"})
    assert client().save_dashboard(DOC, folder_uid="f", message="m")["version"] == 1


@responses.activate
def test_500_is_not_retried() -> None:
    responses.post(f"{URL}/api/dashboards/db", status=500, json={"message": "Failed to save dashboard"})
    err = _error(lambda: client().save_dashboard(DOC, folder_uid="f", message="m"))
    assert err.status == 500 and len(responses.calls) == 1


@responses.activate
def test_save_payload() -> None:
    responses.post(f"{URL}/api/dashboards/db", json={"version": 1})
    client().save_dashboard({**DOC, "id": 7}, folder_uid="triton", message="triton_dash 0.1.0")
    import json
    sent = json.loads(responses.calls[0].request.body)
    assert sent["overwrite"] is True and sent["folderUid"] == "triton" and sent["dashboard"]["id"] is None
    assert sent["message"] == "triton_dash 0.1.0"


GROUPS_13 = {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
    {"name": "dashboard.grafana.app", "versions": [{"groupVersion": "dashboard.grafana.app/v1", "version": "v1"},
                                                   {"groupVersion": "dashboard.grafana.app/v2", "version": "v2"}]},
    {"name": "folder.grafana.app", "versions": [{"groupVersion": "folder.grafana.app/v1", "version": "v1"}]}]}


@responses.activate
def test_discovery_org_id_names_the_namespace_without_asking() -> None:
    responses.get(f"{URL}/apis", json=GROUPS_13)
    api = select_api(client(org_id=4), ApiChoice.AUTO, org_id=4)
    assert api.kind is ApiChoice.CURRENT and api.description.endswith("namespace org-4")
    assert [c.request.url for c in responses.calls] == [f"{URL}/apis"]


@pytest.mark.parametrize(("status", "body"), [
    (200, {"message": "<html>a proxy's page</html>"}),  # not an APIGroupList
    (403, {"message": "Access denied"}),
    (404, {"message": "Not found"}),
])
@responses.activate
def test_discovery_without_a_group_list_is_legacy(status: int, body: dict[str, str]) -> None:
    responses.get(f"{URL}/apis", status=status, json=body)
    api = select_api(client(), ApiChoice.AUTO)
    assert api.kind is ApiChoice.LEGACY and "GET /apis: not offered" in api.description


@responses.activate
def test_discovery_org_lookup_refused_means_default() -> None:
    responses.get(f"{URL}/apis", json=GROUPS_13)
    responses.get(f"{URL}/api/org", status=403, json={"message": "Permission denied"})
    assert select_api(client(), ApiChoice.AUTO).description.endswith("namespace default")


def test_k8s_status_bodies_read_as_one_line() -> None:
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "reason": "Conflict",
            "message": 'Operation cannot be fulfilled on dashboards.dashboard.grafana.app "d1": the object has been '
                       "modified", "code": 409}
    assert error_message(body).startswith("Operation cannot be fulfilled on dashboards.dashboard.grafana.app")


PROMETHEUS_TEXT = ("# HELP nv_inference_request_success Number of successful inference requests\n"
                   "# TYPE nv_inference_request_success counter\n" + "nv_inference_count{model=\"m\"} 1\n" * 200)
HTML_PAGE = ("<!DOCTYPE html><html><head><title>Welcome to nginx!</title><style>body { width: 35em; }</style>"
             "</head><body><h1>Welcome to nginx!</h1>" + "<p>lorem ipsum dolor sit amet</p>" * 300 + "</body></html>")


@pytest.mark.parametrize(("status", "kwargs", "says"), [
    (200, {"body": PROMETHEUS_TEXT, "content_type": "text/plain; version=0.0.4"},
     "GET /api/health gave HTTP 200, a text/plain page: '# HELP nv_inference_request_success Number of successful"),
    (200, {"body": HTML_PAGE, "content_type": "text/html"}, "a text/html page: 'Welcome to nginx!'"),
    (200, {"body": "", "content_type": "text/plain"}, "an empty page"),
    (200, {"json": {"status": "success", "data": []}}, "JSON without 'database' or 'version'"),
    (200, {"json": ["not", "a", "dict"]}, "JSON without 'database' or 'version'"),
    (404, {"body": "404 page not found\n", "content_type": "text/plain"}, "HTTP 404, a text/plain page: '404 page"),
])
@responses.activate
def test_health_of_a_server_that_is_not_grafana(status: int, kwargs: dict[str, object], says: str) -> None:
    responses.get(f"{URL}/api/health", status=status, **kwargs)  # type: ignore[arg-type]
    err = _error(client().health)
    assert isinstance(err, NotGrafana)
    assert str(err).startswith(f"{URL} does not look like a Grafana (")
    assert str(err).endswith("); check --url/GRAFANA_URL")
    assert says in str(err)
    assert len(str(err)) < 220  # the first words, never the whole page
    assert len(responses.calls) == 1  # not retried


@pytest.mark.parametrize("body", [{"database": "ok"}, {"commit": "abc", "database": "ok", "version": "12.3.0"},
                                  {"version": "9.5.0"}])
@responses.activate
def test_health_of_grafana(body: dict[str, str]) -> None:
    responses.get(f"{URL}/api/health", json=body)
    assert client().health() == body


@responses.activate
def test_an_html_error_page_is_quoted_short() -> None:
    responses.post(f"{URL}/api/dashboards/db", status=400, body=HTML_PAGE, content_type="text/html")
    err = _error(lambda: client().save_dashboard(DOC, folder_uid="f", message="m"))
    assert str(err) == "Grafana rejected the request to save dashboard 'd1' (400: Welcome to nginx!)"
    responses.post(f"{URL}/api/folders", status=400, body="<html><body><h1>Bad</h1>" + "<p>x y</p>" * 500,
                   content_type="text/html")
    err = _error(lambda: client().create_folder("f", "F"))
    assert "<" not in str(err) and str(err).endswith("x y x y...)") and len(str(err)) < 200


def test_plain_text() -> None:
    assert plain_text("<html><head><title> 502 Bad\n Gateway </title></head><body>nginx</body></html>") == (
        "502 Bad Gateway")
    assert plain_text("<p>a &amp; b</p><script>var x = 1;</script>") == "a & b"
    assert plain_text("a  b\n c") == "a b c"
    assert plain_text("word " * 100, 20) == "word word word..."
    assert plain_text("x" * 100, 10) == "xxxxxxx..."
