"""Developer sessions: ``nox -s tests`` (what CI runs), ``lint``, ``build``, ``schema``."""

from __future__ import annotations

import os
import shutil

import nox

nox.options.sessions = ["tests", "lint"]
nox.options.reuse_existing_virtualenvs = True


def _ensure_prometheus(session: nox.Session) -> None:
    if all(shutil.which(tool) for tool in ("promtool", "prometheus", "prometheus-alertmanager", "amtool",
                                           "victoria-metrics", "vmalert", "prometheus-blackbox-exporter")):
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        session.run("apt-get", "update", "-qq", external=True)
        session.run("apt-get", "install", "-y", "-qq", "--no-install-recommends", "prometheus",
                    "prometheus-alertmanager", "victoria-metrics", "prometheus-blackbox-exporter",
                    external=True, env={"DEBIAN_FRONTEND": "noninteractive"})
        return
    session.warn("prometheus/alertmanager/victoria-metrics/blackbox exporter missing: `sudo apt-get install "
                 "prometheus prometheus-alertmanager victoria-metrics prometheus-blackbox-exporter`; their tests "
                 "will be skipped")


def _ensure_crd_schemas(session: nox.Session) -> None:
    """The pinned npm packages with the CRD schemas (test-only, tests/schemas/package-lock.json)."""
    npm = shutil.which("npm")
    if npm is None:
        session.warn("npm missing (Debian: apt-get install nodejs npm): the CRD schema tests will be skipped "
                     "(they fail under CI=true)")
        return
    session.run(npm, "ci", "--prefix", "tests/schemas", "--no-audit", "--no-fund", "--ignore-scripts",
                "--loglevel=error", external=True)


@nox.session
def tests(session: nox.Session) -> None:
    """Install the package with its test extras (and Debian's prometheus), then run pytest.

    As root, installs the Debian packages prometheus, prometheus-alertmanager, victoria-metrics and
    prometheus-blackbox-exporter with apt-get when a tool is missing; otherwise says what to install.
    """
    _ensure_prometheus(session)
    _ensure_crd_schemas(session)
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    session.install("-e", ".[dev]")
    session.run("ruff", "check", "triton_dash", "tests", "noxfile.py", "benchmarks")
    session.run("mypy")


@nox.session
def build(session: nox.Session) -> None:
    session.install("-e", ".")
    session.run("python", "-m", "triton_dash", "build")


@nox.session
def schema(session: nox.Session) -> None:
    """Check the built JSON against Grafana's published schemas (needs ../shared)."""
    session.install("jsonschema")
    session.run("python", "../shared/tools/grafana_schema_check.py", "dashboards/triton-overview.json",
                "dashboards/triton-stack.json")
