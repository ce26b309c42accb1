"""Edit JSON text in place: only the values that changed are rewritten, every other byte stays.

``lint --fix`` must leave the parts of a dashboard it does not repair exactly
as the user wrote them (indentation, key order, escapes, number spelling). The
text is scanned once into spans (where each value starts and ends); the old and
the new documents are compared, and the smallest value that differs is
re-serialised at its own indentation. A changed string is one token; an object
that gained a key (a panel's ``unit``) is rewritten whole, at its place.

    >>> patch('{"a": 1,  "b": {"c": "x"}}', {"a": 1, "b": {"c": "y"}})
    '{"a": 1,  "b": {"c": "y"}}'
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

__all__ = ["Span", "patch", "scan"]

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_LITERALS = ("true", "false", "null")


@dataclass
class Span:
    """Where one JSON value lies in the text: ``text[start:end]``, and its members' spans."""

    start: int
    end: int
    members: dict[str, Span] = field(default_factory=dict)
    items: list[Span] = field(default_factory=list)


def _skip(text: str, pos: int) -> int:
    match = _WS.match(text, pos)
    return match.end() if match else pos


def _value(text: str, pos: int) -> Span:
    pos = _skip(text, pos)
    char = text[pos:pos + 1]
    if char == "{":
        span = Span(pos, pos)
        pos = _skip(text, pos + 1)
        if text[pos:pos + 1] == "}":
            span.end = pos + 1
            return span
        while True:
            pos = _skip(text, pos)
            key, pos = scanstring(text, pos + 1)
            pos = _skip(text, pos)
            member = _value(text, pos + 1)  # past the ':'
            span.members[key] = member
            pos = _skip(text, member.end)
            if text[pos] == "}":
                span.end = pos + 1
                return span
            pos += 1  # ','
    if char == "[":
        span = Span(pos, pos)
        pos = _skip(text, pos + 1)
        if text[pos:pos + 1] == "]":
            span.end = pos + 1
            return span
        while True:
            item = _value(text, pos)
            span.items.append(item)
            pos = _skip(text, item.end)
            if text[pos] == "]":
                span.end = pos + 1
                return span
            pos += 1
    if char == '"':
        _, end = scanstring(text, pos + 1)
        return Span(pos, end)
    for literal in _LITERALS:
        if text.startswith(literal, pos):
            return Span(pos, pos + len(literal))
    number = _NUMBER.match(text, pos)
    if number is None:
        raise ValueError(f"not JSON at character {pos}")
    return Span(pos, number.end())


def scan(text: str) -> Span:
    """The spans of a JSON document (the text must already be valid JSON)."""
    return _value(text, 0)


@dataclass(frozen=True)
class _Style:
    """How the file is written: its indent (None: on one line), line ending, and whether it escapes non-ASCII."""

    indent: str | None
    newline: str
    ascii_only: bool

    @classmethod
    def of(cls, text: str) -> _Style:
        match = re.search(r"\n([ \t]+)\S", text)
        indent = match[1] if match else (None if "\n" not in text.strip() else "  ")
        ascii_only = bool(re.search(r"\\u[0-9a-fA-F]{4}", text)) and not re.search(r"[^\x00-\x7f]", text)
        return cls(indent, "\r\n" if "\r\n" in text else "\n", ascii_only)

    def dumps(self, value: Any, **options: Any) -> str:
        return json.dumps(value, ensure_ascii=self.ascii_only, **options)


def _render(value: Any, text: str, start: int, style: _Style) -> str:
    if style.indent is None:
        return style.dumps(value, separators=(",", ":"))
    line_start = text.rfind("\n", 0, start) + 1
    margin = re.match(r"[ \t]*", text[line_start:start])
    prefix = margin[0] if margin else ""
    return style.dumps(value, indent=style.indent).replace("\n", style.newline + prefix)


@dataclass(frozen=True)
class _Added:
    """Members appended to an object: written after its last member, in its own layout."""

    members: dict[str, Any]


def _diff(old: Any, new: Any, span: Span, out: list[tuple[Span, Any]]) -> None:
    if type(old) is type(new) and old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict) and old and list(new)[:len(old)] == list(old) \
            and set(span.members) == set(old):
        for key in old:
            _diff(old[key], new[key], span.members[key], out)
        added = {key: new[key] for key in list(new)[len(old):]}
        if added:
            out.append((span, _Added(added)))
        return
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new) == len(span.items):
        for before, after, item in zip(old, new, span.items, strict=True):
            _diff(before, after, item, out)
        return
    out.append((span, new))


def patch(text: str, new: Any, path: Sequence[str] = ()) -> str:
    """``text`` with the value at ``path`` (a chain of object keys) changed to ``new``, touching nothing else."""
    span = scan(text)
    old = json.loads(text)
    for key in path:
        span, old = span.members[key], old[key]
    changes: list[tuple[Span, Any]] = []
    _diff(old, new, span, changes)
    style = _Style.of(text)
    edits = []
    for changed, value in changes:
        if isinstance(value, _Added):
            last = max(changed.members.values(), key=lambda member: member.end)
            edits.append((last.end, last.end, _members(value.members, text, changed, last, style)))
        else:
            edits.append((changed.start, changed.end, _render(value, text, changed.start, style)))
    for start, end, replacement in sorted(edits, key=lambda edit: edit[0], reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _members(members: dict[str, Any], text: str, obj: Span, last: Span, style: _Style) -> str:
    """``, "key": value`` for each added member, on one line or one per line as the object is laid out."""
    key_start = text.rfind('"', 0, text.rfind(":", obj.start, last.start))
    key_start = text.rfind('"', 0, key_start)  # the opening quote of the last member's key
    if "\n" not in text[obj.start:last.end] or style.indent is None:
        sep = ": " if re.search(r'":\s', text[key_start:last.start]) else ":"
        comma = ", " if sep == ": " else ","
        return "".join(f"{comma}{style.dumps(k)}{sep}{style.dumps(v, separators=(comma, sep))}"
                       for k, v in members.items())
    line_start = text.rfind("\n", 0, key_start) + 1
    margin = text[line_start:key_start]
    return "".join(f",{style.newline}{margin}{style.dumps(k)}: {_render(v, text, key_start, style)}"
                   for k, v in members.items())
