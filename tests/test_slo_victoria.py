"""The SLO alert scenarios of ``test_slo.py`` on VictoriaMetrics and vmalert (Debian 1.79.5).

Each scenario's counters are imported into a real VictoriaMetrics; ``vmalert
-replay`` evaluates the same rules file over them, group after group, and
writes the recordings and ``ALERTS`` back (one replay per group, see below;
``-datasource.queryStep=1m``, or 1.79.5's replay writes one point every 5 minutes). At every checkpoint the alerts
firing (``ALERTS{alertstate="firing"}``) must be exactly those
``tests/support/burn.py`` computes, the same ones promtool confirmed.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from triton_dash.cli import main
from triton_dash.rules import rules_yaml
from triton_dash.rules.slo import ALERT_NAME, slo_rule_groups

from .support import burn
from .support.prometheus import Prometheus
from .support.tools import require_binary
from .support.victoria import imported_victoria, replay_rules
from .test_slo import CLEAN, SCENARIOS, Scenario, checkpoints

pytestmark = pytest.mark.victoria

T0 = 1767225600


def _openmetrics(scenario: Scenario) -> str:
    lines = []
    for item in burn.input_series(scenario.models):
        for minute, value in enumerate(item["values"].split()):
            lines.append(f"{item['series']} {value} {T0 + 60 * minute}")
    return "\n".join(lines) + "\n# EOF\n"


def _firing(vm: Prometheus, end: int, at: int) -> set[tuple[str, str]]:
    """(model, severity) of the alerts firing at ``at``, from the ``ALERTS`` series the replay wrote.

    With ``-datasource.queryStep=1m`` 1.79.5's replay writes ``alertstate="firing"`` points itself (with the
    default 5 m step it wrote pending points only, the quirk ``test_victoria.py`` works around).
    """
    data = vm.api("/api/v1/query_range", query=f'ALERTS{{alertname="{ALERT_NAME}", alertstate="firing"}}',
                  start=T0, end=end, step=60)
    return {(series["metric"]["model"], series["metric"]["severity"]) for series in data["result"]
            if any(int(float(t)) == at for t, _ in series["values"])}


def _replayable(group: dict[str, Any]) -> dict[str, Any]:
    """The group as replay can run it: 1.79.5 refuses the ``query`` template in replay mode ("`query` template
    isn't supported in replay mode"), so the budget-left lookup of the annotations is dropped; the expressions,
    labels and ``for`` are untouched. (The full file, with the lookup, loads in vmalert: see below.)"""
    rules = []
    for rule in group["rules"]:
        if "alert" in rule:
            rule = {**rule, "annotations": {k: re.sub(r"\{\{ with .*?\{\{ end \}\}", "unknown", v)
                                            for k, v in rule["annotations"].items()}}
        rules.append(rule)
    return {**group, "rules": rules}


def test_vmalert_loads_the_rules_file(tmp_path: Path) -> None:
    """``slo --availability 99.9 --latency first-response:500ms:99`` as written, templates included."""
    path = tmp_path / "slo.rules.yml"
    result = CliRunner().invoke(main, ["slo", "--availability", "99.9", "--latency", "first-response:500ms:99",
                                       "--cluster-label", "cluster", "-o", str(path)])
    assert result.exit_code == 0, result.output
    checked = subprocess.run([require_binary("vmalert"), f"-rule={path}", "-dryRun", "-loggerLevel=ERROR"],
                             capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    broken = tmp_path / "broken.rules.yml"
    broken.write_text(path.read_text().replace("humanizePercentage", "noSuchFunction"))
    refused = subprocess.run([require_binary("vmalert"), f"-rule={broken}", "-dryRun", "-loggerLevel=ERROR"],
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0  # the check is real: a bad template is refused


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_slo_alerts_fire_on_vmalert_as_on_promtool(name: str, tmp_path: Path) -> None:
    scenario = SCENARIOS[name]
    end = T0 + 60 * scenario.until
    with imported_victoria(_openmetrics(scenario), tmp_path) as vm:
        # one replay per group, in order: 1.79.5 evaluates the next group before the last one's writes are
        # searchable (observed: the metadata and alert groups then see no SLI recordings and write nothing)
        for group in slo_rule_groups([scenario.slo]):
            replay_rules(vm, rules_yaml([_replayable(group)], command="slo"), T0, end, tmp_path,
                         "-datasource.queryStep=1m")
        mismatches = []
        for minute in checkpoints(scenario):
            want = set()
            for model in scenario.models:
                k = burn.known(scenario.slo, model)
                want |= {(model.name, s) for s in ("page", "ticket")
                         if burn.firing(scenario.slo, k, s, minute) is not None}
            got = _firing(vm, end, T0 + 60 * minute)
            if got != want:
                mismatches.append(f"minute {minute - CLEAN} after the start: vmalert {sorted(got)}, "
                                  f"expected {sorted(want)}")
    assert not mismatches, "\n".join(mismatches[:20])
