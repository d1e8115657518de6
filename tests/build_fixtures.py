"""Shared helpers for the claims, build, validate, ontology and coverage tests.

The shipped data, one build of it per session, the `kg` command run in-process or in a subprocess,
and broken copies of the claims file made by replacing one string in a copy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from rdflib import Dataset, URIRef

from kg import paths
from kg.article import read_text
from kg.build import BuildResult, Inputs, build
from kg.cli import main
from kg.namespaces import claim_iri, graph_iri

REPO = Path(__file__).resolve().parents[1]
ARTICLE_FILE = paths.ARTICLE_FILE
ARTICLE_TEXT = read_text(ARTICLE_FILE)
CLAIMS_TEXT = read_text(paths.CLAIMS_FILE)
SHIPPED_CLAIMS: list[dict] = yaml.safe_load(CLAIMS_TEXT)["claims"]
EXTRA_GRAPHS = ("ontology", "entities", "background", "background-un-sahel", "definitions", "links", "same-as",
                "aliases", "provenance", "inferred")  # the graphs that are no claim

# The invented second article (tests/fixtures/second-article/README.md), never part of the shipped dataset.
SECOND_ARTICLE_DIR = Path(__file__).resolve().parent / "fixtures" / "second-article"
SECOND_CLAIMS_FILE = SECOND_ARTICLE_DIR / "sahel-patrols-invented.yaml"
SECOND_ARTICLE_FILE = SECOND_ARTICLE_DIR / "sahel-patrols-invented.txt"
TWO_ARTICLES = Inputs(claims=(paths.CLAIMS_DIR, SECOND_CLAIMS_FILE))

ARTICLE_SHA256 = "6775cbde7ae23453d2d215caa12e5362f478e7265f050e703fb73be13df1e7b2"
SHARED_SOURCE = Path(__file__).resolve().parents[2] / "shared/source/us-sahel-quiet-ties.txt"


@pytest.fixture(scope="session")
def built() -> BuildResult:
    """The dataset built from the shipped inputs (read-only: copy it before changing it)."""
    return build()


@pytest.fixture(scope="session")
def two_articles() -> BuildResult:
    """The dataset built from the shipped claims and the invented second article's (read-only)."""
    return build(TWO_ARTICLES)


def claim_graph(dataset: Dataset, claim_id: str):
    return dataset.graph(URIRef(claim_iri(claim_id)))


def named_graph(dataset: Dataset, name: str):
    return dataset.graph(URIRef(graph_iri(name)))


def copy_dataset(dataset: Dataset) -> Dataset:
    copy = Dataset()
    for s, p, o, g in dataset.quads():
        copy.graph(g).add((s, p, o))
    return copy


# --- the kg command ---------------------------------------------------------------------------

def run_kg(*args: str | Path) -> Result:
    """`kg ARGS` in this process; stdout and stderr are kept apart."""
    return CliRunner().invoke(main, [str(arg) for arg in args], catch_exceptions=False)


def run_kg_process(*args: str | Path, hash_seed: str = "0") -> subprocess.CompletedProcess:
    """`kg ARGS` in a fresh Python process with the given PYTHONHASHSEED."""
    environment = {**os.environ, "PYTHONHASHSEED": hash_seed}
    return subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", *map(str, args)],
                          cwd=REPO, env=environment, capture_output=True, check=False, timeout=120)


# --- broken copies of the claims file ---------------------------------------------------------

def claim_block(text: str, claim_id: str) -> tuple[int, int]:
    """Character offsets of one claim's entry in a claims file's text."""
    start = text.index(f"  - id: {claim_id}\n")
    following = text.find("\n  - id: ", start + 1)
    return start, len(text) if following < 0 else following + 1


def replace_once(text: str, old: str, new: str, *, claim: str | None = None) -> str:
    """text with `old` replaced by `new`; `old` must occur exactly once (in claim's entry if given)."""
    start, end = claim_block(text, claim) if claim else (0, len(text))
    part = text[start:end]
    assert part.count(old) == 1, f"{old!r} occurs {part.count(old)} times, not once"
    return text[:start] + part.replace(old, new) + text[end:]


def line_of(text: str, needle: str, *, claim: str | None = None) -> int:
    """1-based line of the first occurrence of needle (searching only claim's entry if given)."""
    start = claim_block(text, claim)[0] if claim else 0
    position = text.index(needle, start)
    return text.count("\n", 0, position) + 1


def copy_inputs(directory: Path, claims_text: str = CLAIMS_TEXT) -> Path:
    """A claims file with the given text and the article beside it, named as the shipped ones; returns
    the claims file."""
    shutil.copyfile(ARTICLE_FILE, directory / ARTICLE_FILE.name)
    claims = directory / paths.CLAIMS_FILE.name
    claims.write_text(claims_text, encoding="utf-8")
    return claims


def broken_claims(directory: Path, old: str, new: str, *, claim: str | None = None) -> Path:
    """A copy of the shipped claims file in directory with one string replaced (see replace_once)."""
    return copy_inputs(directory, replace_once(CLAIMS_TEXT, old, new, claim=claim))
