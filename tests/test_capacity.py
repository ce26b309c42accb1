"""``capacity`` on a stepped load with known answers, backfilled into a real Prometheus.

One model on two pods, four load steps of five minutes: 5, 10, 20 and 40 requests/s
per pod, with queue time per request 5, 10, 50 and 200 ms. Under a 100 ms queue
SLO the capacity is step three: 40 requests/s in total, 20 per pod, so a 70 %
autoscaling target of 14 requests/s per pod.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from triton_dash.cli import main

from .support.prometheus import Prometheus, backfilled_prometheus

pytestmark = pytest.mark.prometheus

T0 = 1767225600
STEP_S = 300
PER_POD = (5.0, 10.0, 20.0, 40.0)
QUEUE = (0.005, 0.010, 0.050, 0.200)
GPU = (0.2, 0.4, 0.7, 0.95)
END = T0 + STEP_S * len(PER_POD)


def _step(t: int) -> int:
    return min((t - T0) // STEP_S, len(PER_POD) - 1)


def _counter(rate_of: list[float], t: int) -> float:
    """A counter whose per-second rate is rate_of[step] in each step."""
    total, start = 1000.0, T0
    for index, rate in enumerate(rate_of):
        stop = min(t, T0 + STEP_S * (index + 1))
        if stop > start:
            total += rate * (stop - start)
        start = T0 + STEP_S * (index + 1)
    return total


def _openmetrics() -> str:
    lines: list[str] = []
    families = {
        "nv_inference_request_success": list(PER_POD),
        "nv_inference_queue_duration_us": [r * q * 1e6 for r, q in zip(PER_POD, QUEUE, strict=True)],
        "nv_inference_request_duration_us": [r * (q + 0.020) * 1e6 for r, q in zip(PER_POD, QUEUE, strict=True)],
        "nv_inference_count": list(PER_POD),
        "nv_inference_exec_count": [r / 2 for r in PER_POD],
    }
    times = range(T0, END + 1, 15)
    for name, rates in families.items():
        lines.append(f"# TYPE {name} unknown")
        for pod in ("a", "b"):
            labels = f'job="triton",instance="{pod}:8002",model="llama",version="1"'
            lines += [f"{name}{{{labels}}} {_counter(rates, t)} {t}" for t in times]
    for name, value in (("nv_gpu_utilization", None), ("nv_gpu_memory_used_bytes", 40e9),
                        ("nv_gpu_memory_total_bytes", 80e9)):
        lines.append(f"# TYPE {name} gauge")
        for pod in ("a", "b"):
            labels = f'job="triton",instance="{pod}:8002",gpu_uuid="GPU-{pod}"'
            lines += [f"{name}{{{labels}}} {GPU[_step(t)] if value is None else value} {t}" for t in times]
    return "\n".join([*lines, "# EOF"]) + "\n"


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prometheus]:
    with backfilled_prometheus(_openmetrics(), tmp_path_factory.mktemp("capacity")) as prom:
        yield prom


def _iso(t: int) -> str:
    return datetime.fromtimestamp(t, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def run(prom: Prometheus, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["capacity", "--prometheus", prom.url, "--from", _iso(T0 + 60), "--to",
                                       str(END), *args])
    return result.exit_code, result.output


def test_capacity_is_the_last_step_that_met_the_slo(prometheus: Prometheus) -> None:
    code, output = run(prometheus, "--slo-queue", "100ms", "--format", "json")
    assert code == 0, output
    (row,) = json.loads(output)
    assert (row["model"], row["version"]) == ("llama", "1")
    assert row["max_rps"] == pytest.approx(40, rel=0.005)
    assert row["pods"] == 2
    assert row["queue_s"] == pytest.approx(0.050, rel=0.005)
    assert row["latency_s"] == pytest.approx(0.070, rel=0.005)
    assert row["batch_size"] == pytest.approx(2, rel=0.005)
    assert row["gpu_utilization"] == pytest.approx(0.7)
    assert row["gpu_memory_ratio"] == pytest.approx(0.5)
    assert row["target_per_pod"] == pytest.approx(0.7 * 40 / 2, rel=0.005)
    assert 40 < row["slo_broken_at_rps"] <= 80


def test_a_tighter_slo_moves_the_capacity_down_one_step(prometheus: Prometheus) -> None:
    code, output = run(prometheus, "--slo-latency", "40ms", "--share", "0.5", "--format", "json")
    assert code == 0, output
    (row,) = json.loads(output)
    assert row["max_rps"] == pytest.approx(20, rel=0.005)  # latency 30 ms at step two, 70 ms at step three
    assert row["target_per_pod"] == pytest.approx(0.5 * 20 / 2, rel=0.005)


def test_text_table_and_plot(prometheus: Prometheus, tmp_path: Path) -> None:
    png = tmp_path / "knee.png"
    code, output = run(prometheus, "--slo-queue", "100ms", "--plot", str(png))
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0].split()[:3] == ["MODEL", "MAX", "REQ/S"]
    assert lines[1].startswith("llama v1") and " 40 " in lines[1] and lines[1].rstrip().endswith("14")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_needs_exactly_one_slo(prometheus: Prometheus) -> None:
    code, output = run(prometheus)
    assert code == 2 and "give exactly one of --slo-queue and --slo-latency" in output
    code, output = run(prometheus, "--slo-queue", "100ms", "--model", "nothing")
    assert code == 1 and output.strip() == ("Error: no successful request of models matching 'nothing' between "
                                            "--from and --to")
