"""``push`` through Grafana 13's ``/apis/dashboard.grafana.app/v1`` and the choice between the two APIs.

The stub (tests/support/grafana_stub.py) serves the current API as the reference
documents it (../shared/reference/grafana-12-13.md §1.3-1.4): discovery at
``GET /apis``, objects with ``metadata.name`` = uid, the folder annotation,
``resourceVersion`` (409 when stale) and ``generation``. Both APIs share one store,
as in Grafana, so a dashboard pushed through one is unchanged through the other.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner, Result

from triton_dash.build import compile_builtin
from triton_dash.cli import main

from .support.grafana_stub import GrafanaState, grafana_stub

UIDS = sorted(c.uid for c in compile_builtin())
NS = "/apis/dashboard.grafana.app/v1/namespaces/default/dashboards"
FOLDERS = "/apis/folder.grafana.app/v1/namespaces/default/folders"


@pytest.fixture
def g13() -> Iterator[tuple[str, GrafanaState]]:
    """A Grafana 13.1 whose legacy dashboard and folder routes are switched off (404)."""
    with grafana_stub(GrafanaState.grafana13(legacy_dashboards=False)) as running:
        yield running


def run(url: str, *args: str, token: str = "glsa_test_token") -> Result:
    env = {"GRAFANA_URL": url, "GRAFANA_TOKEN": token, "GRAFANA_USER": "", "GRAFANA_PASSWORD": "",
           "GRAFANA_NAMESPACE": "", "GRAFANA_ORG_ID": ""}
    return CliRunner().invoke(main, ["push", "--retries", "5", *args], env=env)


def api_row(result: Result) -> dict[str, Any]:
    rows = json.loads(result.stdout)
    return next(row for row in rows if row["kind"] == "api")


def dashboard_writes(state: GrafanaState) -> list[tuple[str, str]]:
    return [w for w in state.writes if "/dashboards" in w[1] and "/folders" not in w[1]]


def test_first_push_lands_everything_once_through_the_current_api(g13: tuple[str, GrafanaState]) -> None:
    url, state = g13
    result = run(url)
    assert result.exit_code == 0, result.output
    assert re.search(r"^api dashboard\.grafana\.app/v1, folder\.grafana\.app/v1, namespace default\s+current\s*$",
                     result.output.splitlines()[2], re.M), result.output
    assert sorted(state.dashboards) == UIDS
    assert sorted(dashboard_writes(state)) == [("POST", NS)] * len(UIDS)
    assert ("POST", FOLDERS) in state.writes and not any(w[1].startswith("/api/") and "datasources" not in w[1]
                                                           for w in state.writes)
    for uid in UIDS:
        entry = state.dashboards[uid]
        assert entry["folderUid"] == "triton" and entry["dashboard"]["version"] == 1
        assert entry["labels"] == {"app.kubernetes.io/managed-by": "triton-dash"}
        assert entry["message"].startswith("triton_dash ")
        assert f"{url}/d/{uid}" in result.output
    assert state.folders["triton"]["title"] == "Triton"


def test_second_push_writes_nothing(g13: tuple[str, GrafanaState]) -> None:
    url, state = g13
    assert run(url).exit_code == 0
    writes = list(state.writes)
    result = run(url)
    assert result.exit_code == 0, result.output
    assert state.writes == writes
    assert result.output.count("unchanged") == 2 + len(UIDS)


def test_json_names_the_api(g13: tuple[str, GrafanaState]) -> None:
    url, _ = g13
    result = run(url, "--format", "json")
    assert result.exit_code == 0, result.output
    assert api_row(result) == {"kind": "api", "name": "dashboard.grafana.app/v1, folder.grafana.app/v1, "
                               "namespace default", "result": "current", "version": None, "url": "", "diff": []}


@pytest.mark.parametrize(("apis", "expected"), [
    ({}, "/api/dashboards, /api/folders (GET /apis: not offered)"),  # Grafana 11: no /apis
    ({"dashboard.grafana.app": ("v0alpha1", "v1beta1"), "folder.grafana.app": ("v1beta1",)},  # Grafana 12
     "/api/dashboards, /api/folders (GET /apis lists dashboard.grafana.app/v0alpha1, dashboard.grafana.app/v1beta1, "
     "folder.grafana.app/v1beta1)"),
])
def test_auto_falls_back_to_legacy_without_dashboard_v1(apis: dict[str, tuple[str, ...]], expected: str) -> None:
    with grafana_stub(GrafanaState(apis=apis)) as (url, state):
        result = run(url, "--format", "json")
        assert result.exit_code == 0, result.output
        assert api_row(result)["name"] == expected and api_row(result)["result"] == "legacy"
        assert sum(1 for w in state.writes if w == ("POST", "/api/dashboards/db")) == len(UIDS)
        assert not any(w[1].startswith("/apis") for w in state.writes)


def test_api_current_takes_v1beta1_on_grafana_12() -> None:
    state = GrafanaState(version="12.3.0", apis={"dashboard.grafana.app": ("v1beta1",),
                                                 "folder.grafana.app": ("v1beta1",)})
    with grafana_stub(state) as (url, _):
        result = run(url, "--api", "current")
        assert result.exit_code == 0, result.output
        assert "dashboard.grafana.app/v1beta1, folder.grafana.app/v1beta1" in result.output
        assert ("POST", "/apis/dashboard.grafana.app/v1beta1/namespaces/default/dashboards") in state.writes


def test_api_current_without_the_group_is_one_line() -> None:
    with grafana_stub(GrafanaState()) as (url, state):
        result = run(url, "--api", "current")
        assert result.exit_code == 1
        assert result.stderr.strip() == (f"Error: Grafana at {url} does not offer dashboard.grafana.app/v1 and "
                                         "folder.grafana.app/v1 (GET /apis: not offered); use --api legacy (or auto)")
        assert state.writes == []


def test_api_legacy_where_it_is_switched_off_says_what_to_do(g13: tuple[str, GrafanaState]) -> None:
    url, state = g13
    result = run(url, "--api", "legacy", "--no-datasource")
    assert result.exit_code == 1
    assert result.stderr.strip() == ("Error: Grafana rejected the request to create folder 'Triton' (404: Not "
                                     "Found); this Grafana has no legacy dashboard API: use --api current (or auto)")
    assert state.writes == []


def test_api_legacy_on_grafana_13_with_legacy_routes_on() -> None:
    with grafana_stub(GrafanaState.grafana13()) as (url, state):
        result = run(url, "--api", "legacy", "--format", "json")
        assert result.exit_code == 0, result.output
        assert api_row(result)["result"] == "legacy"
        assert not any(w[1].startswith("/apis") for w in state.writes)
        # One store: the same dashboards read through /apis are unchanged, nothing is written.
        writes = list(state.writes)
        again = run(url, "--api", "current")
        assert again.exit_code == 0, again.output
        assert state.writes == writes and again.output.count("unchanged") == 2 + len(UIDS)


def _faults(phase: int, kinds: tuple[str, ...], injected: list[tuple[str, str, str]]) -> Any:
    """Exactly every fifth request fails (20 %), starting at ``phase``, cycling through ``kinds``.

    Over the five phases every request position of a push is hit once, reads and writes alike.
    """
    counter, lock = itertools.count(), threading.Lock()

    def fault(method: str, path: str) -> str | None:
        with lock:
            n = next(counter)
            if (n + phase) % 5:
                return None
            kind = kinds[len(injected) % len(kinds)]
            injected.append((kind, method, path))
            return kind

    return fault


@pytest.mark.parametrize("phase", range(5))
@pytest.mark.parametrize(("mode", "kinds"), [
    # Legacy saves overwrite: a connection dropped after Grafana saved would re-save (version 2), so only
    # failures before the request is handled are injected there; the current API tells a retried write
    # that already landed (409, then the same spec on re-read) and gets "drop-after" too.
    ("legacy", ("503", "drop")),
    ("current", ("503", "drop", "drop-after")),
])
def test_20_percent_faults_land_everything_exactly_once(phase: int, mode: str, kinds: tuple[str, ...]) -> None:
    state = GrafanaState() if mode == "legacy" else GrafanaState.grafana13(legacy_dashboards=False)
    injected: list[tuple[str, str, str]] = []
    state.faults = _faults(phase, kinds, injected)
    with grafana_stub(state) as (url, _):
        first = run(url, "--retries", "8")
        assert first.exit_code == 0, first.output
        assert abs(len(injected) - len(state.requests) / 5) <= 1 and len(injected) >= 2
        assert sorted(state.dashboards) == UIDS
        assert all(d["dashboard"]["version"] == 1 for d in state.dashboards.values())
        assert len(state.folders) == 1 and state.folders["triton"]["version"] == 1
        assert len(state.datasources) == 1 and state.datasources["prometheus"]["version"] == 1
        assert [w[0] for w in dashboard_writes(state)] == ["POST"] * len(UIDS)
        writes = list(state.writes)
        second = run(url, "--retries", "8")
        assert second.exit_code == 0, second.output
        assert state.writes == writes


def test_resource_version_conflict_is_resolved(g13: tuple[str, GrafanaState]) -> None:
    """Someone edits the dashboard between push's read and its write: 409, re-read, write again."""
    url, state = g13
    assert run(url).exit_code == 0
    state.dashboards["triton-stack"]["dashboard"]["title"] = "Edited by hand"
    edits = []

    def editor(method: str, path: str, st: GrafanaState) -> None:
        if method == "PUT" and path.endswith("/triton-stack") and not edits:
            edits.append(path)
            entry = st.dashboards["triton-stack"]
            entry["dashboard"]["description"] = "edited again meanwhile"
            entry["resourceVersion"] = st.new_rv()

    state.interfere = editor
    result = run(url)
    assert result.exit_code == 0, result.output
    assert re.search(r"Triton monitoring stack\s+updated\s+2\s", result.output)
    puts = [w for w in state.writes if w[0] == "PUT"]
    assert puts == [("PUT", f"{NS}/triton-stack")]
    assert state.requests.count(("PUT", f"{NS}/triton-stack")) == 2  # the first got 409
    doc = state.dashboards["triton-stack"]["dashboard"]
    assert doc["title"] == "Triton monitoring stack" and doc.get("description") != "edited again meanwhile"


def test_created_meanwhile_by_someone_else_is_updated(g13: tuple[str, GrafanaState]) -> None:
    url, state = g13

    def creator(method: str, path: str, st: GrafanaState) -> None:
        if method == "POST" and path == NS and "triton-overview" not in st.dashboards:
            st.dashboards["triton-overview"] = {
                "dashboard": {"uid": "triton-overview", "title": "Theirs", "id": 500, "version": 1, "panels": []},
                "folderUid": "", "url": "/d/triton-overview/theirs", "resourceVersion": st.new_rv()}

    state.interfere = creator
    result = run(url)
    assert result.exit_code == 0, result.output
    doc = state.dashboards["triton-overview"]
    assert doc["dashboard"]["title"] != "Theirs" and doc["folderUid"] == "triton"
    assert ("PUT", f"{NS}/triton-overview") in state.writes


def test_a_dashboard_that_keeps_changing_is_one_line(g13: tuple[str, GrafanaState]) -> None:
    url, state = g13
    assert run(url).exit_code == 0
    state.dashboards["triton-stack"]["dashboard"]["title"] = "Edited by hand"

    def busy(method: str, path: str, st: GrafanaState) -> None:
        if method == "PUT" and path.endswith("/triton-stack"):
            st.dashboards["triton-stack"]["dashboard"]["title"] = f"Edit {st.resource_version}"
            st.dashboards["triton-stack"]["resourceVersion"] = st.new_rv()

    state.interfere = busy
    result = run(url)
    assert result.exit_code == 1
    assert result.stderr.strip() == ("Error: dashboard 'triton-stack' kept changing while push wrote it (5 conflicts "
                                     "in a row, 409); stop the other writer, or run push again")


def test_dry_run_writes_nothing_and_shows_the_diff(g13: tuple[str, GrafanaState]) -> None:
    url, state = g13
    result = run(url, "--dry-run")
    assert result.exit_code == 0, result.output
    assert state.writes == [] and state.dashboards == {} and state.folders == {}
    assert result.output.count("would create") == 2 + len(UIDS)
    assert run(url).exit_code == 0
    state.dashboards["triton-stack"]["dashboard"]["title"] = "Renamed by hand"
    state.dashboards["triton-overview"]["folderUid"] = ""
    writes = list(state.writes)
    result = run(url, "--dry-run")
    assert result.exit_code == 0, result.output
    assert state.writes == writes
    assert '- "title": "Renamed by hand"' in result.output and '+ "title": "Triton monitoring stack"' in result.output
    assert "~ folder (root) -> triton" in result.output
    assert run(url).exit_code == 0
    assert state.dashboards["triton-overview"]["folderUid"] == "triton"


def test_folder_rename_through_the_current_api(g13: tuple[str, GrafanaState]) -> None:
    url, state = g13
    assert run(url).exit_code == 0
    result = run(url, "--folder", "Inference")
    assert result.exit_code == 0, result.output
    assert re.search(r"folder Inference\s+renamed\s+2\s", result.output)
    assert ("PUT", f"{FOLDERS}/triton") in state.writes
    assert state.folders["triton"]["title"] == "Inference"


def _stray(state: GrafanaState, uid: str, folder: str, *, tags: list[str], labels: dict[str, str] | None = None,
           annotations: dict[str, str] | None = None) -> None:
    state.dashboards[uid] = {"dashboard": {"uid": uid, "title": f"Stray {uid}", "id": 900, "version": 3,
                                           "tags": tags, "panels": []},
                             "folderUid": folder, "url": f"/d/{uid}/stray", "message": "",
                             "resourceVersion": state.new_rv(), "labels": labels or {},
                             "annotations": annotations or {}}


@pytest.mark.parametrize("mode", ["legacy", "current"])
def test_prune_through_both_apis(mode: str) -> None:
    state = GrafanaState.grafana13(legacy_dashboards=mode == "legacy")
    with grafana_stub(state) as (url, _):
        assert run(url, "--api", mode).exit_code == 0
        state.folders["other"] = {"id": 77, "uid": "other", "title": "Other", "url": "/dashboards/f/other/other",
                                  "version": 1}
        ours = {"app.kubernetes.io/managed-by": "triton-dash"}
        _stray(state, "old-tagged", "triton", tags=["triton-dash"])
        _stray(state, "hand-made", "triton", tags=["triton"])
        _stray(state, "ours-elsewhere", "other", tags=["triton-dash"], labels=ours)
        stale, kept = ["old-tagged"], ["hand-made", "ours-elsewhere"]
        if mode == "current":  # only /apis shows labels and annotations
            _stray(state, "old-labelled", "triton", tags=[], labels=ours)  # marked by the label alone
            _stray(state, "git-synced", "triton", tags=["triton-dash"], annotations={"grafana.app/managedBy": "repo"})
            stale.insert(0, "old-labelled")
            kept.append("git-synced")
        dry = run(url, "--api", mode, "--prune", "--dry-run")
        assert dry.exit_code == 0, dry.output
        assert sorted(re.findall(r"dashboard Stray (\S+)\s+would delete", dry.output)) == stale
        result = run(url, "--api", mode, "--prune")
        assert result.exit_code == 0, result.output
        assert sorted(re.findall(r"dashboard Stray (\S+)\s+deleted", result.output)) == stale
        assert sorted(state.dashboards) == sorted([*UIDS, *kept])
        deletes = sorted(w[1] for w in state.writes if w[0] == "DELETE")
        expected = (f"{NS}/{uid}" if mode == "current" else f"/api/dashboards/uid/{uid}" for uid in stale)
        assert deletes == sorted(expected)


def test_namespace_follows_the_org() -> None:
    with grafana_stub(GrafanaState.grafana13(org_id=3, namespace="org-3")) as (url, state):
        result = run(url)
        assert result.exit_code == 0, result.output
        assert "namespace org-3" in result.output
        assert ("POST", "/apis/dashboard.grafana.app/v1/namespaces/org-3/dashboards") in state.writes


def test_wrong_namespace_is_one_line_saying_what_to_do(g13: tuple[str, GrafanaState]) -> None:
    url, state = g13
    result = run(url, "--namespace", "stacks-99", "--no-datasource")
    assert result.exit_code == 1
    line = result.stderr.strip()
    assert "\n" not in line and line.startswith("Error: Grafana refused to read folder 'triton' (403: ")
    assert line.endswith("if namespace 'stacks-99' is not this Grafana's, pass --namespace (org-<id> for another "
                         "org, stacks-<id> on Grafana Cloud), or use --api legacy")
    assert state.writes == []


def test_bad_namespace_is_refused_before_any_write(g13: tuple[str, GrafanaState]) -> None:
    url, state = g13
    result = run(url, "--namespace", "Not A Namespace")
    assert result.exit_code == 1 and result.stderr.startswith("Error: namespace='Not A Namespace' is not a valid")
    assert state.requests == []


def test_viewer_token_gets_the_permission_named(g13: tuple[str, GrafanaState]) -> None:
    url, state = g13
    result = run(url, "--no-datasource", token=state.viewer_token)
    assert result.exit_code == 1
    assert "Grafana refused to create folder 'Triton' (403" in result.stderr
    assert "folders:create" in result.stderr


def test_a_write_that_landed_before_the_connection_dropped_is_not_repeated() -> None:
    """The case the 409-then-re-read handling exists for, forced: every first POST of a dashboard lands unheard."""
    posts = itertools.count()

    def after_first_post(method: str, path: str) -> str | None:
        return "drop-after" if method == "POST" and path == NS and next(posts) % 2 == 0 else None

    with grafana_stub(GrafanaState.grafana13(legacy_dashboards=False, faults=after_first_post)) as (url, state):
        result = run(url, "--no-datasource")
        assert result.exit_code == 0, result.output
        assert sorted(state.dashboards) == UIDS
        assert all(d["dashboard"]["version"] == 1 for d in state.dashboards.values())
        assert state.requests.count(("POST", NS)) > len(UIDS)  # some POSTs were sent again and got 409
        assert [w for w in state.writes if w[0] != "POST"] == []
        assert result.output.count("created") == 1 + len(UIDS)


def test_deleted_between_read_and_write_is_created_again(g13: tuple[str, GrafanaState]) -> None:
    url, state = g13
    assert run(url).exit_code == 0
    state.dashboards["triton-stack"]["dashboard"]["title"] = "Edited by hand"

    def deleter(method: str, path: str, st: GrafanaState) -> None:
        if method == "PUT" and path.endswith("/triton-stack"):
            st.dashboards.pop("triton-stack", None)

    state.interfere = deleter
    result = run(url)
    assert result.exit_code == 0, result.output
    assert state.dashboards["triton-stack"]["dashboard"]["title"] == "Triton monitoring stack"
    assert state.writes[-1] == ("POST", NS)
