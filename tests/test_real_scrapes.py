"""Real Triton 2.51 scrapes: the catalogue matches them, and the panels compute from them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from triton_dash.metrics import CATALOGUE, SCRAPE

from .grafana import load_dashboards, query_panels
from .support.harness import Context, evaluate, judge
from .support.prometheus import Prometheus, backfilled_prometheus

FIXTURES = Path(__file__).parent / "fixtures"
IDLE, TRAFFIC, SUMMARIES = (FIXTURES / f"triton-2.51-cpu-{n}.prom" for n in ("idle", "default", "summaries-cache"))
_SAMPLE = re.compile(r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?P<labels>[^}]*)\})?\s+(?P<value>\S+)$")
Labels = frozenset[tuple[str, str]]


def parse(path: Path) -> tuple[dict[str, str], dict[str, dict[Labels, float]]]:
    """Prometheus text format -> ({family: type}, {sample name: {labels: value}})."""
    types: dict[str, str] = {}
    samples: dict[str, dict[Labels, float]] = {}
    for line in path.read_text().splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split()
            types[name] = kind
        elif line and not line.startswith("#"):
            match = _SAMPLE.match(line)
            assert match, line
            labels = frozenset(re.findall(r'(\w+)="([^"]*)"', match["labels"] or ""))
            samples.setdefault(match["name"], {})[labels] = float(match["value"])
    return types, samples


@pytest.mark.parametrize("path", [IDLE, TRAFFIC, SUMMARIES], ids=lambda p: p.stem)
def test_catalogue_agrees_with_a_real_scrape(path: Path) -> None:
    types, samples = parse(path)
    for name, metric in CATALOGUE.items():
        if metric.source != "triton" or name not in types:
            continue
        assert types[name] == metric.kind.value, name
        for labels in samples.get(name, {}):
            extra = {k for k, _ in labels} - set(metric.labels) - set(SCRAPE) - {"gpu_uuid"}
            assert not extra, f"{name} has labels {extra} the catalogue does not know"
    used = {n for n in CATALOGUE if CATALOGUE[n].source == "triton"}
    assert used & set(types), "the scrape shares no family with the catalogue"


# --- the panels on real data: idle scrape at T, traffic scrape at T + 60 s ------------------------

T = 1767225600
OVERVIEW = load_dashboards()["triton-overview"]


def _openmetrics() -> str:
    """Both scrapes as one OpenMetrics file, every family ``unknown`` (Triton counters lack _total)."""
    by_family: dict[str, list[str]] = {}
    for path, at in ((IDLE, T), (TRAFFIC, T + 60)):
        for name, series in parse(path)[1].items():
            for labels, value in sorted(series.items(), key=lambda kv: sorted(kv[0])):
                scraped = sorted({*labels, ("job", "triton"), ("instance", "triton:8002")})
                text = ",".join(f'{k}="{v}"' for k, v in scraped)
                by_family.setdefault(name, []).append(f"{name}{{{text}}} {value!r} {at}")
    lines = [line for name in sorted(by_family) for line in (f"# TYPE {name} unknown", *by_family[name])]
    return "\n".join([*lines, "# EOF"]) + "\n"


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prometheus]:
    with backfilled_prometheus(_openmetrics(), tmp_path_factory.mktemp("real")) as prom:
        yield prom


def _delta(name: str, model: str) -> float:
    def total(path: Path) -> float:
        return sum(v for labels, v in parse(path)[1][name].items() if ("model", model) in labels)
    return total(TRAFFIC) - total(IDLE)


def _want(title: str) -> dict[Labels, float]:
    out = {}
    for model in ("add_sub", "flaky", "identity"):
        ok = _delta("nv_inference_request_success", model)
        value = {
            "Queue time per request": _delta("nv_inference_queue_duration_us", model) / ok / 1e6,
            "Request time per request": _delta("nv_inference_request_duration_us", model) / ok / 1e6,
            "Inference time per request": _delta("nv_inference_compute_infer_duration_us", model) / ok / 1e6,
            "Successful requests/s": ok / 60,
            "Batch ratio": _delta("nv_inference_count", model) / _delta("nv_inference_exec_count", model),
            "Error ratio": _delta("nv_inference_request_failure", model)
            / (ok + _delta("nv_inference_request_failure", model)),
        }[title]
        out[frozenset({("model", model), ("version", "1")})] = value
    return out


@pytest.mark.prometheus
@pytest.mark.parametrize("title", ["Queue time per request", "Request time per request", "Inference time per request",
                                   "Successful requests/s", "Batch ratio", "Error ratio"])
def test_panel_on_real_scrapes(prometheus: Prometheus, title: str) -> None:
    target = next(p for p in query_panels(OVERVIEW) if p["title"] == title)["targets"][0]
    got = evaluate(Context(prometheus, at=T + 60, rate_interval="60s"), OVERVIEW, target["expr"], {})
    assert judge(got, _want(title)) == []
