"""``check``: why each panel shows what it shows (or nothing) on the user's own Prometheus.

Every target of every dashboard is expanded as Grafana would (variables resolved
against the same Prometheus), run at one instant, and given a status:

- ``ok``: series came back (their count is reported);
- ``idle``: the families exist but nothing happened in the window, or no alert is firing (fine);
- ``not-enabled``: nothing came back because an optional family was never seen (a switch that is
  off, a backend or exporter not in use: LLM, DCGM, cAdvisor, probes, summaries, recording rules);
  the hint names the switch; not a problem;
- ``no-data``: nothing came back; :mod:`triton_dash.check.diagnose` says why;
- ``nan``: some series are NaN (a ratio without a guard, a summary without observations);
- ``error``: Prometheus rejected the query.

The scrape targets of the dashboards' jobs are checked too (health, last error); a down target
is named as the likely cause only of the panels without data that read families it exposes.

    client = PrometheusClient("http://127.0.0.1:9090")
    report = run_check(client, load(), at=time.time())
    print(report.text())
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from ..analysis.promql import parse, selectors
from ..analysis.sources import Dashboard
from ..analysis.variables import UnexpandedVariable, targets
from ..metrics import identify
from ..prometheus.client import PrometheusClient, PrometheusUnavailable, QueryRejected
from .diagnose import NOT_ENABLED, TRITON_SOURCES, diagnose, human_duration
from .resolve import Macros, resolve_variables

__all__ = ["STATUSES", "CheckReport", "PanelResult", "PrometheusClient", "PrometheusUnavailable", "TargetHealth",
           "TargetResult", "count_targets", "run_check"]

#: From best to worst; a panel shows its worst target's status.
STATUSES = ("ok", "idle", NOT_ENABLED, "no-data", "nan", "error")
PROBLEMS = frozenset({"no-data", "nan", "error"})


@dataclass(frozen=True)
class TargetResult:
    ref_id: str
    status: str
    detail: str  # "3 series", or the diagnosis
    expr: str  # as run
    series: int = 0  # how many series came back
    cause: str = ""  # the detail without what is particular to this query; panels sharing it are grouped
    families: tuple[str, ...] = ()  # the series names the query reads (for no-data: could a down target explain it?)

    @property
    def exposed_by_triton(self) -> bool:
        """Whether a Triton scrape target would expose a family this query reads (unknown names: maybe)."""
        found = [identify(name) for name in self.families] or [None]
        return any(metric is None or metric.source in TRITON_SOURCES for metric in found)


@dataclass(frozen=True)
class PanelResult:
    dashboard: str
    row: str
    title: str
    targets: tuple[TargetResult, ...]

    @property
    def status(self) -> str:
        return max((t.status for t in self.targets), key=STATUSES.index)

    @property
    def detail(self) -> str:
        worst = [t for t in self.targets if t.status == self.status]
        if self.status == "ok":
            return f"{sum(t.series for t in self.targets)} series"
        refs = "".join(t.ref_id for t in worst)
        return f"[{refs}] {worst[0].detail}" if len(self.targets) > 1 else worst[0].detail

    @property
    def cause(self) -> str:
        """What the worst targets share, for grouping panels with one cause."""
        worst = [t for t in self.targets if t.status == self.status]
        return worst[0].cause or worst[0].detail


@dataclass(frozen=True)
class TargetHealth:
    job: str
    instance: str
    health: str
    last_error: str


@dataclass
class CheckReport:
    at: float
    panels: list[PanelResult] = field(default_factory=list)
    scrape_targets: list[TargetHealth] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {status: sum(1 for p in self.panels for t in p.targets if t.status == status) for status in STATUSES}

    @property
    def down(self) -> list[TargetHealth]:
        return [t for t in self.scrape_targets if t.health != "up"]

    def blamed_on_down(self) -> list[PanelResult]:
        """The panels without data that read a family a (down) Triton target exposes."""
        return [p for p in self.panels if p.status == "no-data"
                and any(t.exposed_by_triton for t in p.targets if t.status == "no-data")]

    @property
    def failed(self) -> bool:
        return bool(self.down) or any(p.status in PROBLEMS for p in self.panels)

    def summary(self) -> str:
        counts = ", ".join(f"{n} {s}" for s, n in self.counts().items())
        up = len(self.scrape_targets) - len(self.down)
        return f"summary: {counts} (targets); scrape targets: {up} up, {len(self.down)} down"

    def text(self) -> str:
        """Down scrape targets first (the likely cause of what follows), then the panels by dashboard and row.

        Panels with the same problem and cause are not listed one by one: each
        such cause is one line, with the panels it explains.
        """
        lines: list[str] = []
        if self.down:
            blamed = len(self.blamed_on_down())
            lines.append(f"Scrape targets down: the likely cause of the {blamed} "
                         f"{'panel' if blamed == 1 else 'panels'} without data below that read families they "
                         "expose" if blamed else
                         "Scrape targets down (no panel without data below reads a family they expose)")
            lines += self._target_lines()
        groups: dict[tuple[str, str], list[PanelResult]] = {}
        for panel in self.panels:
            if panel.status in PROBLEMS or panel.status == NOT_ENABLED:
                groups.setdefault((panel.status, panel.cause), []).append(panel)
        shared = {key for key, members in groups.items() if len(members) > 1}
        dashboard = row = None
        for panel in self.panels:
            if (panel.status, panel.cause) in shared:
                continue
            if panel.dashboard != dashboard:
                dashboard, row = panel.dashboard, None
                lines.append(panel.dashboard)
            if panel.row != row:
                row = panel.row
                lines.append(f"  {row or '(no row)'}")
            lines.append(f"    {panel.status:8} {panel.title}: {panel.detail}")
        if shared:
            lines.append("One cause, several panels")
            for key in (k for k in groups if k in shared):
                members = groups[key]
                names = ", ".join(dict.fromkeys(p.title for p in members))
                lines.append(f"    {key[0]:8} {key[1]} ({len(members)} panels: {names})")
        if self.scrape_targets and not self.down:
            lines.append("Scrape targets")
            lines += self._target_lines()
        lines.append(self.summary())
        return "\n".join(lines)

    def _target_lines(self) -> list[str]:
        return [f"    {t.health:8} {t.instance} (job {t.job})" + (f": {t.last_error}" if t.last_error else "")
                for t in self.scrape_targets]

    def json(self) -> str:
        return json.dumps({
            "at": self.at, "failed": self.failed, "counts": self.counts(),
            "panels": [{**{k: v for k, v in asdict(p).items() if k != "targets"}, "status": p.status,
                        "targets": [asdict(t) for t in p.targets]} for p in self.panels],
            "scrape_targets": [asdict(t) for t in self.scrape_targets],
        }, indent=2, ensure_ascii=False)


def _rows(doc: Mapping[str, Any]) -> dict[int, str]:
    """id(panel) -> title of the row it sits under."""
    out: dict[int, str] = {}
    row = ""
    for panel in doc.get("panels", []) or []:
        if panel.get("type") == "row":
            row = str(panel.get("title") or "")
            for child in panel.get("panels", []) or []:
                out[id(child)] = row
        else:
            out[id(panel)] = row
    return out


def _evaluate(client: PrometheusClient, ref_id: str, expr: str, at: float, lookback: str,
              lookback_s: float) -> TargetResult:
    try:
        result = client.query(expr, at)
    except QueryRejected as exc:
        return TargetResult(ref_id, "error", f"Prometheus rejected the query: {exc}", expr)
    if not result:
        verdict = diagnose(client, expr, at=at, lookback=lookback, lookback_s=lookback_s)
        families = tuple(dict.fromkeys(use.name for use in selectors(parse(expr))))
        return TargetResult(ref_id, verdict.status, verdict.hint, expr, cause=verdict.cause, families=families)
    nans = sum(1 for _, v in result if math.isnan(v))
    if nans:
        return TargetResult(ref_id, "nan", f"{nans} of {len(result)} series are NaN: a ratio whose denominator is "
                                           "0 needs a (denominator > 0) guard", expr, len(result))
    return TargetResult(ref_id, "ok", f"{len(result)} series", expr, len(result))


def _jobs(values: Iterable[Mapping[str, str]]) -> list[re.Pattern[str]]:
    out = []
    for variables in values:
        job = variables.get("job")
        if job:
            try:
                out.append(re.compile(job))
            except re.error:
                continue
    return out


def run_check(
    client: PrometheusClient, dashboards: Sequence[Dashboard], *, at: float, chosen: Mapping[str, str] | None = None,
    macros: Macros | None = None, lookback_s: float = 86400, progress: Callable[[int], None] | None = None,
) -> CheckReport:
    """Check every target of ``dashboards``; raises :class:`PrometheusUnavailable` if Prometheus cannot be used."""
    client.query("1", at)  # fails early and clearly on anything that is not a Prometheus API
    lookback = human_duration(lookback_s).replace(".0", "")
    report = CheckReport(at)
    resolved = []
    for item in dashboards:
        variables = resolve_variables(client, item.document, at=at, chosen=chosen, macros=macros)
        resolved.append(variables)
        rows = _rows(item.document)
        by_panel: dict[int, tuple[Mapping[str, Any], list[TargetResult]]] = {}
        for panel, target in targets(item.document):
            ref_id = str(target.get("refId") or "")
            try:
                result = _evaluate(client, ref_id, (macros or Macros()).expand(target["expr"], variables), at,
                                   lookback, lookback_s)
            except UnexpandedVariable as exc:
                result = TargetResult(ref_id, "error", f"{exc}; pass --set NAME=VALUE", target["expr"])
            except (ValueError, QueryRejected) as exc:
                result = TargetResult(ref_id, "error", " ".join(str(exc).split()), target["expr"])
            by_panel.setdefault(id(panel), (panel, []))[1].append(result)
            if progress:
                progress(1)
        report.panels += [PanelResult(item.title, rows.get(key, ""), str(panel.get("title") or "(untitled)"),
                                      tuple(results)) for key, (panel, results) in by_panel.items()]
    report.scrape_targets = _scrape_targets(client, _jobs(resolved))
    return report


def _scrape_targets(client: PrometheusClient, patterns: list[re.Pattern[str]]) -> list[TargetHealth]:
    """The targets of the dashboards' jobs; all targets when the job selection matches none (it shows why)."""
    found = []
    for target in client.targets():
        labels = target.get("labels") or {}
        job = str(labels.get("job") or target.get("scrapePool") or "")
        found.append(TargetHealth(job, str(labels.get("instance") or target.get("scrapeUrl") or ""),
                                  str(target.get("health") or "unknown"),
                                  " ".join(str(target.get("lastError") or "").split())))
    chosen = [t for t in found if any(p.fullmatch(t.job) for p in patterns)]
    return chosen if chosen or not patterns else found


def count_targets(dashboards: Sequence[Dashboard]) -> int:
    """How many targets ``run_check`` will evaluate (for a progress bar)."""
    return sum(1 for item in dashboards for _ in targets(item.document))
