"""The engines' dialects (kg/store/dialects.py): learnt from the Server header, and every difference
declared there or in the README's table of engines names a test that exists (issue 13, point 2)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.store import dialects

ROOT = Path(__file__).resolve().parent.parent
CITED = re.compile(r"(test_\w+\.py)::(test_\w+)")


@pytest.mark.parametrize("header, name", [("Virtuoso/07.20.3229 (Linux) x86_64-pc-linux-gnu", "virtuoso"),
                                          ("Oxigraph/0.5.13", "oxigraph"), (None, "sparql11"),
                                          ("Apache Jena Fuseki (5.0)", "sparql11")])
def test_the_dialect_is_the_server_headers_product(header, name):
    assert dialects.dialect_for(header).name == name


@pytest.mark.parametrize("source", ["kg/store/dialects.py", "README.md"])
def test_every_cited_test_exists(source):
    cited = CITED.findall((ROOT / source).read_text(encoding="utf-8"))
    assert cited, f"{source} names no test"
    missing = [f"{module}::{name}" for module, name in cited
               if not re.search(rf"^def {name}\(", (ROOT / "tests" / module).read_text(encoding="utf-8"), re.M)]
    assert not missing, f"{source} names tests that do not exist: {missing}"
