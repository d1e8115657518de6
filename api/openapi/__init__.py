"""The OpenAPI 3 description of every route, kept as one YAML file per blueprint in this folder.

base.yaml holds what all share (info, the problem schema, common responses); every other file gives its
blueprint's paths and components. document() merges them; tests/test_openapi.py checks the result against
the app's routes, so a route without a description (or a description without a route) fails a test.
"""

from __future__ import annotations

import functools
from pathlib import Path

FOLDER = Path(__file__).parent
SHARED = "x-shared"  # a file's YAML anchors live under this key, which the document leaves out


@functools.lru_cache(maxsize=1)
def document() -> dict:
    """The merged description; a path or component named by two files raises ValueError."""
    import yaml  # here, not at the top: a server process that is never asked for it is 1-2 MB smaller

    merged = yaml.safe_load((FOLDER / "base.yaml").read_text(encoding="utf-8"))
    merged.setdefault("paths", {})
    for part in sorted(FOLDER.glob("*.yaml")):
        if part.name == "base.yaml":
            continue
        fragment = yaml.safe_load(part.read_text(encoding="utf-8")) or {}
        fragment.pop(SHARED, None)
        _add(merged["paths"], fragment.get("paths", {}), f"{part.name}: path")
        for section, entries in fragment.get("components", {}).items():
            _add(merged["components"].setdefault(section, {}), entries, f"{part.name}: components.{section}")
    return merged


def _add(into: dict, entries: dict, where: str) -> None:
    for name, value in entries.items():
        if name in into:
            raise ValueError(f"{where} {name} is described twice")
        into[name] = value
