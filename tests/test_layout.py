"""Users' own layouts: pinned gridPos kept, the rest flows around it, maxDataPoints kept."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import grafanalib.core as G
import pytest
from click.testing import CliRunner

from triton_dash import panels
from triton_dash.cli import main
from triton_dash.grafana.finalize import FinalizeError, finalize

MIXED = textwrap.dedent('''
    import grafanalib.core as G
    from triton_dash import panels as p
    from triton_dash.selector import Selector

    sel = Selector(model="resnet.*")
    pinned = p.queue_time_per_request(selector=sel, title="Pinned queue")
    pinned.gridPos = G.GridPos(h=6, w=10, x=14, y=0)
    below = p.error_ratio(selector=sel, title="Pinned low")
    below.gridPos = G.GridPos(h=5, w=24, x=0, y=30)
    detailed = p.success_rate(selector=sel, title="Detailed", width=12)
    detailed.maxDataPoints = 2000
    dashboard = G.Dashboard(title="Mine", uid="mine", panels=[
        p.request_time_per_request(selector=sel, title="Flow A", width=12, height=8),
        pinned,
        p.batch_ratio(selector=sel, title="Flow B", width=12, height=8),
        G.RowPanel(title="More"),
        detailed,
        below,
        p.inference_rate(selector=sel, title="Flow C", width=12, height=8),
    ])
''')


def _build(tmp_path: Path, source: str) -> tuple[int, str, dict[str, dict[str, object]]]:
    path = tmp_path / "mine.dashboard.py"
    path.write_text(source)
    result = CliRunner().invoke(main, ["build", str(path), "-o", str(tmp_path / "out")])
    out = tmp_path / "out" / "mine.json"
    doc = json.loads(out.read_text()) if out.exists() else {"panels": []}
    return result.exit_code, result.output, {p["title"]: p for p in doc["panels"]}


def test_mixed_layout_keeps_pinned_panels_and_flows_the_rest(tmp_path: Path) -> None:
    code, output, by_title = _build(tmp_path, MIXED)
    assert code == 0, output
    positions = {title: panel["gridPos"] for title, panel in by_title.items()}
    assert positions == {
        "Flow A": {"h": 8, "w": 12, "x": 0, "y": 0},
        "Pinned queue": {"h": 6, "w": 10, "x": 14, "y": 0},  # kept as given
        "Flow B": {"h": 8, "w": 12, "x": 0, "y": 8},  # right of the pinned panel has no room: next line
        "More": {"h": 1, "w": 24, "x": 0, "y": 16},
        "Detailed": {"h": 8, "w": 12, "x": 0, "y": 17},
        "Pinned low": {"h": 5, "w": 24, "x": 0, "y": 30},  # kept as given
        "Flow C": {"h": 8, "w": 12, "x": 0, "y": 35},  # flows after the pinned panel, never over it
    }
    assert by_title["Detailed"]["maxDataPoints"] == 2000
    assert "maxDataPoints" not in by_title["Flow A"]  # grafanalib's default 100 is dropped
    ids = [panel["id"] for panel in by_title.values()]
    assert sorted(ids) == list(range(1, len(ids) + 1))


def test_flow_skips_cells_of_a_panel_pinned_later() -> None:
    pinned = panels.error_ratio(title="Pinned")
    pinned.gridPos = G.GridPos(h=8, w=8, x=8, y=0)
    doc = finalize(G.Dashboard(title="T", uid="t", panels=[
        panels.success_rate(title="One", width=8), panels.inference_rate(title="Two", width=8), pinned]))
    got = {p["title"]: p["gridPos"] for p in doc["panels"]}
    assert got == {"One": {"h": 8, "w": 8, "x": 0, "y": 0}, "Two": {"h": 8, "w": 8, "x": 16, "y": 0},
                   "Pinned": {"h": 8, "w": 8, "x": 8, "y": 0}}


def test_overlapping_pinned_panels_name_both(tmp_path: Path) -> None:
    source = textwrap.dedent('''
        import grafanalib.core as G
        from triton_dash import panels as p
        a = p.success_rate(title="Requests")
        a.gridPos = G.GridPos(h=8, w=12, x=0, y=0)
        b = p.error_ratio(title="Errors")
        b.gridPos = G.GridPos(h=8, w=12, x=6, y=4)
        dashboard = G.Dashboard(title="Mine", uid="mine", panels=[a, b])
    ''')
    code, output, _ = _build(tmp_path, source)
    assert code == 1
    assert output.strip().splitlines() == [
        "Error: mine.dashboard.py: panels 'Requests' and 'Errors' overlap: gridPos "
        "{'h': 8, 'w': 12, 'x': 0, 'y': 0} and {'h': 8, 'w': 12, 'x': 6, 'y': 4}; move one of them"
        .replace("mine.dashboard.py", str(tmp_path / "mine.dashboard.py"))]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("grid", "message"), [
    ({"h": 8, "w": 12, "x": 20, "y": 0}, "outside the 24-column grid"),
    ({"h": 8, "w": 12, "x": -1, "y": 0}, "outside the 24-column grid"),
    ({"h": 8, "w": 12, "x": "a", "y": 0}, "not whole numbers"),
])
def test_pinned_panel_off_the_grid(grid: dict[str, object], message: str) -> None:
    panel = panels.success_rate(title="Off")
    panel.gridPos = grid
    with pytest.raises(FinalizeError, match=message):
        finalize(G.Dashboard(title="T", uid="t", panels=[panel]))


def test_dict_grid_pos_without_x_and_y_only_sizes_the_panel() -> None:
    panel = panels.success_rate(title="Sized")
    panel.gridPos = {"h": 5, "w": 6}
    doc = finalize(G.Dashboard(title="T", uid="t", panels=[panels.error_ratio(title="First", width=6), panel]))
    assert doc["panels"][1]["gridPos"] == {"h": 5, "w": 6, "x": 6, "y": 0}
