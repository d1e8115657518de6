"""The figures the README gives for the shipped dataset are the build's own (they had drifted: 3205 distinct triples
and 3251 quads where the build held 3222 and 3268; helper-201)."""

from __future__ import annotations

import re

from build_fixtures import REPO, built  # noqa: F401  (a fixture)

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_the_readme_counts_the_triples_and_quads_the_build_holds(built):
    triples = re.search(r"counts distinct triples \((\d+) for the article", README)
    quads = re.search(r"other graphs hold (\d+) quads", README)
    update = re.search(r"updated: *\n?(\d+) quads before, (\d+) after \(\+1\)", README)
    assert triples and quads and update, "the README no longer gives the figures this test reads"
    assert (int(triples[1]), int(quads[1])) == (built.triples, built.quads)
    assert (int(update[1]), int(update[2])) == (built.quads, built.quads + 1)
