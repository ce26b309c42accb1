"""Units for ``lint --fix``: how to scale a number between Grafana's units, and the unit a title names.

A fix that turns a time into seconds must keep the number the panel shows
matching what its title says: "Average Inference Duration (us)" shown in
``s`` would read 0.012 under a title that promises microseconds. The fixer
asks :func:`title_unit` which unit the title names and scales the new
expression into it (:func:`scale_factor`).

    title_unit("Average Inference Duration (us)")   # 'µs' (Grafana's unit id)
    title_unit("Queue time [milliseconds]")          # 'ms'
    title_unit("Queue time")                         # None
    scale_factor("s", "ms")                          # '1e3': a number in s, shown in ms, times 1000
"""

from __future__ import annotations

import re

__all__ = ["SCALES", "SECONDS_BASED", "same_unit", "scale_factor", "title_unit"]

#: How many of a unit one of the canonical unit is: a number in s shown in ms is multiplied by 1e3.
SCALES: dict[str, dict[str, str]] = {
    "s": {"ms": "1e3", "µs": "1e6", "us": "1e6", "ns": "1e9"},
    "percentunit": {"percent": "100"},
}

#: The time units a fixed time can be shown in (a title naming one of them must agree with the panel).
SECONDS_BASED = frozenset({"ns", "µs", "us", "ms", "s"})

#: Grafana's unit id for each way a title writes a time unit.
_TITLE_WORDS: dict[str, str] = {
    "ns": "ns", "nanosecond": "ns", "nanoseconds": "ns",
    "us": "µs", "µs": "µs", "μs": "µs", "usec": "µs", "usecs": "µs", "microsecond": "µs", "microseconds": "µs",
    "ms": "ms", "msec": "ms", "msecs": "ms", "millisecond": "ms", "milliseconds": "ms",
    "s": "s", "sec": "s", "secs": "s", "second": "s", "seconds": "s",
}
# "(us)", "[ms]", "(in milliseconds)": a unit in brackets, after a space or at the start ("Request(s)" is a plural).
_IN_BRACKETS = re.compile(r"(?:^|\s)[(\[]\s*(?:in\s+)?([a-zµμ]+)\s*[)\]]", re.IGNORECASE)
#: Spellings of the same unit (Grafana accepts "us" for "µs").
_ALIASES = {"us": "µs"}


def title_unit(title: str) -> str | None:
    """The time unit ``title`` names in brackets, as Grafana's unit id; None when it names none (or two)."""
    found = {_TITLE_WORDS[word.lower()] for word in _IN_BRACKETS.findall(title) if word.lower() in _TITLE_WORDS}
    return found.pop() if len(found) == 1 else None


def same_unit(a: str, b: str) -> bool:
    """Whether two Grafana unit ids are the same unit (``us`` and ``µs`` are)."""
    return _ALIASES.get(a, a) == _ALIASES.get(b, b)


def scale_factor(unit: str, into: str) -> str | None:
    """The factor that turns a number in ``unit`` into one in ``into`` (as PromQL text); None if unknown."""
    return SCALES.get(unit, {}).get(into)
