"""The build: deterministic, committed JSON current, structure Grafana accepts, bad input refused."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import grafanalib.core as G
import pytest
from click.testing import CliRunner

from triton_dash import panels
from triton_dash.build import compile_builtin, compile_files
from triton_dash.cli import main
from triton_dash.grafana.finalize import SCHEMA_VERSION, finalize
from triton_dash.profile import Profile

from .grafana import DASHBOARD_DIR, all_panels, load_dashboards, query_panels

CARD_PANELS = [
    panels.compute_infer_time_per_request, panels.inference_time_per_request,
    panels.compute_input_time_per_request, panels.input_time_per_request,
    panels.compute_output_time_per_request, panels.output_time_per_request,
    panels.queue_time_per_request, panels.gpu_vram, panels.gpu_utilization, panels.batch_ratio,
    panels.aggregated_latency,
]
LEGACY_KEYS = {"rows", "hideControls", "sharedCrosshair", "style", "gnetId", "span", "height", "minSpan",
               "cacheTimeout", "error", "maxDataPoints", "__inputs", "alias", "intervalFactor", "step"}


def _walk_keys(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _walk_keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _walk_keys(v)}
    return set()


def _has_null(value: object, path: str = "") -> list[str]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _has_null(v, f"{path}/{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _has_null(v, f"{path}/{i}")]
    return [path] if value is None else []


def test_build_twice_is_byte_identical(tmp_path: Path) -> None:
    runner = CliRunner()
    for out in ("a", "b"):
        result = runner.invoke(main, ["build", "-o", str(tmp_path / out)])
        assert result.exit_code == 0, result.output
        assert f"wrote {tmp_path / out}" in result.output
    first = {p.name: p.read_bytes() for p in (tmp_path / "a").iterdir()}
    second = {p.name: p.read_bytes() for p in (tmp_path / "b").iterdir()}
    assert first == second
    assert set(first) == {"triton-llm.json", "triton-overview.json", "triton-slo.json", "triton-stack.json"}


def test_committed_dashboards_equal_a_fresh_build() -> None:
    fresh = {f"{c.stem}.json": c.text for c in compile_builtin()}
    committed = {p.name: p.read_text(encoding="utf-8") for p in DASHBOARD_DIR.glob("*.json")}
    assert committed == fresh, "dashboards/ is stale: run `python -m triton_dash build`"
    result = CliRunner().invoke(main, ["build", "--check", "-o", str(DASHBOARD_DIR)])
    assert result.exit_code == 0, result.output


def test_check_reports_drift(tmp_path: Path) -> None:
    runner = CliRunner()
    runner.invoke(main, ["build", "-o", str(tmp_path)])
    (tmp_path / "triton-stack.json").write_text("{}\n")
    result = runner.invoke(main, ["build", "--check", "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert "triton-stack.json" in result.output
    assert (tmp_path / "triton-stack.json").read_text() == "{}\n"  # --check writes nothing


DCGM_OVERVIEW = "triton-overview[gpu_source=dcgm]"


def _built(stem: str) -> dict[str, Any]:
    """A committed dashboard, or the overview built with the dcgm GPU source (not committed)."""
    if stem == DCGM_OVERVIEW:
        dcgm = Profile(gpu_source="dcgm", dcgm_pod_label="exported_pod")
        return next(c.document for c in compile_builtin(profile=dcgm)
                    if c.stem == "triton-overview")
    return load_dashboards()[stem]


@pytest.mark.parametrize("stem", ["triton-overview", "triton-stack", DCGM_OVERVIEW])
def test_dashboard_structure(stem: str) -> None:
    doc = _built(stem)
    assert doc["uid"] == stem.split("[")[0]
    assert doc["schemaVersion"] == SCHEMA_VERSION >= 39
    assert not _walk_keys(doc) & LEGACY_KEYS
    nulls = [p for p in _has_null(doc) if not re.search(r"/steps/\d+/value$", p)]
    assert nulls == []
    ids = [p["id"] for p in all_panels(doc)]
    assert ids == list(range(1, len(ids) + 1))
    for panel in query_panels(doc):
        where = f"{stem}: {panel['title']}"
        assert panel["title"] and panel["description"], where
        assert "No data" in panel["description"] or "no data" in panel["description"].lower(), where
        assert panel["fieldConfig"]["defaults"]["unit"], where
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, where
        refs = [t["refId"] for t in panel["targets"]]
        assert refs and all(refs) and len(set(refs)) == len(refs), where
        for target in panel["targets"]:
            assert target["datasource"] == panel["datasource"], where
            assert "query" not in target and "expr" in target, where
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 24, where


@pytest.mark.parametrize("stem", ["triton-overview", "triton-stack", DCGM_OVERVIEW])
def test_layout_has_no_overlap(stem: str) -> None:
    cells: dict[tuple[int, int], int] = {}
    for panel in all_panels(_built(stem)):
        g = panel["gridPos"]
        for x in range(g["x"], g["x"] + g["w"]):
            for y in range(g["y"], g["y"] + g["h"]):
                assert (x, y) not in cells, f"panel {panel['id']} overlaps panel {cells[(x, y)]}"
                cells[(x, y)] = panel["id"]


def test_variables() -> None:
    variables = {v["name"]: v for v in load_dashboards()["triton-overview"]["templating"]["list"]}
    assert list(variables) == ["datasource", "job", "instance", "model", "version", "gpu", "probe_job"]
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    for name in ("job", "instance", "model", "version", "gpu"):
        var = variables[name]
        assert var["multi"] and var["includeAll"] and var["refresh"] == 2, name
        assert var["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, name
        assert var["query"].startswith("label_values("), name


@pytest.mark.parametrize("factory", CARD_PANELS, ids=lambda f: f.__name__)
def test_card_panel_in_a_users_dashboard(factory) -> None:  # type: ignore[no-untyped-def]
    panel = factory(width=12, height=6, title="Mine", datasource={"type": "prometheus", "uid": "prom-1"})
    doc = finalize(G.Dashboard(title="User", uid="user", panels=[G.RowPanel(title="R"), panel]))
    built = doc["panels"][1]
    assert built["title"] == "Mine"
    assert built["gridPos"] == {"h": 6, "w": 12, "x": 0, "y": 1}
    assert built["datasource"] == {"type": "prometheus", "uid": "prom-1"}
    assert all(t["refId"] for t in built["targets"])


USER_FILE = """
import grafanalib.core as G
from triton_dash.panels import queue_time_per_request, batch_ratio
from triton_dash.selector import Selector

dashboard = G.Dashboard(title="My models", panels=[
    queue_time_per_request(selector=Selector(model="resnet.*"), width=12),
    batch_ratio(width=12),
])
"""


def test_build_user_file(tmp_path: Path) -> None:
    src = tmp_path / "my models.dashboard.py"
    src.write_text(USER_FILE)
    result = CliRunner().invoke(main, ["build", str(src), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "out" / "my models.json").read_text())
    assert doc["uid"] == "my-models"
    assert [p["gridPos"]["x"] for p in doc["panels"]] == [0, 12]
    assert 'model=~"resnet.*"' in doc["panels"][0]["targets"][0]["expr"]
    assert compile_files([src])[0].text == (tmp_path / "out" / "my models.json").read_text()


BAD_FILES = {
    "syntax.dashboard.py": ("dashboard = (\n", "syntax error at line"),
    "missing.dashboard.py": ("x = 1\n", "defines no module-level `dashboard`"),
    "wrongtype.dashboard.py": ("dashboard = {'title': 'x'}\n", "not a grafanalib Dashboard"),
    "raises.dashboard.py": ("import nonexistent_module_xyz\n", "ModuleNotFoundError"),
    "baduid.dashboard.py": ("import grafanalib.core as G\ndashboard = G.Dashboard(title='t', uid='a b')\n",
                            "invalid dashboard uid"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_user_file_fails_cleanly(tmp_path: Path, name: str) -> None:
    good = tmp_path / "good.dashboard.py"
    good.write_text(USER_FILE)
    bad = tmp_path / name
    content, message = BAD_FILES[name]
    bad.write_text(content)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(good), str(bad), "-o", str(out)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert str(bad) in lines[0]
    assert message in lines[0]
    assert not out.exists()  # the good file was not written either


def _build_as_a_user(tmp_path: Path, *files: str) -> subprocess.CompletedProcess[str]:
    """``python -m triton_dash build`` in a child without PYTHONDONTWRITEBYTECODE (this machine sets it; users
    do not), so Python would write bytecode wherever it is allowed to."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    return subprocess.run([sys.executable, "-m", "triton_dash", "build", *files, "-o", "out"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120, check=False)


def test_build_writes_no_bytecode_next_to_the_users_files(tmp_path: Path) -> None:
    # The good file imports a helper module beside it: neither gets a __pycache__ there.
    (tmp_path / "helper_panels.py").write_text("from triton_dash.panels import batch_ratio as panel\n")
    (tmp_path / "good.dashboard.py").write_text(USER_FILE + "from helper_panels import panel\n")
    (tmp_path / "bad.dashboard.py").write_text("import helper_panels\nraise RuntimeError('broken on purpose')\n")
    good = _build_as_a_user(tmp_path, "good.dashboard.py")
    assert good.returncode == 0, good.stderr
    assert (tmp_path / "out" / "good.json").is_file()
    bad = _build_as_a_user(tmp_path, "bad.dashboard.py")
    assert bad.returncode == 1, bad.stderr
    assert "RuntimeError: broken on purpose" in bad.stderr
    assert not list(tmp_path.rglob("__pycache__")), sorted(map(str, tmp_path.rglob("*")))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.dashboard.py", "good.dashboard.py",
                                                          "helper_panels.py", "out"]


def test_loading_restores_the_bytecode_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    src = tmp_path / "x.dashboard.py"
    src.write_text(USER_FILE)
    compile_files([src])
    assert sys.dont_write_bytecode is False
    assert not (tmp_path / "__pycache__").exists()


def test_duplicate_uid_fails_cleanly(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / f"{name}.dashboard.py").write_text(
            "import grafanalib.core as G\ndashboard = G.Dashboard(title='t', uid='same')\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(tmp_path / "a.dashboard.py"),
                                       str(tmp_path / "b.dashboard.py"), "-o", str(out)])
    assert result.exit_code == 1
    assert "duplicate dashboard uid 'same'" in result.output
    assert "b.dashboard.py" in result.output
    assert not out.exists()


def test_missing_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", str(tmp_path / "nope.dashboard.py")])
    assert result.exit_code == 2  # a usage error, as everywhere
    assert "no such file" in result.output
