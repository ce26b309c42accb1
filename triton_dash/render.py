"""Deterministic JSON text and atomic, all-or-nothing file writes.

    from triton_dash.render import dashboard_json, write_files
    write_files({Path("out/a.json"): dashboard_json(doc)})
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["dashboard_json", "write_files"]


def dashboard_json(document: Mapping[str, Any]) -> str:
    """Sorted keys, two-space indent, UTF-8 text, one trailing newline."""
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def write_files(files: Mapping[Path, str]) -> list[Path]:
    """Write every file or none: each goes to a temporary file first, then all are renamed.

    A failure while writing the temporary files removes them and leaves every
    existing file as it was.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            staged.append((Path(tmp_name), path))
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
    except BaseException:
        for staged_tmp, _ in staged:
            staged_tmp.unlink(missing_ok=True)
        raise
    for staged_tmp, final in staged:
        os.replace(staged_tmp, final)
    return [path for _, path in staged]
