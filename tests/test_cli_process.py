"""The real entry point (``python -m triton_dash``) in a child process: the issue's inputs and Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

TOKEN = "glsa_NEVER_SHOWN_4242"


def run(*args: str, env: dict[str, str] | None = None, cwd: Path) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "GRAFANA_URL": "", "GRAFANA_TOKEN": "", **(env or {})}
    return subprocess.run([sys.executable, "-m", "triton_dash", *args], cwd=cwd, env=full, capture_output=True,
                          text=True, timeout=60, check=False)


@pytest.mark.parametrize(("args", "env", "says"), [
    (("push",), {"GRAFANA_URL": "notaurl"}, "Error: GRAFANA_URL='notaurl' has no scheme"),
    (("push",), {"GRAFANA_URL": "ftp://x"}, "Error: GRAFANA_URL='ftp://x' has scheme 'ftp'"),
    (("push",), {"GRAFANA_URL": "http://127.0.0.1:9", "GRAFANA_TOKEN": f"{TOKEN}\n"},
     "Error: GRAFANA_TOKEN contains a control character (code 10) at position 21"),
    (("rules", "--set", "job=(", "-o", "r.yml"), {}, "Error: job='(' is not a valid regex"),
    (("rules", "--set", "error_ratio=-1", "-o", "r.yml"), {}, "Error: error_ratio=-1 is not a ratio"),
])
def test_inputs_from_the_issue(tmp_path: Path, args: tuple[str, ...], env: dict[str, str], says: str) -> None:
    result = run(*args, env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(says), result.stderr
    assert TOKEN not in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def silent_server() -> Iterator[tuple[str, threading.Event]]:
    """Accepts connections and never answers: a Grafana that hangs."""
    server = socket.create_server(("127.0.0.1", 0))
    connected = threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:
        server.settimeout(30)
        try:
            conn, _ = server.accept()
        except OSError:
            return
        held.append(conn)
        connected.set()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", connected
    for conn in held:
        conn.close()
    server.close()


def _interrupt(process: subprocess.Popen[str], ready: threading.Event | Path) -> tuple[int, str, str]:
    deadline = time.monotonic() + 30
    while not (ready.is_set() if isinstance(ready, threading.Event) else ready.exists()):
        assert time.monotonic() < deadline and process.poll() is None, process.communicate()
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    return process.returncode, out, err


def test_ctrl_c_during_push(tmp_path: Path, silent_server: tuple[str, threading.Event]) -> None:
    url, connected = silent_server
    env = {**os.environ, "GRAFANA_URL": url, "GRAFANA_TOKEN": TOKEN}
    process = subprocess.Popen([sys.executable, "-m", "triton_dash", "push", "--timeout", "60"], cwd=tmp_path,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    code, out, err = _interrupt(process, connected)
    assert code == 130
    assert err.splitlines() == ["Error: interrupted; files were left as they were"]
    assert TOKEN not in out + err


def test_ctrl_c_during_build_leaves_the_output_as_it_was(tmp_path: Path) -> None:
    started = tmp_path / "started"
    (tmp_path / "slow.dashboard.py").write_text(
        "import pathlib, time\n"
        f"pathlib.Path({str(started)!r}).write_text('x')\n"
        "time.sleep(60)\n")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "slow.json").write_text("previous build\n")
    process = subprocess.Popen([sys.executable, "-m", "triton_dash", "build", "slow.dashboard.py", "-o", "out"],
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    code, _, err = _interrupt(process, started)
    assert code == 130
    assert err.splitlines() == ["Error: interrupted; files were left as they were"]
    assert sorted(p.name for p in out_dir.iterdir()) == ["slow.json"]
    assert (out_dir / "slow.json").read_text() == "previous build\n"
