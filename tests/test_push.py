"""``triton-dash push`` end to end against the local Grafana stub (and a real Grafana when GRAFANA_URL is set)."""

from __future__ import annotations

import itertools
import json
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from triton_dash.build import compile_builtin
from triton_dash.cli import main

from .support.grafana_stub import GrafanaState, grafana_stub

UIDS = sorted(c.uid for c in compile_builtin())


@pytest.fixture
def stub() -> Iterator[tuple[str, GrafanaState]]:
    with grafana_stub() as running:
        yield running


def run(url: str, *args: str, token: str | None = "glsa_test_token") -> Result:
    env = {"GRAFANA_URL": url, "GRAFANA_TOKEN": token or "", "GRAFANA_USER": "", "GRAFANA_PASSWORD": ""}
    return CliRunner().invoke(main, ["push", "--retries", "3", *args], env=env)


def test_first_push_creates_everything(stub: tuple[str, GrafanaState]) -> None:
    url, state = stub
    result = run(url)
    assert result.exit_code == 0, result.output
    assert "datasource Prometheus" in result.output and "created" in result.output
    assert sorted(state.dashboards) == UIDS
    assert all(d["folderUid"] == "triton" and d["dashboard"]["version"] == 1 for d in state.dashboards.values())
    assert all(d["message"].startswith("triton_dash ") for d in state.dashboards.values())
    assert state.folders["triton"]["title"] == "Triton"
    ds = state.datasources["prometheus"]
    assert (ds["name"], ds["type"], ds["url"]) == ("Prometheus", "prometheus", "http://prometheus:9090")
    for uid in UIDS:
        assert f"{url}/d/{uid}/" in result.output


def test_second_push_writes_nothing(stub: tuple[str, GrafanaState]) -> None:
    url, state = stub
    assert run(url).exit_code == 0
    writes = len(state.writes)
    result = run(url)
    assert result.exit_code == 0, result.output
    assert len(state.writes) == writes
    assert result.output.count("unchanged") == 2 + len(UIDS)


def test_dry_run_writes_nothing_and_shows_the_diff(stub: tuple[str, GrafanaState]) -> None:
    url, state = stub
    result = run(url, "--dry-run")
    assert result.exit_code == 0, result.output
    assert state.writes == [] and state.dashboards == {}
    assert result.output.count("would create") == 2 + len(UIDS)
    assert "dry run: nothing was written" in result.output
    assert run(url).exit_code == 0
    state.dashboards["triton-stack"]["dashboard"]["title"] = "Renamed by hand"
    writes = len(state.writes)
    result = run(url, "--dry-run")
    assert len(state.writes) == writes
    assert "would update" in result.output
    assert '- "title": "Renamed by hand"' in result.output
    assert '+ "title": "Triton monitoring stack"' in result.output
    result = run(url)
    assert re.search(r"Triton monitoring stack\s+updated\s+2\s", result.output)
    assert state.dashboards["triton-stack"]["dashboard"]["title"] == "Triton monitoring stack"


def test_moved_dashboard_is_moved_back(stub: tuple[str, GrafanaState]) -> None:
    url, state = stub
    run(url)
    state.dashboards["triton-overview"]["folderUid"] = ""
    result = run(url, "--dry-run")
    assert "~ folder (root) -> triton" in result.output


def test_datasource_drift_is_updated(stub: tuple[str, GrafanaState]) -> None:
    url, state = stub
    run(url)
    result = run(url, "--prometheus-url", "http://prom.example:9090")
    assert result.exit_code == 0, result.output
    assert state.datasources["prometheus"]["url"] == "http://prom.example:9090"
    assert state.datasources["prometheus"]["version"] == 2


def test_custom_datasource_uid_is_the_dashboards_default(stub: tuple[str, GrafanaState]) -> None:
    url, state = stub
    assert run(url, "--datasource-uid", "prom-1", "--datasource-name", "Prom 1").exit_code == 0
    variable = state.dashboards["triton-overview"]["dashboard"]["templating"]["list"][0]
    assert variable["current"]["value"] == "prom-1"


def test_json_files_are_pushed(stub: tuple[str, GrafanaState], tmp_path: Path) -> None:
    url, state = stub
    doc = compile_builtin()[0].document
    path = tmp_path / "one.json"
    path.write_text(json.dumps(doc))
    assert run(url, str(path), "--no-datasource").exit_code == 0
    assert list(state.dashboards) == [doc["uid"]] and state.datasources == {}


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "not JSON"), ('{"title": "x"}', "not a Grafana dashboard"),
    ('{"title": "x", "uid": "bad uid", "panels": []}', "invalid uid 'bad uid'"),
])
def test_bad_json_file_is_refused_before_any_call(stub: tuple[str, GrafanaState], tmp_path: Path,
                                                 content: str, message: str) -> None:
    url, state = stub
    path = tmp_path / "bad.json"
    path.write_text(content)
    result = run(url, str(path))
    assert result.exit_code == 1 and message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert state.requests == []


def test_wrong_token(stub: tuple[str, GrafanaState]) -> None:
    url, state = stub
    result = run(url, token="glsa_wrong_SECRET")
    assert result.exit_code == 1
    assert "rejected the credentials (401: Unauthorized)" in result.output
    assert "glsa_wrong_SECRET" not in result.output
    assert state.writes == []


def test_viewer_token_gets_an_actionable_403(stub: tuple[str, GrafanaState]) -> None:
    url, state = stub
    result = run(url, token=state.viewer_token)
    assert result.exit_code == 1
    assert "Grafana refused to create datasource 'Prometheus' (403" in result.output
    assert "datasources:create" in result.output


def test_basic_auth(stub: tuple[str, GrafanaState]) -> None:
    url, state = stub
    result = CliRunner().invoke(main, ["push", "--url", url, "--user", "admin", "--password", "admin"],
                                env={"GRAFANA_TOKEN": ""})
    assert result.exit_code == 0, result.output
    assert sorted(state.dashboards) == UIDS


def test_read_only_datasource(stub: tuple[str, GrafanaState]) -> None:
    url, state = stub
    run(url)
    state.datasources["prometheus"]["readOnly"] = True
    result = run(url, "--prometheus-url", "http://elsewhere:9090")
    assert result.exit_code == 1
    assert "provisioned read-only" in result.output.splitlines()[-1]


def test_unreachable() -> None:
    result = run("http://127.0.0.1:9", "--retries", "0")
    assert result.exit_code == 1
    assert "cannot reach Grafana at http://127.0.0.1:9" in result.output


def test_faults_every_dashboard_lands_exactly_once() -> None:
    """A share of 503s and dropped connections: push retries and every dashboard lands once."""
    pattern = itertools.cycle([None, "503", None, "drop", None, None, "503"])
    lock = threading.Lock()

    def faults(method: str, path: str) -> str | None:
        with lock:
            return next(pattern)

    with grafana_stub(GrafanaState(faults=faults)) as (url, state):
        result = run(url, "--retries", "5")
        assert result.exit_code == 0, result.output
        assert len(state.requests) > len(state.writes) + 4  # faults really happened
        assert sorted(state.dashboards) == UIDS
        assert all(d["dashboard"]["version"] == 1 for d in state.dashboards.values())
        assert sum(1 for w in state.writes if w[1] == "/api/dashboards/db") == len(UIDS)
        assert len(state.datasources) == 1 and len(state.folders) == 1


def test_newer_grafana_conflict_mode() -> None:
    """Grafana 13.1+ answers 409 instead of 412; push uses overwrite, so neither happens."""
    with grafana_stub(GrafanaState(conflict_status=409)) as (url, state):
        assert run(url).exit_code == 0
        state.dashboards["triton-stack"]["dashboard"]["title"] = "changed"
        assert run(url).exit_code == 0
        assert state.dashboards["triton-stack"]["dashboard"]["version"] == 2


def test_grafana_version_is_named_first(stub: tuple[str, GrafanaState]) -> None:
    url, state = stub
    state.version = "13.1.1"
    result = run(url)
    assert result.exit_code == 0, result.output
    assert re.search(r"^grafana 13\.1\.1\s+reachable\s", result.output.splitlines()[1])


def test_every_save_carries_the_uid(stub: tuple[str, GrafanaState]) -> None:
    """Grafana 11.6+ creates a duplicate for each POST without uid: the client refuses to send one."""
    url, state = stub
    assert run(url).exit_code == 0
    assert all(d["dashboard"]["uid"] == uid for uid, d in state.dashboards.items())
    assert not any(uid.startswith("gen") for uid in state.dashboards)


def _seed_stray(state: GrafanaState, uid: str, folder: str, tags: list[str]) -> None:
    state.dashboards[uid] = {"dashboard": {"uid": uid, "title": f"Stray {uid}", "id": 900, "version": 3,
                                           "tags": tags, "panels": []},
                             "folderUid": folder, "url": f"/d/{uid}/stray", "message": ""}


def test_prune_deletes_only_our_stale_dashboards_in_the_folder(stub: tuple[str, GrafanaState]) -> None:
    url, state = stub
    assert run(url).exit_code == 0
    state.folders["other"] = {"id": 77, "uid": "other", "title": "Other", "url": "/dashboards/f/other/other",
                              "version": 1}
    _seed_stray(state, "old-ours", "triton", ["triton", "triton-dash"])  # ours, removed from the code
    _seed_stray(state, "hand-made", "triton", ["triton"])  # someone's own dashboard in our folder
    _seed_stray(state, "ours-elsewhere", "other", ["triton-dash"])  # ours, but another folder
    dry = run(url, "--prune", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert re.search(r"dashboard Stray old-ours\s+would delete", dry.output)
    assert "hand-made" not in dry.output and "ours-elsewhere" not in dry.output
    assert "old-ours" in state.dashboards
    result = run(url, "--prune")
    assert result.exit_code == 0, result.output
    assert re.search(r"dashboard Stray old-ours\s+deleted", result.output)
    assert sorted(state.dashboards) == sorted([*UIDS, "hand-made", "ours-elsewhere"])
    assert ("DELETE", "/api/dashboards/uid/old-ours") in state.writes
    assert [w for w in state.writes if w[0] == "DELETE"] == [("DELETE", "/api/dashboards/uid/old-ours")]


def test_prune_never_deletes_what_is_pushed(stub: tuple[str, GrafanaState], tmp_path: Path) -> None:
    url, state = stub
    assert run(url).exit_code == 0
    one = tmp_path / "one.json"
    one.write_text(json.dumps(compile_builtin()[0].document))
    result = run(url, str(one), "--prune")
    assert result.exit_code == 0, result.output
    kept, dropped = compile_builtin()[0].uid, compile_builtin()[1].uid
    assert kept in state.dashboards and dropped not in state.dashboards


def test_provisioned_dashboard_cannot_be_pruned(stub: tuple[str, GrafanaState]) -> None:
    url, state = stub
    assert run(url).exit_code == 0
    _seed_stray(state, "prov", "triton", ["triton-dash"])
    state.dashboards["prov"]["provisioned"] = True
    result = run(url, "--prune")
    assert result.exit_code == 1
    assert result.stderr.strip() == ("Error: Grafana rejected the request to delete dashboard 'prov' "
                                     "(400: provisioned dashboard cannot be deleted)")
    assert "prov" in state.dashboards


def test_folder_title_is_renamed(stub: tuple[str, GrafanaState]) -> None:
    url, state = stub
    assert run(url).exit_code == 0
    dry = run(url, "--folder", "Inference", "--dry-run")
    assert "would rename" in dry.output and "~ title 'Triton' -> 'Inference'" in dry.output
    assert state.folders["triton"]["title"] == "Triton"
    result = run(url, "--folder", "Inference")
    assert result.exit_code == 0, result.output
    assert re.search(r"folder Inference\s+renamed\s+2\s", result.output)
    assert state.folders["triton"]["title"] == "Inference"
    assert run(url, "--folder", "Inference").output.count("unchanged") == 2 + len(UIDS)


def test_json_output_for_scripts(stub: tuple[str, GrafanaState]) -> None:
    url, state = stub
    result = run(url, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["kind"], r["result"]) for r in rows] == [
        ("grafana", "reachable"), ("api", "legacy"), ("datasource", "created"), ("folder", "created"),
        *[("dashboard", "created")] * len(UIDS)]
    assert rows[0]["name"] == state.version


@pytest.mark.live
@pytest.mark.parametrize("api", ["auto", "legacy"])
def test_live_grafana(api: str) -> None:
    """The same end-to-end run against a real Grafana (GRAFANA_URL, GRAFANA_TOKEN or user/password).

    ``auto`` takes /apis/dashboard.grafana.app/v1 on Grafana 13 (the api row says ``current``) and the
    legacy routes on older servers; ``legacy`` forces the legacy routes. Either way the second push
    finds everything unchanged, so the two runs also show that both APIs see one store.
    """
    url = os.environ["GRAFANA_URL"]
    args = ["push", "--url", url, "--api", api, "--folder-uid", "triton-dash-live", "--folder",
            "triton_dash live test", "--format", "json"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    rows = json.loads(first.stdout)
    used = next(row["result"] for row in rows if row["kind"] == "api")
    assert used == ("legacy" if api == "legacy" else used) and used in ("legacy", "current")
    second = CliRunner().invoke(main, args)
    assert second.exit_code == 0, second.output
    results = [row["result"] for row in json.loads(second.stdout) if row["kind"] == "dashboard"]
    assert results == ["unchanged"] * len(UIDS)


@pytest.fixture
def metrics_server() -> Iterator[str]:
    """A real HTTP server that is not Grafana: Triton's /metrics text on every path, 200 (as the review found)."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    scrape = (Path(__file__).parent / "fixtures" / "triton-2.51-cpu-default.prom").read_bytes()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
            self.send_header("Content-Length", str(len(scrape)))
            self.end_headers()
            self.wfile.write(scrape)

        do_POST = do_PUT = do_DELETE = do_GET

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_server_that_is_not_grafana_is_refused(metrics_server: str, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch, dry_run: bool) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(metrics_server, *(["--dry-run"] if dry_run else []))
    assert result.exit_code == 1
    assert result.stdout == ""  # no "grafana (version hidden) reachable" line
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0] == (f"Error: {metrics_server} does not look like a Grafana (GET /api/health gave HTTP 200, a "
                        "text/plain page: '# HELP nv_inference_request_success Number of successful...'); "
                        "check --url/GRAFANA_URL")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("args", "env", "names"), [
    (["--token", "bad\ntoken"], {}, "--token"),
    ([], {"GRAFANA_TOKEN": "bad\ntoken"}, "GRAFANA_TOKEN"),
    (["--password", "pass\tword", "--user", "admin"], {"GRAFANA_TOKEN": ""}, "--password"),
    (["--user", "ad\nmin"], {"GRAFANA_TOKEN": ""}, "--user"),
])
def test_a_bad_credential_is_named_where_it_came_from(args: list[str], env: dict[str, str], names: str) -> None:
    full = {"GRAFANA_URL": "http://127.0.0.1:9", "GRAFANA_TOKEN": "", "GRAFANA_USER": "", "GRAFANA_PASSWORD": "",
            **env}
    result = CliRunner().invoke(main, ["push", *args], env=full)
    assert result.exit_code == 1, result.output
    line = result.stderr.strip()
    assert line.startswith((f"Error: {names} contains", f"Error: {names}=")), line
    other = {"--token": "GRAFANA_TOKEN", "GRAFANA_TOKEN": "--token", "--password": "GRAFANA_PASSWORD",
             "--user": "GRAFANA_USER"}[names]
    assert other not in line
