"""Checks for every value a user gives triton_dash, run before anything is written or sent.

Each check returns the value (normalised where that is safe) or raises
:class:`InvalidValue`, a ``ValueError`` whose message is one line that names
the setting, says what is wrong with it and what to write instead. Secrets are
never part of a message. The layer that owns a value calls its check (the
:class:`~triton_dash.selector.Selector` checks its regexes, the Grafana client
its URL and credentials, the rules their thresholds), so the Python API is as
safe as the command line.

    >>> from triton_dash.validate import duration, InvalidValue
    >>> duration("5m", "rate_window")
    '5m'
    >>> try:
    ...     duration("5 minutes", "rate_window")
    ... except InvalidValue as exc:
    ...     print(exc)
    rate_window='5 minutes' is not a Prometheus duration; write e.g. 30s, 5m, 1h or 1h30m
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

__all__ = [
    "InvalidValue",
    "dns_label",
    "dns_subdomain",
    "duration",
    "duration_seconds",
    "grafana_uid",
    "k8s_label_key",
    "k8s_label_value",
    "metric_name",
    "no_control_characters",
    "number",
    "output_dir",
    "output_file",
    "port_name",
    "prometheus_label_name",
    "promql",
    "ratio",
    "re2_regex",
    "secret",
    "text",
    "url",
    "valid_uid",
]


class InvalidValue(ValueError):
    """A value a user gave is invalid; ``str()`` is one line naming it and saying what to do."""


def _show(value: object, limit: int = 60) -> str:
    shown = repr(value)
    return shown if len(shown) <= limit else shown[: limit - 4] + "...'"


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def no_control_characters(value: str, what: str) -> str:
    """Refuse tabs, newlines and other control characters (they break headers, YAML and logs)."""
    match = _CONTROL.search(value)
    if match:
        raise InvalidValue(f"{what}={_show(value)} contains the control character {match[0]!r} at position "
                           f"{match.start()}; remove it")
    return value


def text(value: str, what: str, *, max_length: int = 200, allow_empty: bool = False) -> str:
    """A plain one-line string: a title, a name, a folder."""
    if not allow_empty and not value.strip():
        raise InvalidValue(f"{what} is empty; give a value")
    if len(value) > max_length:
        raise InvalidValue(f"{what}={_show(value)} is {len(value)} characters long; at most {max_length}")
    return no_control_characters(value, what)


def secret(value: str | None, what: str) -> str | None:
    """A token or password: no control characters, and never shown, not even in part."""
    if value is None or value == "":
        return value
    for index, char in enumerate(value):
        if ord(char) < 0x20 or ord(char) == 0x7F:
            raise InvalidValue(f"{what} contains a control character (code {ord(char)}) at position {index}; "
                               "copy the value again without line breaks (it is not shown here)")
        if ord(char) > 0x7E:
            raise InvalidValue(f"{what} contains a non-ASCII character at position {index}, which HTTP headers "
                               "cannot carry; copy the value again (it is not shown here)")
    return value


def url(value: str, what: str, *, example: str = "http://localhost:3000") -> str:
    """An ``http://`` or ``https://`` URL with a host; returned without a trailing slash.

    ``example`` is the URL the messages suggest (Grafana's port by default;
    Prometheus' callers pass ``http://localhost:9090``).
    """
    no_control_characters(value, what)
    if value != value.strip() or " " in value:
        raise InvalidValue(f"{what}={_show(value)} contains spaces; write e.g. {example}")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise InvalidValue(f"{what}={_show(value)} is not a valid URL ({exc}); write e.g. {example}") from None
    if parts.scheme not in ("http", "https"):
        if re.fullmatch(r"[A-Za-z0-9.-]+:\d+(/.*)?", value):  # host:port, which urlsplit reads as a scheme
            raise InvalidValue(f"{what}={_show(value)} has no scheme; write http://{value}")
        found = f"scheme {parts.scheme!r}" if parts.scheme else "no scheme"
        raise InvalidValue(f"{what}={_show(value)} has {found}; write an http:// or https:// URL, e.g. {example}")
    if not parts.hostname:
        raise InvalidValue(f"{what}={_show(value)} has no host; write e.g. {example}")
    if port == 0:
        raise InvalidValue(f"{what}={_show(value)} has port 0; give the real port, e.g. {example}")
    if parts.username or parts.password:
        raise InvalidValue(f"{what} carries credentials in the URL; pass them as a token or user and password "
                           "instead (the URL is not shown here)")
    if parts.query or parts.fragment:
        raise InvalidValue(f"{what}={_show(value)} has a query or fragment; give the base URL only")
    return value.rstrip("/")


_DURATION = re.compile(r"^(?:\d+y)?(?:\d+w)?(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?(?:\d+ms)?$")
_VARIABLE = re.compile(r"\$(?:\{[A-Za-z_]\w*(?::\w+)?\}|[A-Za-z_]\w*)|\[\[[A-Za-z_]\w*\]\]")


def duration(value: str, what: str, *, allow_variables: bool = False, allow_zero: bool = False) -> str:
    """A Prometheus duration such as ``30s``, ``5m`` or ``1h30m``.

    ``allow_variables`` also accepts a Grafana variable alone (``$__rate_interval``).
    """
    if allow_variables and _VARIABLE.fullmatch(value):
        return value
    if not value or not _DURATION.match(value):
        raise InvalidValue(f"{what}={_show(value)} is not a Prometheus duration; write e.g. 30s, 5m, 1h or 1h30m")
    if not allow_zero and not any(c in "123456789" for c in value):
        raise InvalidValue(f"{what}={_show(value)} is zero; give a positive duration such as 5m")
    return value


_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}


def duration_seconds(value: str) -> float:
    """Seconds in a Prometheus duration (``1h30m`` -> 5400.0); check it with :func:`duration` first."""
    return float(sum(int(n) * _UNITS[u] for n, u in re.findall(r"(\d+)(ms|s|m|h|d|w|y)", value)))


#: Constructs Go's RE2 (Prometheus) and Rust's regex (VictoriaMetrics, promql-parser) reject.
_NOT_RE2 = (
    (re.compile(r"\(\?<?[=!]"), "a lookaround"),
    (re.compile(r"\(\?>"), "an atomic group"),
    (re.compile(r"\(\?P=\w+\)"), "a named back-reference"),
    (re.compile(r"\(\?\("), "a conditional"),
    (re.compile(r"\\[1-9]"), "a back-reference"),
    (re.compile(r"(?<!\\)[*+?}]\+"), "a possessive quantifier"),
    (re.compile(r"\(\?[a-zA-Z]*x[a-zA-Z]*[:)]"), "the verbose flag x"),
)


def re2_regex(value: str, what: str) -> str:
    """A regex Prometheus accepts (RE2 syntax); Grafana variables such as ``$model`` are allowed.

    The message says at which character the expression breaks.
    """
    no_control_characters(value, what)
    concrete = _VARIABLE.sub("x", value)
    try:
        re.compile(concrete)
    except re.error as exc:
        where = exc.pos if exc.pos is not None else 0
        near = concrete[where] if where < len(concrete) else "end of the expression"
        raise InvalidValue(f"{what}={_show(value)} is not a valid regex: {exc.msg} at position {where} "
                           f"({near!r}); escape special characters with a backslash, e.g. 'triton\\.prod'"
                           ) from None
    for pattern, name in _NOT_RE2:
        match = pattern.search(concrete)
        if match:
            raise InvalidValue(f"{what}={_show(value)} uses {name} ({match[0]!r} at position {match.start()}), "
                               "which Prometheus' RE2 regexes do not support; rewrite it without")
    if not _engine_accepts(concrete):
        raise InvalidValue(f"{what}={_show(value)} is not a regex Prometheus accepts (RE2 syntax: no \\Z, "
                           "no (?x), no lookarounds or back-references); simplify it")
    return value


def _engine_accepts(regex: str) -> bool:
    """The same check a PromQL engine makes: parse a selector that uses the regex."""
    quoted = '"' + regex.replace("\\", "\\\\").replace('"', '\\"') + '"'
    try:
        promql(f"up{{x=~{quoted}}}", "regex")
    except InvalidValue:
        return False
    return True


def promql(expr: str, what: str) -> str:
    """An expression Prometheus would accept (parsed by promql-parser, a runtime dependency)."""
    import promql_parser

    try:
        promql_parser.parse(expr)
    except ValueError as exc:
        raise InvalidValue(f"{what} is not valid PromQL ({' '.join(str(exc).split())})") from None
    return expr


def number(value: float, what: str, *, minimum: float | None = None, maximum: float | None = None,
           exclusive_minimum: bool = False) -> float:
    """A finite number within bounds."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidValue(f"{what}={_show(value)} is not a finite number")
    if minimum is not None and (value < minimum or (exclusive_minimum and value == minimum)):
        bound = f"greater than {minimum:g}" if exclusive_minimum else f"at least {minimum:g}"
        raise InvalidValue(f"{what}={value:g} is out of range; it must be {bound}")
    if maximum is not None and value > maximum:
        raise InvalidValue(f"{what}={value:g} is out of range; it must be at most {maximum:g}")
    return value


def ratio(value: float, what: str) -> float:
    """A share between 0 and 1 (0.05 is 5 %)."""
    number(value, what)
    if not 0 <= value <= 1:
        raise InvalidValue(f"{what}={value:g} is not a ratio; give a share between 0 and 1 (0.05 means 5 %)")
    return value


_UID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def _matches(value: str, what: str, pattern: re.Pattern[str], max_length: int, rule: str) -> str:
    """``value`` if it is at most ``max_length`` long and matches ``pattern``; else say ``rule``."""
    if len(value) > max_length or not pattern.match(value):
        raise InvalidValue(f"{what}={_show(value)} is not {rule}")
    return value


def valid_uid(uid: str) -> bool:
    """Grafana accepts uids of 1-40 letters, digits, ``-`` and ``_``."""
    return bool(_UID.match(uid))


def grafana_uid(value: str, what: str) -> str:
    """Grafana's uid rule: 1 to 40 letters, digits, ``-`` and ``_``."""
    return _matches(value, what, _UID, 40, "a Grafana uid; use 1-40 letters, digits, '-' or '_'")


_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_K8S_NAME = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")


def dns_label(value: str, what: str) -> str:
    """A Kubernetes RFC 1123 label (namespaces): at most 63 lower-case letters, digits and '-'."""
    return _matches(value, what, _LABEL, 63, "a valid Kubernetes name (RFC 1123 label): use at most 63 lower-case "
                    "letters, digits and '-', starting and ending with a letter or digit")


def dns_subdomain(value: str, what: str) -> str:
    """A Kubernetes object name (RFC 1123 subdomain): at most 253 characters, labels joined by '.'."""
    return _matches(value, what, _SUBDOMAIN, 253, "a valid Kubernetes name (RFC 1123): use lower-case letters, "
                    "digits, '-' and '.', starting and ending with a letter or digit")


def k8s_label_value(value: str, what: str) -> str:
    """A Kubernetes label value: empty, or at most 63 letters, digits, '-', '_' and '.'."""
    return _matches(value, what, _K8S_NAME, 63, "a valid Kubernetes label value: at most 63 letters, digits, '-', "
                    "'_' and '.', starting and ending with a letter or digit")


def k8s_label_key(value: str, what: str) -> str:
    """A Kubernetes label key: an optional DNS-subdomain prefix and '/', then a name of at most 63 characters."""
    prefix, _, name = value.rpartition("/")
    if prefix:
        dns_subdomain(prefix, f"{what} prefix")
    if not name or len(name) > 63 or not _K8S_NAME.match(name):
        raise InvalidValue(f"{what}={_show(value)} is not a valid Kubernetes label key: at most 63 letters, "
                           "digits, '-', '_' and '.', optionally after a prefix such as 'app.kubernetes.io/'")
    return value


_PORT_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def port_name(value: str, what: str) -> str:
    """A container port name (IANA service name): at most 15 characters, at least one letter."""
    if len(value) > 15 or not _PORT_NAME.match(value) or "--" in value or not re.search("[a-z]", value):
        raise InvalidValue(f"{what}={_show(value)} is not a container port name: at most 15 lower-case letters, "
                           "digits and '-', with at least one letter (Triton's metrics port is usually 'metrics')")
    return value


_PROM_LABEL = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PROM_METRIC = re.compile(r"^[A-Za-z_:][A-Za-z0-9_:]*$")


def prometheus_label_name(value: str, what: str) -> str:
    if not _PROM_LABEL.match(value) or value.startswith("__"):
        raise InvalidValue(f"{what}={_show(value)} is not a Prometheus label name: letters, digits and '_', "
                           "not starting with a digit or '__'")
    return value


def metric_name(value: str, what: str) -> str:
    if not _PROM_METRIC.match(value):
        raise InvalidValue(f"{what}={_show(value)} is not a Prometheus metric name: letters, digits, '_' and ':'")
    return value


def _nearest_existing(path: Path) -> Path:
    current = path
    while not current.exists() and current != current.parent:
        current = current.parent
    return current


def output_file(path: Path, what: str = "output file") -> Path:
    """A file we are about to write: not a directory, and its nearest existing folder is writable."""
    no_control_characters(str(path), what)
    if path.is_dir():
        raise InvalidValue(f"{what} {str(path)!r} is a directory; give a file name, e.g. {str(path / 'x.yaml')!r}")
    _writable_parent(path.parent, what, path)
    return path


def output_dir(path: Path, what: str = "output folder") -> Path:
    """A folder we are about to write into: not a file, and creatable or writable."""
    no_control_characters(str(path), what)
    if path.exists() and not path.is_dir():
        raise InvalidValue(f"{what} {str(path)!r} is a file, not a folder; give a folder with -o")
    _writable_parent(path, what, path)
    return path


def _writable_parent(folder: Path, what: str, shown: Path) -> None:
    existing = _nearest_existing(folder)
    if not existing.is_dir():
        raise InvalidValue(f"{what} {str(shown)!r} is below {str(existing)!r}, which is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InvalidValue(f"{what} {str(shown)!r} cannot be written: {str(existing)!r} is not writable")
