"""The CLI as an ordinary user runs it, and its files as the stack's containers read them.

Every other test runs as whoever runs pytest (root in CI) on files it wrote itself. Here:

* the CLI runs as an unprivileged user (``nobody`` through ``setpriv`` when the suite runs as root,
  otherwise as the current user) with umask 022 in a fresh directory and a fresh HOME, and every file
  and directory it writes must have the mode of an ordinary write (0644 / 0755); a replaced file keeps
  its mode;
* the provisioned configs, written by the suite's user, are read by ``nobody`` with the very tools the
  containers run (promtool, amtool, the blackbox exporter), as the bind mounts of ``docker compose`` do.

Under CI=true nothing here skips: a missing tool or an unreadable checkout fails the test.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.tools import in_ci, require_binary

REPO = Path(__file__).resolve().parents[1]
UNPRIVILEGED = "nobody"
UNPRIVILEGED_GROUP = "nogroup"

# Every command that writes files, with the files a user would ask for.
WRITERS: list[tuple[str, ...]] = [
    ("build",),
    ("build", "--format", "configmap", "-o", "k8s/dashboards"),
    ("provision",),
    ("rules",),
    ("rules", "--format", "prometheusrule", "-o", "k8s/triton-rules.yaml"),
    ("autoscale", "--format", "hpa", "--metric", "queue-time", "--target", "0.05", "-o", "k8s/triton-hpa.yaml"),
    ("autoscale", "--format", "keda", "--metric", "requests", "--target", "120", "-o", "k8s/so.yaml"),
    ("podmonitor", "-o", "k8s/pm.yaml"),
]


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _as_user(argv: list[str]) -> list[str]:
    """The command line that runs argv as the unprivileged user (as the current user when not root)."""
    if not _is_root():
        return argv
    setpriv = require_binary("setpriv")
    return [setpriv, f"--reuid={UNPRIVILEGED}", f"--regid={UNPRIVILEGED_GROUP}", "--clear-groups", "--", *argv]


def _user_env(home: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GRAFANA_", "PROMETHEUS_"))}
    env.update(HOME=str(home), PYTHONPATH=str(REPO), PYTHONDONTWRITEBYTECODE="1", LC_ALL="C.UTF-8")
    return env


def _run(argv: list[str], *, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_as_user(argv), cwd=cwd, env=_user_env(home), umask=0o022, capture_output=True,
                          text=True, timeout=120, check=False)


@pytest.fixture
def fresh_dir() -> Iterator[tuple[Path, Path]]:
    """A new working directory and HOME the unprivileged user owns (under /tmp: pytest's tmp_path is 0700)."""
    base = Path(tempfile.mkdtemp(prefix="triton-dash-user-"))
    base.chmod(0o755)
    work, home = base / "work", base / "home"
    for folder in (work, home):
        folder.mkdir()
        if _is_root():
            shutil.chown(folder, UNPRIVILEGED, UNPRIVILEGED_GROUP)
    try:
        yield work, home
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _require_importable(work: Path, home: Path) -> None:
    """The user must be able to read the checkout and the interpreter's packages (fail, never skip, in CI)."""
    probe = _run([sys.executable, "-c", "import triton_dash.cli, grafanalib, promql_parser, yaml, click"],
                 cwd=work, home=home)
    if probe.returncode != 0:
        message = (f"{UNPRIVILEGED} cannot import triton_dash from {REPO} with {sys.executable}: "
                   f"{probe.stderr.strip().splitlines()[-1:]}; make the checkout and the venv world-readable")
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


def _modes(root: Path, skip: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        if path == skip or skip in path.parents:
            continue
        found[str(path.relative_to(root)) + ("/" if path.is_dir() else "")] = oct(stat.S_IMODE(path.lstat().st_mode))
    return found


def test_every_file_the_cli_writes_has_the_mode_of_an_ordinary_write(fresh_dir: tuple[Path, Path]) -> None:
    work, home = fresh_dir
    _require_importable(work, home)
    for args in WRITERS:
        result = _run([sys.executable, "-m", "triton_dash", *args], cwd=work, home=home)
        assert result.returncode == 0, (args, result.stderr)
    modes = _modes(work, skip=home)
    expected_files = {"dashboards/triton-overview.json", "provisioning/prometheus/prometheus.yml",
                      "provisioning/.env.example", "provisioning/prometheus/rules/triton.rules.yml",
                      "k8s/triton-hpa.yaml", "k8s/pm.yaml", "k8s/so.yaml", "k8s/triton-rules.yaml"}
    assert expected_files <= modes.keys(), sorted(modes)
    wrong = {name: mode for name, mode in modes.items() if mode != ("0o755" if name.endswith("/") else "0o644")}
    assert wrong == {}, "files/directories not written as under umask 022"
    assert not [name for name in modes if name.rsplit("/", 1)[-1].startswith(".") and name.endswith(".tmp")]

    # Replacing a file keeps its mode (a user who chose 0640 keeps 0640), and `build --check` reads it back.
    overview = work / "dashboards/triton-overview.json"
    edit = _run(["sh", "-c", f"chmod 0640 {overview} && echo '{{}}' > {overview}"], cwd=work, home=home)
    assert edit.returncode == 0, edit.stderr
    assert _run([sys.executable, "-m", "triton_dash", "build"], cwd=work, home=home).returncode == 0
    assert oct(stat.S_IMODE(overview.stat().st_mode)) == "0o640"
    check = _run([sys.executable, "-m", "triton_dash", "build", "--check"], cwd=work, home=home)
    assert check.returncode == 0, check.stderr


def test_the_containers_user_reads_the_provisioned_configs(fresh_dir: tuple[Path, Path]) -> None:
    """Written by the suite's user under umask 022, read by ``nobody`` as the stack's containers do."""
    work, home = fresh_dir
    promtool = require_binary("promtool")
    amtool = require_binary("amtool")
    blackbox = require_binary("prometheus-blackbox-exporter")
    writer = subprocess.run([sys.executable, "-m", "triton_dash", "provision"], cwd=work,
                            env={**_user_env(home), "HOME": os.environ.get("HOME", str(home))}, umask=0o022,
                            capture_output=True, text=True, timeout=120, check=False)
    assert writer.returncode == 0, writer.stderr
    tree = work / "provisioning"
    for argv in ([promtool, "check", "config", str(tree / "prometheus/prometheus.yml")],
                 [amtool, "check-config", str(tree / "alertmanager/alertmanager.yml")],
                 [blackbox, f"--config.file={tree / 'blackbox/blackbox.yml'}", "--config.check"]):
        result = _run(argv, cwd=work, home=home)
        assert result.returncode == 0, (argv, result.stdout, result.stderr)
        assert "permission denied" not in (result.stdout + result.stderr).lower()
    # Grafana runs as uid 472, in no group of ours: every provisioned file is world-readable.
    unreadable = [str(path) for path in tree.rglob("*") if not stat.S_IMODE(path.stat().st_mode) & stat.S_IROTH]
    assert unreadable == []
