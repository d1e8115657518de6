"""What makes an answer besides the data: this software (code, templates, static files, page queries) and
the libraries that write it, as a digest and the time its newest file changed; read once per process."""

from __future__ import annotations

import functools
import hashlib
from importlib import metadata
from pathlib import Path

import kg
from kg.paths import ONTOLOGY_DIR

# The libraries whose upgrade may change an answer's bytes (pages, serialisations) with the same data.
_LIBRARIES = ("flask", "jinja2", "werkzeug", "pyoxigraph", "rdflib")


@functools.cache
def stamp() -> tuple[str, float]:
    """(a digest of the installed software, the modification time of its newest file)."""
    digest, newest = hashlib.sha256(), 0.0
    for name in _LIBRARIES:
        digest.update(f"{name} {_version(name)}\n".encode())
    for root in (Path(__file__).parent, Path(kg.__file__).parent, ONTOLOGY_DIR):
        for path in sorted(root.rglob("*")):
            if "__pycache__" in path.parts or not path.is_file():
                continue
            digest.update(f"{path.relative_to(root)}\n".encode("utf-8", "surrogateescape"))
            digest.update(hashlib.sha256(path.read_bytes()).digest())
            newest = max(newest, path.stat().st_mtime)
    return digest.hexdigest()[:16], newest


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "none"
