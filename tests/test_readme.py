"""The README and its docs: the panel catalogue is the one the code generates, and the commands are CI's."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from triton_dash.docs import CATALOGUE_BEGIN, CATALOGUE_END, CATALOGUE_FILE, panel_catalogue

from .grafana import REPO


def test_readme_catalogue_is_current() -> None:
    text = (REPO / CATALOGUE_FILE).read_text(encoding="utf-8")
    start, end = text.index(CATALOGUE_BEGIN), text.index(CATALOGUE_END) + len(CATALOGUE_END) + 1
    assert text[start:end] == panel_catalogue(), "regenerate the catalogue: python -m triton_dash.docs"


def test_readme_names_the_ci_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    command = ".venv/bin/python -m pip install nox && .venv/bin/nox -s tests"
    assert command in readme
    assert command in ci


def test_readme_runbook_lists_every_alert() -> None:
    from triton_dash.rules import AlertConfig, alert_rules

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for rule in alert_rules(AlertConfig())["rules"]:
        assert f"| `{rule['alert']}` | {rule['labels']['severity']} |" in readme, rule["alert"]


# --- the README's blocks run as written ------------------------------------------------------------

NOT_RUN = re.compile(r"^<!-- not run: .+ -->$")
FENCE = re.compile(r"^```(\w*)$")
INSTALL = "python3 -m venv .venv && .venv/bin/python -m pip install -e . && .venv/bin/triton-dash build"


def readme_blocks() -> list[tuple[int, str, str, bool]]:
    """(line, language, text, runnable) of every fenced block; runnable unless marked just above."""
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    blocks, index = [], 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        end = lines.index("```", index + 1)
        marked = index > 0 and NOT_RUN.match(lines[index - 1]) is not None
        blocks.append((index + 1, opening[1], "\n".join(lines[index + 1:end]) + "\n", not marked))
        index = end + 1
    return blocks


def test_the_set_up_and_test_commands_are_the_ones_ci_runs() -> None:
    blocks = {text.strip() for _, lang, text, runnable in readme_blocks() if lang == "sh" and not runnable}
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    for command in (INSTALL, ".venv/bin/python -m pip install nox && .venv/bin/nox -s tests"):
        assert command in blocks and command in ci


def _shims(folder: Path) -> dict[str, str]:
    """``triton-dash``, ``python3`` and ``python`` as the README's reader has them after the set-up."""
    folder.mkdir()
    for name, body in (("triton-dash", f'exec "{sys.executable}" -m triton_dash "$@"'),
                       ("python3", f'exec "{sys.executable}" "$@"'), ("python", f'exec "{sys.executable}" "$@"')):
        shim = folder / name
        shim.write_text(f"#!/bin/sh\n{body}\n")
        shim.chmod(0o755)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GRAFANA_", "PROMETHEUS_"))}
    return {**env, "PATH": f"{folder}{os.pathsep}{env.get('PATH', '')}", "PYTHONPATH": str(REPO)}


def test_every_runnable_block_runs_in_a_fresh_directory(tmp_path: Path) -> None:
    """In order, as a reader would: ``# NAME.py`` blocks are written to NAME.py, other python and sh blocks run."""
    work = tmp_path / "work"
    work.mkdir()
    env = _shims(tmp_path / "bin")
    ran = 0
    for line, lang, text, runnable in readme_blocks():
        if not runnable or lang not in ("python", "sh"):
            continue
        first = text.splitlines()[0]
        if lang == "python" and re.fullmatch(r"# [\w.-]+\.py", first):
            (work / first[2:]).write_text(text, encoding="utf-8")
            continue
        argv = ["sh", "-e", "-c", text] if lang == "sh" else [sys.executable, "-c", text]
        result = subprocess.run(argv, cwd=work, env=env, capture_output=True, text=True, timeout=300, check=False)
        assert result.returncode == 0, f"README.md line {line}: {result.stderr.strip()[-2000:]}"
        assert "Error:" not in result.stderr, f"README.md line {line}: {result.stderr}"
        ran += 1
    assert ran >= 6, "most of the README's commands must run here"
    # The custom-dashboard example: built, and linted with no error and no warning.
    lint = subprocess.run([sys.executable, "-m", "triton_dash", "lint", "out/my.json", "--format", "json"], cwd=work,
                          env=env, capture_output=True, text=True, timeout=60, check=False)
    assert lint.returncode == 0, lint.stdout
    assert json.loads(lint.stdout)["findings"] == []
