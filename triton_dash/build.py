"""Compile dashboards, built-in or from users' ``*.dashboard.py`` files, to JSON.

A user file is a Python file that defines a module-level ``dashboard``, a
grafanalib ``Dashboard`` (grafanalib's own convention)::

    # my.dashboard.py
    import grafanalib.core as G
    from triton_dash.panels import queue_time_per_request
    dashboard = G.Dashboard(title="Mine", panels=[queue_time_per_request()])

``compile_files([Path("my.dashboard.py")])`` gives ``my.json``'s content; a
dashboard without a uid gets one from its file name (``my``).

The panels' queries read dashboard variables (``$job``, ``$model``,
``${datasource}`` ...). A Triton variable that the panels use and the dashboard
does not define is added, with the ones it depends on, and the build says so in
a note (:attr:`CompiledDashboard.notes`); a variable nobody defines and that is
not a Triton variable is a warning: its panels would show "No data".
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grafanalib.core as G

from .dashboards import BUILTIN, DashboardBuilder, triton_variables
from .files import dashboard_json
from .grafana.finalize import FinalizeError, finalize
from .profile import Profile

__all__ = ["BuildError", "CompiledDashboard", "compile_builtin", "compile_files", "complete_variables", "output_stem",
           "used_variables"]

DASHBOARD_SUFFIX = ".dashboard.py"


class BuildError(Exception):
    """A dashboard could not be compiled; the message is one line naming the source."""


@dataclass(frozen=True)
class CompiledDashboard:
    stem: str  # output file name without ``.json``
    source: str  # where it came from, for messages
    document: dict[str, Any]
    #: What the build added or could not resolve, one line each ("note: ...", "warning: ...").
    notes: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return dashboard_json(self.document)

    @property
    def uid(self) -> str:
        return str(self.document["uid"])


def output_stem(path: Path) -> str:
    """``my.dashboard.py`` -> ``my``; ``other.py`` -> ``other``."""
    name = path.name
    return name[: -len(DASHBOARD_SUFFIX)] if name.endswith(DASHBOARD_SUFFIX) else path.stem


def _slug(stem: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-")[:40] or "dashboard"


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, SyntaxError):
        return f"syntax error at line {exc.lineno}: {exc.msg}"
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _same_file(filename: str, path: Path) -> bool:
    try:
        return Path(filename).resolve() == path.resolve()
    except OSError:
        return False


def _load(path: Path) -> G.Dashboard:
    if not path.is_file():
        raise BuildError(f"{path}: no such file")
    module_name = f"_triton_dash_user_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise BuildError(f"{path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    # Reading a user's file must not write next to it: no __pycache__/x.dashboard.cpython-3xx.pyc beside
    # their source (nor beside what it imports), whether or not the build succeeds.
    wrote_bytecode = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # a user's file can raise anything
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if _same_file(f.filename, path)]
        where = f" (line {frames[-1].lineno})" if frames and not isinstance(exc, SyntaxError) else ""
        raise BuildError(f"{path}: {_one_line(exc)}{where}") from exc
    finally:
        sys.dont_write_bytecode = wrote_bytecode
        sys.modules.pop(module_name, None)
    dashboard = getattr(module, "dashboard", None)
    if dashboard is None:
        raise BuildError(f"{path}: defines no module-level `dashboard` object")
    if not isinstance(dashboard, G.Dashboard):
        raise BuildError(f"{path}: `dashboard` is a {type(dashboard).__name__}, not a grafanalib Dashboard")
    return dashboard


def _finalize(dashboard: G.Dashboard, source: str, default_uid: str) -> dict[str, Any]:
    try:
        return finalize(dashboard, uid=default_uid)
    except FinalizeError as exc:
        raise BuildError(f"{source}: {exc}") from exc
    except Exception as exc:  # grafanalib's serialisation of user objects
        raise BuildError(f"{source}: cannot serialise the dashboard: {_one_line(exc)}") from exc


def _check_unique(compiled: list[CompiledDashboard]) -> list[CompiledDashboard]:
    by_uid: dict[str, str] = {}
    by_stem: dict[str, str] = {}
    for item in compiled:
        if item.uid in by_uid:
            raise BuildError(f"{item.source}: duplicate dashboard uid {item.uid!r} (also in {by_uid[item.uid]})")
        if item.stem in by_stem:
            raise BuildError(f"{item.source}: output {item.stem}.json would overwrite {by_stem[item.stem]}'s")
        by_uid[item.uid] = by_stem[item.stem] = item.source
    return compiled


def compile_builtin(
    builders: Mapping[str, DashboardBuilder] = BUILTIN, *, profile: Profile | None = None,
    recording_rules: bool = False, cluster_label: str | None = None,
) -> list[CompiledDashboard]:
    """The built-in dashboards, in name order, as the ``profile`` says (recorded rates, the cluster label,
    the job...); ``recording_rules`` and ``cluster_label`` set those two keys of it."""
    profile = (profile or Profile()).with_(recording_rules=recording_rules or None, cluster_label=cluster_label)
    return _check_unique([
        CompiledDashboard(stem, f"builtin:{stem}", _finalize(build(profile=profile), f"builtin:{stem}", stem))
        for stem, build in sorted(builders.items())
    ])


def compile_files(paths: Iterable[Path]) -> list[CompiledDashboard]:
    """Users' dashboard files, in the order given; raises :class:`BuildError` on the first bad one."""
    compiled = []
    for path in paths:
        stem = output_stem(path)
        document, notes = complete_variables(_finalize(_load(path), str(path), _slug(stem)), str(path))
        compiled.append(CompiledDashboard(stem, str(path), document, notes))
    return _check_unique(compiled)


_VARIABLE_USE = re.compile(r"\$\{([A-Za-z_]\w*)(?::\w+)?\}|\$([A-Za-z_]\w*)|\[\[([A-Za-z_]\w*)\]\]")


def used_variables(doc: Mapping[str, Any]) -> list[str]:
    """Variables the panels and the variables' own queries refer to (Grafana's ``$__`` macros left out)."""
    found: list[str] = []
    text = json.dumps([doc.get("panels", []), doc.get("templating", {})], sort_keys=True)
    for match in _VARIABLE_USE.finditer(text):
        name = match[1] or match[2] or match[3]
        if not name.startswith("__") and name not in found:
            found.append(name)
    return found


def _defined(doc: Mapping[str, Any]) -> list[str]:
    return [str(var["name"]) for var in (doc.get("templating") or {}).get("list") or [] if var.get("name")]


def _triton_templates() -> list[dict[str, Any]]:
    holder = G.Dashboard(title="variables", uid="variables", templating=G.Templating(list=triton_variables()))
    return list(finalize(holder)["templating"]["list"])


def complete_variables(doc: dict[str, Any], source: str) -> tuple[dict[str, Any], tuple[str, ...]]:
    """``doc`` with the Triton variables its panels use but it lacks (and what those need), and the notes.

    Added variables come first, in the order of :func:`triton_variables`
    (each narrows the next); the dashboard's own variables follow.
    """
    defined = set(_defined(doc))
    templates = {str(t["name"]): t for t in _triton_templates()}
    wanted = {name for name in used_variables(doc) if name not in defined and name in templates}
    changed = True
    while changed:  # the variables the added ones refer to (instance narrows by $job ...)
        needs = {name for t in (templates[w] for w in wanted) for name in used_variables({"templating": t})}
        changed = bool((needs & templates.keys()) - defined - wanted)
        wanted |= (needs & templates.keys()) - defined
    notes: list[str] = []
    if wanted:
        added = [t for name, t in templates.items() if name in wanted]
        templating = {**doc.get("templating", {}), "list": [*added, *(doc.get("templating", {}).get("list") or [])]}
        doc = {**doc, "templating": templating}
        names = ", ".join(str(t["name"]) for t in added)
        notes.append(f"note: {source}: added the Triton variables {names}, which the panels use and the dashboard "
                     "did not define (define them, e.g. templating=G.Templating(list=triton_variables()), "
                     "to choose them yourself)")
    undefined = [name for name in used_variables(doc) if name not in set(_defined(doc))]
    if undefined:
        notes.append(f"warning: {source}: the panels use {', '.join('$' + n for n in undefined)}, which no "
                     "variable of the dashboard defines: those panels will show No data")
    return doc, tuple(notes)
