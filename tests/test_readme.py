"""The README's panel catalogue is the one the code generates."""

from triton_dash.docs import CATALOGUE_BEGIN, CATALOGUE_END, panel_catalogue

from .grafana import REPO


def test_readme_catalogue_is_current() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start, end = text.index(CATALOGUE_BEGIN), text.index(CATALOGUE_END) + len(CATALOGUE_END) + 1
    assert text[start:end] == panel_catalogue(), "regenerate the catalogue: see triton_dash.docs"


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
